-- One-time invitation links: only a digest of the token is stored; a person
-- has at most one live invitation (issuing a new one voids the old).
CREATE TABLE invitations (
    digest      TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE INDEX invitations_by_user ON invitations (user_id);
