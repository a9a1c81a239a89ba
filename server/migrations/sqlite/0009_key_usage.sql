-- What keys actually do, counted in memory and written in batches (usage.rs):
-- where each key was last used from, its requests and refusals per UTC day,
-- and the permissions it exercised per day. Days older than 90 are swept.
ALTER TABLE api_keys ADD COLUMN last_used_from TEXT;

CREATE TABLE key_usage_days (
    api_key_id  TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    requests    INTEGER NOT NULL,
    refused     INTEGER NOT NULL,
    PRIMARY KEY (api_key_id, day)
);

CREATE TABLE key_permission_days (
    api_key_id    TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    permission    TEXT NOT NULL,
    day           TEXT NOT NULL,
    requests      INTEGER NOT NULL,
    last_used_at  TEXT NOT NULL,
    PRIMARY KEY (api_key_id, permission, day)
);
