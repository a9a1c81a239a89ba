-- People can be deactivated (and activated again); sign-in records when.
-- 'invited' is for people added without a password (the invitation flow).
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE users ADD COLUMN last_signed_in_at TEXT;
