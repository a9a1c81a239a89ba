-- Mail (#22); see the SQLite migration of the same number for the reasons.
CREATE TABLE mail_outbox (
    seq                   BIGSERIAL PRIMARY KEY,
    event_id              TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status                TEXT NOT NULL,     -- pending, sent, failed
    attempt               BIGINT NOT NULL DEFAULT 0,
    next_attempt_at       TEXT NOT NULL,
    lease_until           TEXT,
    recipients            BIGINT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (status, next_attempt_at);
