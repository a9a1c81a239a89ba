-- Replicas each remember recent key checks. Every change that could alter a
-- check's answer for an organization's keys (a key edited, regenerated or
-- removed; a role edited or removed) bumps the organization's epoch in the
-- same transaction; a replica answers from memory only while the epoch it
-- remembered with is still the current one, so a change made through any
-- replica is honoured by all of them on the very next request.
ALTER TABLE organizations ADD COLUMN key_checks_epoch BIGINT NOT NULL DEFAULT 0;
