-- A key can be switched off and on again (incident response, or a "scream
-- test" before removal): while disabled_at is set, its secrets answer 401;
-- nothing else about the key changes.
ALTER TABLE api_keys ADD COLUMN disabled_at TEXT;
