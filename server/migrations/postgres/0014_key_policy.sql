-- Key policy (#22); see the SQLite migration of the same number for the reasons.
CREATE TABLE key_policies (
    organization_id        TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    require_expiry         BIGINT NOT NULL DEFAULT 0,
    max_lifetime_days      BIGINT,
    default_lifetime_days  BIGINT,
    enforce_from           TEXT,
    updated_at             TEXT NOT NULL
);

ALTER TABLE api_keys ADD COLUMN policy_violation TEXT;
