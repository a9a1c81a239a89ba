-- Sessions of people, kept by keydesk itself (replacing tower-sessions' table):
-- only a SHA-256 digest of the session token is stored, so a copy of the
-- database cannot be replayed as a cookie. A session ends after 30 minutes
-- without a request (last_seen_at) or 12 hours after sign-in (expires_at).
DROP TABLE IF EXISTS tower_sessions;

CREATE TABLE sessions (
    digest        TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);

-- Every change to a key bumps its version; a change decided on an older
-- version is refused (409) instead of silently undoing the one in between.
ALTER TABLE api_keys ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- Name search and name sort within an organization.
CREATE INDEX api_keys_by_org_name ON api_keys (organization_id, name_key);
