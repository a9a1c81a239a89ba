-- Where each key is used from (#23); see the SQLite migration of the same number for the reasons.
CREATE TABLE key_networks_seen (
    api_key_id     TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    network        TEXT NOT NULL,
    requests       BIGINT NOT NULL,
    last_used_at   TEXT NOT NULL,
    PRIMARY KEY (api_key_id, network)
);
