-- Allowed networks per key (#23): a JSON array of CIDR ranges (NULL or
-- empty: anywhere), and whether a call from elsewhere is refused
-- ('enforce') or only reported ('report').
ALTER TABLE api_keys ADD COLUMN allowed_networks TEXT;
ALTER TABLE api_keys ADD COLUMN network_mode TEXT NOT NULL DEFAULT 'enforce';
