-- The second security review (#18); see the SQLite migration of the same
-- number for the reasons.
ALTER TABLE users DROP CONSTRAINT users_email_unique;
CREATE UNIQUE INDEX users_email_unique ON users (email) WHERE status <> 'invited';
CREATE UNIQUE INDEX users_organization_email_unique ON users (organization_id, email);
CREATE INDEX users_by_organization ON users (organization_id);

UPDATE users SET status = 'deactivated' WHERE status NOT IN ('active', 'invited', 'deactivated');
ALTER TABLE users ADD CONSTRAINT users_status_known
    CHECK (status IN ('active', 'invited', 'deactivated'));
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN password_set_by_permissions TEXT;

DELETE FROM invitations;
ALTER TABLE invitations ADD COLUMN issued_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN issued_by_permissions TEXT NOT NULL DEFAULT '';

ALTER TABLE sessions ADD COLUMN restriction TEXT;

ALTER TABLE api_key_secrets ADD COLUMN generated_by_id TEXT;
