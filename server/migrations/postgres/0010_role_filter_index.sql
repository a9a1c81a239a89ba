-- Listing keys by role (GET /api-keys?role=) reads the role's key ids: with
-- the key id in the index itself that is an index-only read, not one table
-- lookup per key. It serves everything the role-only index did.
CREATE INDEX api_key_roles_by_role_key ON api_key_roles (role_id, api_key_id);
DROP INDEX api_key_roles_by_role;
