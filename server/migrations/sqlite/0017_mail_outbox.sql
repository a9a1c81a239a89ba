-- Mail (#22): with --smtp-url set, the events people must hear about
-- (api_key.expiring, .leaked, .decoy_used) are also queued here, in the
-- same transaction as the event, and mailed to everyone holding
-- service-accounts.update when sent (so the recipients are who holds it then).
CREATE TABLE mail_outbox (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id              TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status                TEXT NOT NULL,     -- pending, sent, failed
    attempt               BIGINT NOT NULL DEFAULT 0,
    next_attempt_at       TEXT NOT NULL,
    lease_until           TEXT,
    recipients            BIGINT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (status, next_attempt_at);
