-- Guardrails on keys (#23); see the SQLite migration of the same number for the reasons.
ALTER TABLE api_keys ADD COLUMN leaked_at TEXT;
ALTER TABLE api_keys ADD COLUMN decoy BIGINT NOT NULL DEFAULT 0;
