-- Expiry warnings (#22): an expired key something still calls is an outage
-- in the making. The last such call (at most one write a minute per key)
-- and where it came from are kept on the key, for the API Keys tab's banner.
ALTER TABLE api_keys ADD COLUMN expired_use_at TEXT;
ALTER TABLE api_keys ADD COLUMN expired_use_from TEXT;
