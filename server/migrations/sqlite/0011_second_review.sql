-- The second security review (#18), in one rebuild of `users` (SQLite cannot
-- drop a table constraint in place). Migrations run with foreign keys off
-- (storage/mod.rs), so dropping the old table cascades to nothing:
--
-- * An address is reserved everywhere only by someone who joined (set their
--   own password): a never-joined placeholder is unique only within its
--   organization, so nobody can squat an address in another organization.
-- * A person's status is one of three words (CHECK), never anything else.
-- * People carry a version: an edit decided on an older read answers 409.
-- * A password someone else set (POST /users with a password) is provisional:
--   `password_set_by_permissions` keeps what its setter held, the person must
--   set their own at first sign-in, and it is refused once they hold more.
DROP TRIGGER user_roles_role_exists;

CREATE TABLE users_rebuilt (
    id                           TEXT PRIMARY KEY,
    organization_id              TEXT NOT NULL REFERENCES organizations (id),
    name                         TEXT NOT NULL,
    -- lower-cased and NFC
    email                        TEXT NOT NULL,
    -- argon2id; empty while the person has no password
    password_hash                TEXT NOT NULL,
    created_at                   TEXT NOT NULL,
    status                       TEXT NOT NULL DEFAULT 'active'
        CONSTRAINT users_status_known CHECK (status IN ('active', 'invited', 'deactivated')),
    last_signed_in_at            TEXT,
    version                      INTEGER NOT NULL DEFAULT 1,
    password_set_by_permissions  TEXT
);

INSERT INTO users_rebuilt (id, organization_id, name, email, password_hash, created_at, status, last_signed_in_at)
SELECT id, organization_id, name, email, password_hash, created_at,
       CASE WHEN status IN ('active', 'invited', 'deactivated') THEN status ELSE 'deactivated' END,
       last_signed_in_at
FROM users;

DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

CREATE UNIQUE INDEX users_email_unique ON users (email) WHERE status <> 'invited';
CREATE UNIQUE INDEX users_organization_email_unique ON users (organization_id, email);
CREATE INDEX users_by_organization ON users (organization_id);

CREATE TRIGGER user_roles_role_exists BEFORE INSERT ON user_roles
WHEN NEW.role_id LIKE 'role\_%' ESCAPE '\' AND NOT EXISTS (
    SELECT 1 FROM roles r JOIN users u ON u.organization_id = r.organization_id
    WHERE r.id = NEW.role_id AND u.id = NEW.user_id)
BEGIN
    SELECT RAISE(ABORT, 'role_exists');
END;

-- Who issued an invitation link, and what they held then: a link works only
-- while the person holds no more than that. Links issued before this was
-- recorded cannot be judged and are voided (issue a new one).
DELETE FROM invitations;
ALTER TABLE invitations ADD COLUMN issued_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN issued_by_permissions TEXT NOT NULL DEFAULT '';

-- A session may be restricted to one step (setting one's own password)
-- before it may do anything else.
ALTER TABLE sessions ADD COLUMN restriction TEXT;

-- Who generated each secret, so deactivating a person can say which keys
-- carry a secret they saw.
ALTER TABLE api_key_secrets ADD COLUMN generated_by_id TEXT;
