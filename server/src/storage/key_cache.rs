//! The key check's memory: secret digest → who the key is and what it may do,
//! so a key seen recently costs no database read. Every write that could
//! change an answer (a key's edit, regeneration or removal; a role's edit or
//! removal) forgets what it touches before it is acknowledged, so a replaced
//! or removed secret is refused on the very next request. Time-based ends
//! (expiry, the end of a grace period) are kept with each entry and checked
//! on every hit.
//!
//! A check that misses reads the database and then remembers the answer, but
//! only if nothing was forgotten meanwhile (an epoch counter): otherwise an
//! answer read just before a write could be remembered just after it.
//!
//! With replicas (PostgreSQL), each entry also keeps the organization's epoch
//! it was read at; see `replicas` for how that covers other replicas' writes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::Identity;

/// At most this many keys are remembered; past it the memory starts over
/// (cheap, and a flood of distinct secrets cannot grow it).
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
struct Entry {
    identity: Identity,
    /// RFC 3339 text: after this the secret no longer works (expiry or the
    /// end of its grace period); `None` while neither applies.
    valid_until: Option<String>,
    /// PostgreSQL: the organization's `key_checks_epoch` when read.
    epoch: Option<i64>,
}

/// A remembered answer, and the epoch it was read at (PostgreSQL).
pub struct Known {
    pub identity: Identity,
    pub epoch: Option<i64>,
}

#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, Entry>>,
    epoch: AtomicU64,
}

/// What a miss notes before reading, to remember the answer only if still current.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl KeyCache {
    /// The remembered identity for `digest`, if any and still valid at `now`.
    pub fn get(&self, digest: &str, now: &str) -> Option<Known> {
        let mut entries = self.entries.lock().expect("key cache lock");
        let entry = entries.get(digest)?;
        if entry.valid_until.as_deref().is_some_and(|end| end <= now) {
            entries.remove(digest);
            return None;
        }
        Some(Known {
            identity: entry.identity.clone(),
            epoch: entry.epoch,
        })
    }

    /// Taken before a database read whose answer may be remembered.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.epoch.load(Ordering::SeqCst))
    }

    /// Remembers an answer read after `ticket`, unless something was
    /// forgotten since (then the answer may already be stale).
    pub fn remember(
        &self,
        ticket: Ticket,
        digest: &str,
        identity: &Identity,
        valid_until: Option<String>,
        epoch: Option<i64>,
    ) {
        let mut entries = self.entries.lock().expect("key cache lock");
        if self.epoch.load(Ordering::SeqCst) != ticket.0 {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            digest.to_string(),
            Entry {
                identity: identity.clone(),
                valid_until,
                epoch,
            },
        );
    }

    /// Forgets one secret (its answer is out of date).
    pub fn forget_digest(&self, digest: &str) {
        self.entries.lock().expect("key cache lock").remove(digest);
    }

    /// Forgets every secret of this key.
    pub fn forget_key(&self, key_id: &str) {
        self.forget(|e| e.identity.actor.id == key_id);
    }

    /// Forgets every key of the organization (a role changed: any of its keys may hold it).
    pub fn forget_organization(&self, organization_id: &str) {
        self.forget(|e| e.identity.organization.id == organization_id);
    }

    fn forget(&self, matches: impl Fn(&Entry) -> bool) {
        let mut entries = self.entries.lock().expect("key cache lock");
        // Bumped under the lock, so a miss that read before this write
        // cannot remember its (now stale) answer after it.
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.retain(|_, e| !matches(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keydesk_contract::types::{Actor, ActorKind, Organization};

    fn identity(key: &str, org: &str) -> Identity {
        Identity {
            organization: Organization {
                id: org.into(),
                name: org.into(),
            },
            actor: Actor {
                kind: ActorKind::ApiKey,
                id: key.into(),
                name: key.into(),
            },
            permissions: Default::default(),
            networks: None,
        }
    }

    const NOW: &str = "2026-11-26T12:00:00.000000Z";

    #[test]
    fn a_remembered_key_is_found_until_it_is_forgotten() {
        let cache = KeyCache::default();
        let t = cache.ticket();
        cache.remember(t, "d1", &identity("key_1", "org_1"), None, None);
        cache.remember(
            cache.ticket(),
            "d2",
            &identity("key_2", "org_2"),
            None,
            None,
        );
        assert!(cache.get("d1", NOW).is_some());
        cache.forget_key("key_1");
        assert!(cache.get("d1", NOW).is_none());
        assert!(cache.get("d2", NOW).is_some());
        cache.forget_organization("org_2");
        assert!(cache.get("d2", NOW).is_none());
    }

    #[test]
    fn an_answer_read_before_a_forget_is_not_remembered_after_it() {
        let cache = KeyCache::default();
        let before = cache.ticket();
        cache.forget_key("key_1");
        cache.remember(before, "d1", &identity("key_1", "org_1"), None, None);
        assert!(cache.get("d1", NOW).is_none());
    }

    #[test]
    fn an_entry_past_its_end_is_not_answered() {
        let cache = KeyCache::default();
        cache.remember(
            cache.ticket(),
            "d1",
            &identity("key_1", "org_1"),
            Some("2026-11-26T11:59:59.000000Z".into()),
            None,
        );
        assert!(cache.get("d1", NOW).is_none());
    }
}
