-- Key policy (#22): an organization may require keys to expire and bound
-- their lifetime. Keys outside a tightened policy keep working until its
-- enforce_from, then their secrets answer 401. Each key carries why it is
-- outside ('no_expiry' or 'too_long'), recomputed when the policy changes
-- and cleared when its secret is renewed within the policy, so the key
-- check needs no date arithmetic.
CREATE TABLE key_policies (
    organization_id        TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    require_expiry         BIGINT NOT NULL DEFAULT 0,
    max_lifetime_days      BIGINT,
    default_lifetime_days  BIGINT,
    enforce_from           TEXT,
    updated_at             TEXT NOT NULL
);

ALTER TABLE api_keys ADD COLUMN policy_violation TEXT;
