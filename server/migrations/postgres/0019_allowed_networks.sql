-- Allowed networks per key (#23); see the SQLite migration of the same number for the reasons.
ALTER TABLE api_keys ADD COLUMN allowed_networks TEXT;
ALTER TABLE api_keys ADD COLUMN network_mode TEXT NOT NULL DEFAULT 'enforce';
