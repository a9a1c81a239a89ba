-- Event destinations (#22); see the SQLite migration of the same number for the reasons.
CREATE TABLE event_destinations (
    id                    TEXT PRIMARY KEY,
    organization_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    events                TEXT NOT NULL,  -- JSON array of types, or ["*"]
    enabled               BIGINT NOT NULL DEFAULT 1,
    disabled_reason       TEXT,
    secret                TEXT NOT NULL,  -- sealed with the server key
    previous_secret       TEXT,           -- sealed; signs too until previous_until
    previous_until        TEXT,
    created_at            TEXT NOT NULL
);
CREATE INDEX event_destinations_by_organization ON event_destinations (organization_id);

CREATE TABLE events (
    id                    TEXT PRIMARY KEY,  -- an audit action's event id, or its own
    organization_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    type                  TEXT NOT NULL,
    at                    TEXT NOT NULL,
    body                  TEXT NOT NULL      -- exactly the bytes signed and sent
);
CREATE INDEX events_by_organization_and_time ON events (organization_id, at);

CREATE TABLE event_deliveries (
    seq                   BIGSERIAL PRIMARY KEY,
    id                    TEXT NOT NULL UNIQUE,
    destination_id        TEXT NOT NULL REFERENCES event_destinations (id) ON DELETE CASCADE,
    event_id              TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status                TEXT NOT NULL,     -- pending, delivered, failed
    attempt               BIGINT NOT NULL DEFAULT 0,
    response_status       BIGINT,
    at                    TEXT NOT NULL,
    next_attempt_at       TEXT,
    lease_until           TEXT
);
CREATE INDEX event_deliveries_pending ON event_deliveries (status, destination_id, seq);
CREATE INDEX event_deliveries_by_destination ON event_deliveries (destination_id, seq);

-- api_key.expiring is sent once per key, secret lifetime and threshold.
CREATE TABLE api_key_expiry_notices (
    api_key_id            TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    expires_at            TEXT NOT NULL,
    days                  BIGINT NOT NULL,
    PRIMARY KEY (api_key_id, expires_at, days)
);

-- api_key.expired_but_used is sent at most once a day per key.
ALTER TABLE api_keys ADD COLUMN expired_use_event_at TEXT;
