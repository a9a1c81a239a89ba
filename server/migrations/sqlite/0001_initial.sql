-- keydesk schema, version 1. Portable SQL (SQLite now, PostgreSQL later):
-- TEXT ids, RFC 3339 UTC timestamps as fixed-width TEXT so they sort correctly.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    name             TEXT NOT NULL,
    -- lower-cased; a person signs in by email, so it is unique everywhere
    email            TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    CONSTRAINT users_email_unique UNIQUE (email)
);

CREATE TABLE user_roles (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id  TEXT NOT NULL,
    PRIMARY KEY (user_id, role_id)
);

-- An API key (service account). Its secret lives in api_key_secrets, as a digest.
CREATE TABLE api_keys (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    name             TEXT NOT NULL,
    -- lower-cased name: names are unique per organization regardless of case
    name_key         TEXT NOT NULL,
    description      TEXT NOT NULL,
    -- a person or, when a key creates keys, another key: kept as a snapshot
    -- so the creator's later removal does not orphan the row
    created_by_type  TEXT NOT NULL,
    created_by_id    TEXT NOT NULL,
    created_by_name  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    generated_at     TEXT,
    last_used_at     TEXT,
    expires_at       TEXT,
    -- non-secret start of the current secret, e.g. kd_live_4fQa; NULL before generation
    display_prefix   TEXT,
    CONSTRAINT api_keys_name_unique UNIQUE (organization_id, name_key)
);

CREATE INDEX api_keys_by_org_created ON api_keys (organization_id, created_at);

CREATE TABLE api_key_roles (
    api_key_id  TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    role_id     TEXT NOT NULL,
    PRIMARY KEY (api_key_id, role_id)
);

-- SHA-256 digests of secrets. A key has one current secret (retires_at NULL)
-- and, after a regeneration with a grace period, old ones until retires_at.
CREATE TABLE api_key_secrets (
    digest      TEXT PRIMARY KEY,
    api_key_id  TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    retires_at  TEXT
);

CREATE INDEX api_key_secrets_by_key ON api_key_secrets (api_key_id);

CREATE TABLE audit_events (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    at               TEXT NOT NULL,
    actor_type       TEXT NOT NULL,
    actor_id         TEXT NOT NULL,
    actor_name       TEXT NOT NULL,
    action           TEXT NOT NULL,
    target_type      TEXT NOT NULL,
    target_id        TEXT NOT NULL,
    target_name      TEXT NOT NULL,
    -- JSON object with what changed; never contains a secret
    details          TEXT NOT NULL
);

CREATE INDEX audit_events_by_org_at ON audit_events (organization_id, at, id);
