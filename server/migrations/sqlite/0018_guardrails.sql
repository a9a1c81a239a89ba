-- Guardrails on keys (#23). A key whose secret was reported leaked is
-- disabled and says so (leaked_at, cleared when it gets a new secret); a
-- decoy key's secret authenticates nothing and raises an alarm when used.
ALTER TABLE api_keys ADD COLUMN leaked_at TEXT;
ALTER TABLE api_keys ADD COLUMN decoy BIGINT NOT NULL DEFAULT 0;
