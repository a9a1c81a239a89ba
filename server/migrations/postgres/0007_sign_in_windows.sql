-- The sign-in throttle's counting windows, in the database so that every
-- replica counts the same attempts (see auth/throttle.rs). A subject is a
-- kind and what is counted, e.g. "address:192.0.2.1"; emails appear only as
-- SHA-256 digests. Rows whose windows ended are swept away.
CREATE TABLE sign_in_windows (
    subject       TEXT PRIMARY KEY,
    count         BIGINT NOT NULL,
    since         TEXT NOT NULL,
    next_allowed  TEXT NOT NULL
);

CREATE INDEX sign_in_windows_by_since ON sign_in_windows (since);
