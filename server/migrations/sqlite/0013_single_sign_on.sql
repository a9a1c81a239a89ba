-- Single sign-on with OpenID Connect (#21). Per organization: its provider
-- (the client secret sealed with the server key; only its last four
-- characters in the clear), the email domains it answers for (each domain
-- belongs to one organization), how claims map to roles, and who keeps a
-- password when single sign-on is required. Sign-ins sent to the provider
-- wait in sso_sign_ins (found by their state's digest, taken once), so any
-- replica can receive the callback. A person who signed in through it
-- carries the provider's subject.
CREATE TABLE sso_configs (
    organization_id        TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    issuer                 TEXT NOT NULL,
    client_id              TEXT NOT NULL,
    sealed_client_secret   TEXT NOT NULL,
    client_secret_last4    TEXT NOT NULL,
    role_rules             TEXT NOT NULL,
    default_role_ids       TEXT NOT NULL,
    -- Set while password sign-in is closed to all but the break-glass people.
    sso_required_since     TEXT,
    break_glass_user_ids   TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE TABLE sso_domains (
    domain           TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
);
CREATE INDEX sso_domains_by_organization ON sso_domains (organization_id);

CREATE TABLE sso_sign_ins (
    state_digest          TEXT PRIMARY KEY,
    organization_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    nonce                 TEXT NOT NULL,
    sealed_pkce_verifier  TEXT NOT NULL,
    expires_at            TEXT NOT NULL
);

ALTER TABLE users ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX users_sso_subject_unique ON users (organization_id, sso_subject);
