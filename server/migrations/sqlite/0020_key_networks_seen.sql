-- Where each key is used from (#23), by network (/24 for IPv4, /64 for
-- IPv6), counted with the rest of key usage: Edit → Networks suggests
-- allowed networks from it.
CREATE TABLE key_networks_seen (
    api_key_id     TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    network        TEXT NOT NULL,
    requests       BIGINT NOT NULL,
    last_used_at   TEXT NOT NULL,
    PRIMARY KEY (api_key_id, network)
);
