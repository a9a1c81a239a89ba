//! What keys do: when and from where each was last used, its requests and
//! refusals per UTC day, and the permissions it exercised. A key check must
//! never wait for, or fail because of, a database write, so uses are counted
//! in memory and written in one batch in the background every
//! [`FLUSH_EVERY`] (and at shutdown): a crash loses at most that interval. A
//! failed write is logged and its counts are kept for the next flush. Reads
//! of a key on this server see its newest use at once.

use keydesk_contract::roles::RoleSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::collections::BTreeMap;

use crate::storage::{DayCount, PermissionUse, Storage, UsageBatch};

pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// How often counts older than [`KEPT_DAYS`] are deleted.
pub const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// How many days of counts are kept: the longest window one may ask for.
pub const KEPT_DAYS: i64 = keydesk_contract::validation::USAGE_WINDOW_MAX_DAYS as i64;

pub struct Usage {
    storage: Storage,
    pending: Mutex<UsageBatch>,
    flush_every: Duration,
}

/// One request made with a key: what it is counted against.
#[derive(Clone)]
pub struct KeyMeter {
    usage: Arc<Usage>,
    key_id: String,
    /// Fixed-width time text of the request.
    at: String,
}

impl std::fmt::Debug for KeyMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyMeter")
            .field("key_id", &self.key_id)
            .finish()
    }
}

impl KeyMeter {
    /// Counts a permission the request exercised.
    pub fn exercised(&self, permission: &str) {
        let mut pending = self.usage.pending.lock().expect("usage lock");
        let entry = pending
            .permissions
            .entry((
                self.key_id.clone(),
                permission.to_string(),
                day_of(&self.at).to_string(),
            ))
            .or_insert((0, self.at.clone()));
        entry.0 += 1;
        if entry.1 < self.at {
            entry.1 = self.at.clone();
        }
    }

    /// Counts the request as refused (the key lacked a permission).
    pub fn refused(&self) {
        let mut pending = self.usage.pending.lock().expect("usage lock");
        let day = (self.key_id.clone(), day_of(&self.at).to_string());
        pending.days.entry(day).or_insert((0, 0)).1 += 1;
    }
}

/// The days of a usage window of `days` (1 to 90, default 30) ending on
/// `now`'s UTC day, oldest first, as `YYYY-MM-DD`.
pub fn window(now: time::OffsetDateTime, days: Option<u32>) -> Result<Vec<String>, String> {
    let days = i64::from(keydesk_contract::validation::usage_window_days(days)?);
    let first = now.date() - time::Duration::days(days - 1);
    Ok((0..days)
        .map(|n| {
            let d = first + time::Duration::days(n);
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .collect())
}

/// What a key holds and did not exercise: the one "unused" every view shows.
pub fn unused<'a>(
    granted: &'a [String],
    used: &'a std::collections::BTreeSet<&str>,
) -> impl Iterator<Item = &'a String> {
    granted.iter().filter(|p| !used.contains(p.as_str()))
}

/// Least privilege for `key`, which exercised `used` in the window (rule
/// 16): the narrowest set of roles granting nothing the key does not hold
/// that still covers what it used and holds, or, when none is narrower
/// than its own, exactly what it used for a custom role.
pub fn suggest(
    key: &keydesk_contract::types::ApiKey,
    used: &[PermissionUse],
    book: &crate::storage::RoleBook,
) -> keydesk_contract::types::Suggestion {
    use keydesk_contract::least_privilege::{narrowest_cover, Candidate};
    use std::collections::BTreeSet;
    let held: BTreeSet<&str> = key.permissions.iter().map(String::as_str).collect();
    // What it used and still holds: what any suggestion must keep.
    let used: BTreeSet<&str> = used
        .iter()
        .map(|u| u.permission.as_str())
        .filter(|p| held.contains(p))
        .collect();
    let unused: Vec<String> = self::unused(&key.permissions, &used).cloned().collect();
    let roles = book.all();
    let candidates: Vec<Candidate> = roles
        .iter()
        .map(|r| Candidate {
            id: &r.id,
            grants: r.permissions.iter().map(String::as_str).collect(),
        })
        .collect();
    // The key's own roles are always candidates and cover, so there is an answer.
    let picked = narrowest_cover(&candidates, &used, &held)
        .unwrap_or_else(|| key.roles.iter().map(|r| r.id.as_str()).collect());
    let narrower = book.union_of(picked.iter().copied()).len() < held.len();
    let custom_role_permissions = if !narrower && !unused.is_empty() && !used.is_empty() {
        keydesk_contract::permissions::union(used.iter().copied())
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        Vec::new()
    };
    keydesk_contract::types::Suggestion {
        unused,
        suggested_role_ids: picked.into_iter().map(String::from).collect(),
        narrower,
        custom_role_permissions,
    }
}

/// The network an address is counted under: its /24 (IPv4) or /64 (IPv6),
/// the ranges an allowlist is usually written in.
pub fn network_of(ip: IpAddr) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let prefix = if ip.is_ipv4() { 24 } else { 64 };
    ipnet::IpNet::new(ip, prefix)
        .map(|n| n.trunc().to_string())
        .unwrap_or_else(|_| ip.to_string())
}

impl Usage {
    /// Adds where `key_id` was used from, not yet written, to `seen`
    /// (network, requests, last use); most requests first.
    pub fn merge_networks(&self, key_id: &str, seen: &mut Vec<(String, u64, String)>) {
        let pending = self.pending.lock().expect("usage lock");
        for ((key, network), (requests, last)) in &pending.networks {
            if key != key_id {
                continue;
            }
            match seen.iter_mut().find(|(n, _, _)| n == network) {
                Some(s) => {
                    s.1 += requests;
                    if s.2 < *last {
                        s.2 = last.clone();
                    }
                }
                None => seen.push((network.clone(), *requests, last.clone())),
            }
        }
        seen.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
}

/// The UTC day of a fixed-width time text, e.g. `2026-11-26`.
pub fn day_of(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

impl Usage {
    /// Counts written every `flush_every` (normally [`FLUSH_EVERY`]).
    pub fn new(storage: Storage, flush_every: Duration) -> Arc<Self> {
        Arc::new(Usage {
            storage,
            pending: Mutex::default(),
            flush_every,
        })
    }

    /// Counts a request authenticated by a key, from `client`; cheap, never
    /// fails. The meter counts what the request then does.
    pub fn record(self: &Arc<Self>, key_id: &str, at: &str, client: IpAddr) -> KeyMeter {
        {
            let mut pending = self.pending.lock().expect("usage lock");
            match pending.last_used.get_mut(key_id) {
                Some((last, _)) if last.as_str() >= at => {}
                Some(last) => *last = (at.to_string(), client.to_string()),
                None => {
                    pending
                        .last_used
                        .insert(key_id.to_string(), (at.to_string(), client.to_string()));
                }
            }
            let day = (key_id.to_string(), day_of(at).to_string());
            pending.days.entry(day).or_insert((0, 0)).0 += 1;
            let seen = (key_id.to_string(), network_of(client));
            let entry = pending.networks.entry(seen).or_insert((0, String::new()));
            entry.0 += 1;
            if entry.1.as_str() < at {
                entry.1 = at.to_string();
            }
        }
        KeyMeter {
            usage: Arc::clone(self),
            key_id: key_id.to_string(),
            at: at.to_string(),
        }
    }

    /// The newer of the stored last use (time, address) and one not yet written.
    pub fn last_use(
        &self,
        key_id: &str,
        stored_at: Option<String>,
        stored_from: Option<String>,
    ) -> (Option<String>, Option<String>) {
        let pending = self.pending.lock().expect("usage lock");
        match pending.last_used.get(key_id) {
            Some((at, from)) if stored_at.as_ref().is_none_or(|s| at > s) => {
                (Some(at.clone()), Some(from.clone()))
            }
            _ => (stored_at, stored_from),
        }
    }

    /// Permissions this key exercised that are not written yet.
    pub fn pending_permissions(&self, key_id: &str) -> Vec<String> {
        let pending = self.pending.lock().expect("usage lock");
        pending
            .permissions
            .keys()
            .filter(|(key, _, _)| key == key_id)
            .map(|(_, permission, _)| permission.clone())
            .collect()
    }

    /// Adds this key's counts not yet written to `days` (stored counts since
    /// `first_day`, oldest first): reads see them without writing anything.
    pub fn merge_days(&self, key_id: &str, first_day: &str, days: &mut Vec<DayCount>) {
        let pending = self.pending.lock().expect("usage lock");
        for ((key, day), (requests, refused)) in &pending.days {
            if key != key_id || day.as_str() < first_day {
                continue;
            }
            match days.iter_mut().find(|d| &d.day == day) {
                Some(d) => {
                    d.requests += requests;
                    d.refused += refused;
                }
                None => days.push(DayCount {
                    day: day.clone(),
                    requests: *requests,
                    refused: *refused,
                }),
            }
        }
        days.sort_by(|a, b| a.day.cmp(&b.day));
    }

    /// Adds the permissions exercised and not yet written since `first_day`
    /// (of `key_id` only, or of every key) to `used`.
    pub fn merge_permissions(
        &self,
        key_id: Option<&str>,
        first_day: &str,
        used: &mut BTreeMap<String, Vec<PermissionUse>>,
    ) {
        let pending = self.pending.lock().expect("usage lock");
        for ((key, permission, day), (requests, last)) in &pending.permissions {
            if key_id.is_some_and(|k| k != key) || day.as_str() < first_day {
                continue;
            }
            let uses = used.entry(key.clone()).or_default();
            match uses.iter_mut().find(|u| &u.permission == permission) {
                Some(u) => {
                    u.requests += requests;
                    if u.last_used_at < *last {
                        u.last_used_at = last.clone();
                    }
                }
                None => uses.push(PermissionUse {
                    permission: permission.clone(),
                    requests: *requests,
                    last_used_at: last.clone(),
                }),
            }
        }
    }

    /// The newer of `stored` and a use not yet written.
    pub fn last_used(&self, key_id: &str, stored: Option<String>) -> Option<String> {
        let pending = self.pending.lock().expect("usage lock");
        match (pending.last_used.get(key_id).map(|(at, _)| at), stored) {
            (Some(p), Some(s)) => Some(if *p > s { p.clone() } else { s }),
            (Some(p), None) => Some(p.clone()),
            (None, s) => s,
        }
    }

    /// Writes what is pending in one transaction; if that fails, the counts
    /// go back to pending for the next time.
    pub async fn flush(&self) {
        let batch = std::mem::take(&mut *self.pending.lock().expect("usage lock"));
        if batch.is_empty() {
            return;
        }
        if let Err(e) = self.storage.record_usage(&batch).await {
            tracing::warn!(error = %e, keys = batch.last_used.len(), "could not record key use; will retry");
            self.pending.lock().expect("usage lock").merge(batch);
        }
    }

    /// Forgets counts older than [`KEPT_DAYS`], by `clock`.
    pub async fn sweep(&self, clock: &dyn crate::clock::Clock) {
        let first_kept = crate::time_format::format(clock.now() - time::Duration::days(KEPT_DAYS));
        if let Err(e) = self.storage.delete_old_usage(day_of(&first_kept)).await {
            tracing::warn!(error = %e, "could not delete old usage counts");
        }
    }

    /// Writes pending counts every `flush_every`, and sweeps old ones every
    /// [`SWEEP_EVERY`]: usage looks after its own tables.
    pub fn spawn_flusher(self: &Arc<Self>, clock: crate::clock::SharedClock) {
        let usage = Arc::downgrade(self);
        tokio::spawn(async move {
            let Some(interval) = usage.upgrade().map(|u| u.flush_every) else {
                return;
            };
            let mut every = tokio::time::interval(interval);
            every.tick().await;
            let mut last_sweep: Option<std::time::Instant> = None;
            loop {
                every.tick().await;
                let Some(usage) = usage.upgrade() else { return };
                if usage.storage.is_closed() {
                    return; // the server has stopped
                }
                usage.flush().await;
                if last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
                    usage.sweep(clock.as_ref()).await;
                    last_sweep = Some(std::time::Instant::now());
                }
            }
        });
    }
}
