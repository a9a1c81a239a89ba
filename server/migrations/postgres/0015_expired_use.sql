-- Expiry warnings (#22); see the SQLite migration of the same number for the reasons.
ALTER TABLE api_keys ADD COLUMN expired_use_at TEXT;
ALTER TABLE api_keys ADD COLUMN expired_use_from TEXT;
