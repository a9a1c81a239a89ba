-- Second factors (#20); see the SQLite migration of the same number for the reasons.
CREATE TABLE totp_factors (
    user_id         TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_secret   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    -- NULL until the person proves their app with a code.
    confirmed_at    TEXT,
    -- The newest step whose code was accepted: no code works twice.
    last_used_step  BIGINT
);

CREATE TABLE recovery_codes (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    used_at     TEXT,
    PRIMARY KEY (user_id, digest)
);

CREATE TABLE passkeys (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    -- base64url of the credential id, unique across every person.
    credential_id   TEXT NOT NULL UNIQUE,
    -- The verified credential (public key, counter) as webauthn-rs keeps it.
    credential      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_used_at    TEXT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

CREATE TABLE webauthn_ceremonies (
    challenge_digest  TEXT PRIMARY KEY,
    purpose           TEXT NOT NULL CHECK (purpose IN ('register', 'second_step', 'sign_in')),
    user_id           TEXT REFERENCES users (id) ON DELETE CASCADE,
    state             TEXT NOT NULL,
    expires_at        TEXT NOT NULL
);

CREATE TABLE pending_sign_ins (
    digest       TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at   TEXT NOT NULL
);

-- Set while the organization requires a second factor of everyone.
ALTER TABLE organizations ADD COLUMN second_factor_required_since TEXT;
