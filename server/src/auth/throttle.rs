//! Bounds on guessing. Every sign-in attempt is counted *before* its password
//! is checked (so a burst of parallel attempts cannot slip past the limit),
//! against three things:
//!
//! - the (account, address) pair: [`PAIR_LIMIT`] attempts per window, then
//!   that pair is locked until the window ends. This is the lock an attacker
//!   meets; it does not lock the account for anyone else.
//! - the client address: [`ADDRESS_LIMIT`] failed attempts per window across
//!   all accounts (one address spraying many accounts). IPv6 addresses count
//!   by their /64, the block one subscriber gets.
//! - the account, from any address: after [`ACCOUNT_SLOW_AFTER`] failures in
//!   a window, attempts are spaced [`ACCOUNT_SPACING`] apart. Slowed, never
//!   blocked: a stranger cannot lock a chosen person out for good.
//!
//! A browser that signed in to the account before carries a known-device
//! cookie (signed with the server key, bound to the account). Its attempts
//! are counted against that device alone ([`PAIR_LIMIT`] per window), so
//! strangers slowing the account from elsewhere do not keep its owner out.
//!
//! Sign-ups are limited per address too. The windows live in the database
//! (`storage::sign_in_windows`), so every replica counts the same attempts;
//! each attempt locks only its own windows' rows. Emails are length-checked
//! before they get here and stored only as MACs under the server key (a copy
//! of the database cannot test guesses of who tried); ended windows are
//! swept away with ended sessions. In front of the database, each replica
//! keeps a bounded count of attempts per address in memory, so an address
//! past its limit is refused without a database write.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

use crate::clock::SharedClock;
use crate::server_key::ServerKey;
use crate::storage::{Storage, StoredWindow};
use crate::time_format;

pub const WINDOW: Duration = Duration::minutes(15);
pub const PAIR_LIMIT: u32 = 5;
pub const ADDRESS_LIMIT: u32 = 30;
pub const ACCOUNT_SLOW_AFTER: u32 = 10;
pub const ACCOUNT_SPACING: Duration = Duration::seconds(10);
pub const SIGN_UP_WINDOW: Duration = Duration::hours(1);
pub const SIGN_UPS_PER_ADDRESS: u32 = 10;
/// People added to one organization per hour (placeholders cost nothing to
/// make, so a burst of them is spam).
pub const PEOPLE_ADDED_PER_HOUR: u32 = 60;
/// Addresses the in-memory pre-filter remembers at most (then it starts over).
const PRE_FILTER_CAPACITY: usize = 100_000;

/// Why an attempt was refused before anything was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This account from this address: too many attempts.
    PairLocked,
    /// This address: too many failed attempts across accounts.
    AddressLocked,
    /// This account: attempts are being spaced out.
    AccountSlowed,
    /// This known device: too many attempts.
    DeviceLocked,
    /// This address: too many new organizations.
    SignUps,
    /// This organization: too many people added.
    PeopleAdded,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::PairLocked => "too many attempts for this account from this address",
            Refusal::AddressLocked => "too many failed attempts from this address",
            Refusal::AccountSlowed => "attempts for this account are being slowed",
            Refusal::DeviceLocked => "too many attempts from this known device",
            Refusal::SignUps => "too many sign-ups from this address",
            Refusal::PeopleAdded => "too many people added to this organization",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub reason: Refusal,
    pub retry_after_seconds: u64,
}

/// An attempt that was let through and counted.
#[derive(Debug, Clone)]
pub struct Attempt {
    subjects: Vec<String>,
    /// The address subject this attempt counted in memory.
    address: String,
    /// This attempt used up the pair's (or device's) allowance: if it fails,
    /// that is locked.
    pub locks_pair_if_failed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    count: u32,
    since: OffsetDateTime,
    /// Accounts only: the earliest next attempt while slowed.
    next_allowed: OffsetDateTime,
}

impl Window {
    /// The window as stored, if it is still running at `now`; else a new one.
    fn live(stored: Option<&StoredWindow>, length: Duration, now: OffsetDateTime) -> Window {
        let fresh = Window {
            count: 0,
            since: now,
            next_allowed: now,
        };
        let Some(stored) = stored else { return fresh };
        match (
            time_format::parse(&stored.since),
            time_format::parse(&stored.next_allowed),
        ) {
            (Some(since), Some(next_allowed)) if now - since < length => Window {
                count: u32::try_from(stored.count).unwrap_or(u32::MAX),
                since,
                next_allowed,
            },
            _ => fresh,
        }
    }

    /// What to store: nothing once it counts nothing.
    fn stored(self) -> Option<StoredWindow> {
        (self.count > 0).then(|| StoredWindow {
            count: i64::from(self.count),
            since: time_format::format(self.since),
            next_allowed: time_format::format(self.next_allowed),
        })
    }
}

/// How an address is counted: IPv4 as itself, IPv6 by its /64 (one
/// subscriber's block; counting single v6 addresses counts nothing).
pub fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn seconds_until(later: OffsetDateTime, now: OffsetDateTime) -> u64 {
    ((later - now).whole_seconds().max(1)) as u64
}

/// Counts an attempt against its windows, or refuses it. Without a known
/// device: pair, address and account; with one: that device alone.
fn count_sign_in(
    windows: &mut [Window],
    known_device: bool,
    now: OffsetDateTime,
) -> Result<bool, Throttled> {
    if known_device {
        let device = &mut windows[0];
        if device.count >= PAIR_LIMIT {
            return Err(Throttled {
                reason: Refusal::DeviceLocked,
                retry_after_seconds: seconds_until(device.since + WINDOW, now),
            });
        }
        device.count += 1;
        return Ok(device.count == PAIR_LIMIT);
    }
    let [pair, address, account] = windows else {
        unreachable!("three windows without a known device")
    };
    if pair.count >= PAIR_LIMIT {
        return Err(Throttled {
            reason: Refusal::PairLocked,
            retry_after_seconds: seconds_until(pair.since + WINDOW, now),
        });
    }
    if address.count >= ADDRESS_LIMIT {
        return Err(Throttled {
            reason: Refusal::AddressLocked,
            retry_after_seconds: seconds_until(address.since + WINDOW, now),
        });
    }
    if account.count >= ACCOUNT_SLOW_AFTER && now < account.next_allowed {
        return Err(Throttled {
            reason: Refusal::AccountSlowed,
            retry_after_seconds: seconds_until(account.next_allowed, now),
        });
    }
    pair.count += 1;
    address.count += 1;
    account.count += 1;
    account.next_allowed = now + ACCOUNT_SPACING;
    Ok(pair.count == PAIR_LIMIT)
}

pub struct Throttle {
    clock: SharedClock,
    storage: Storage,
    key: ServerKey,
    /// Address subject → (attempts counted as failures, since): this
    /// replica's view, consulted before the database.
    pre_filter: Mutex<HashMap<String, (u32, OffsetDateTime)>>,
}

type Windows = HashMap<String, Option<StoredWindow>>;

impl Throttle {
    pub fn new(clock: SharedClock, storage: Storage, key: ServerKey) -> Self {
        Throttle {
            clock,
            storage,
            key,
            pre_filter: Mutex::default(),
        }
    }

    /// A subject naming an account (or something of it): a MAC under the
    /// server key, never the address itself.
    fn subject(&self, kind: &str, parts: &[&str]) -> String {
        format!(
            "{kind}:{}",
            self.key.mac_hex("throttle", parts.join("\n").as_bytes())
        )
    }

    /// A known-device cookie value for the account behind `email`, given
    /// after a successful sign-in: a random id and its MAC with the account.
    pub fn device_cookie(&self, email: &str) -> String {
        let id = crate::auth::sessions::new_token();
        let tag = self
            .key
            .mac_hex("device", format!("{email}\n{id}").as_bytes());
        format!("{id}.{tag}")
    }

    /// The device id in `cookie` if it was given for `email`.
    fn known_device<'a>(&self, email: &str, cookie: Option<&'a str>) -> Option<&'a str> {
        let (id, tag) = cookie?.split_once('.')?;
        self.key
            .verify_hex("device", format!("{email}\n{id}").as_bytes(), tag)
            .then_some(id)
    }

    /// Lets a sign-in attempt through (counted as a failure until it
    /// succeeds) or refuses it. `email` is already normalised and bounded;
    /// `device` is the known-device cookie the browser sent, if any.
    pub async fn begin_sign_in(
        &self,
        email: &str,
        address: IpAddr,
        device: Option<&str>,
    ) -> Result<Result<Attempt, Throttled>, sqlx::Error> {
        let now = self.clock.now();
        let address_subject = format!("address:{}", address_key(address));
        let subjects: Vec<String> = match self.known_device(email, device) {
            Some(id) => vec![self.subject("device", &[email, id])],
            None => {
                if let Some(refused) = self.pre_filtered(&address_subject, now) {
                    return Ok(Err(refused));
                }
                vec![
                    self.subject("pair", &[email, &address_key(address)]),
                    address_subject.clone(),
                    self.subject("account", &[email]),
                ]
            }
        };
        let known_device = subjects.len() == 1;
        let names: Vec<&str> = subjects.iter().map(String::as_str).collect();
        let counted = self
            .storage
            .update_sign_in_windows(&names, |stored: &mut Windows| {
                let mut windows: Vec<Window> = subjects
                    .iter()
                    .map(|s| Window::live(stored[s].as_ref(), WINDOW, now))
                    .collect();
                let counted = count_sign_in(&mut windows, known_device, now)?;
                for (subject, window) in subjects.iter().zip(windows) {
                    stored.insert(subject.clone(), window.stored());
                }
                Ok(counted)
            })
            .await?;
        if counted.is_ok() && !known_device {
            self.note_in_pre_filter(&address_subject, now, 1);
        }
        Ok(counted.map(|locks_pair_if_failed| Attempt {
            subjects,
            address: address_subject,
            locks_pair_if_failed,
        }))
    }

    /// The in-memory verdict on an address, when it is already past its limit.
    fn pre_filtered(&self, address: &str, now: OffsetDateTime) -> Option<Throttled> {
        let seen = self.pre_filter.lock().expect("pre-filter lock");
        let (count, since) = seen.get(address)?;
        (*count >= ADDRESS_LIMIT && now - *since < WINDOW).then(|| Throttled {
            reason: Refusal::AddressLocked,
            retry_after_seconds: seconds_until(*since + WINDOW, now),
        })
    }

    fn note_in_pre_filter(&self, address: &str, now: OffsetDateTime, change: i64) {
        let mut seen = self.pre_filter.lock().expect("pre-filter lock");
        if seen.len() >= PRE_FILTER_CAPACITY && !seen.contains_key(address) {
            seen.clear();
        }
        let entry = seen.entry(address.to_string()).or_insert((0, now));
        if now - entry.1 >= WINDOW {
            *entry = (0, now);
        }
        entry.0 = u32::try_from((i64::from(entry.0) + change).max(0)).unwrap_or(u32::MAX);
    }

    /// The attempt proved the password: it was not a failure after all.
    pub async fn succeeded(&self, attempt: &Attempt) -> Result<(), sqlx::Error> {
        self.uncount(attempt, false).await
    }

    /// The attempt's password was never checked (every hashing slot was
    /// busy): it must not count as a guess at all.
    pub async fn not_checked(&self, attempt: &Attempt) -> Result<(), sqlx::Error> {
        self.uncount(attempt, true).await
    }

    async fn uncount(&self, attempt: &Attempt, only_this_attempt: bool) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        let s = &attempt.subjects;
        let names: Vec<&str> = s.iter().map(String::as_str).collect();
        self.storage
            .update_sign_in_windows(&names, |stored: &mut Windows| {
                for subject in s {
                    let mut w = Window::live(stored[subject].as_ref(), WINDOW, now);
                    // A success clears the account's and the pair's windows;
                    // the address keeps counting its other accounts' failures.
                    if only_this_attempt || *subject == attempt.address {
                        w.count = w.count.saturating_sub(1);
                        if subject.starts_with("account:") {
                            w.next_allowed = now;
                        }
                        stored.insert(subject.clone(), w.stored());
                    } else {
                        stored.insert(subject.clone(), None);
                    }
                }
            })
            .await?;
        if s.len() > 1 {
            self.note_in_pre_filter(&attempt.address, now, -1);
        }
        Ok(())
    }

    /// Lets a sign-up from `address` through, or refuses it.
    pub async fn begin_sign_up(
        &self,
        address: IpAddr,
    ) -> Result<Result<(), Throttled>, sqlx::Error> {
        let subject = format!("sign-up:{}", address_key(address));
        self.count_hourly(&subject, SIGN_UPS_PER_ADDRESS, Refusal::SignUps)
            .await
    }

    /// Lets one more person be added to `organization_id`, or refuses it.
    pub async fn begin_adding_person(
        &self,
        organization_id: &str,
    ) -> Result<Result<(), Throttled>, sqlx::Error> {
        let subject = format!("add-person:{organization_id}");
        self.count_hourly(&subject, PEOPLE_ADDED_PER_HOUR, Refusal::PeopleAdded)
            .await
    }

    async fn count_hourly(
        &self,
        subject: &str,
        limit: u32,
        reason: Refusal,
    ) -> Result<Result<(), Throttled>, sqlx::Error> {
        let now = self.clock.now();
        self.storage
            .update_sign_in_windows(&[subject], |stored: &mut Windows| {
                let mut w = Window::live(stored[subject].as_ref(), SIGN_UP_WINDOW, now);
                if w.count >= limit {
                    return Err(Throttled {
                        reason,
                        retry_after_seconds: seconds_until(w.since + SIGN_UP_WINDOW, now),
                    });
                }
                w.count += 1;
                stored.insert(subject.to_string(), w.stored());
                Ok(())
            })
            .await
    }

    /// Forgets windows that have ended (the longest is [`SIGN_UP_WINDOW`]).
    pub async fn sweep(&self) -> Result<(), sqlx::Error> {
        let before = time_format::format(self.clock.now() - SIGN_UP_WINDOW);
        self.storage.delete_ended_sign_in_windows(&before).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::Arc;

    /// A throttle on a real database of its own (dropped with the folder).
    async fn throttle() -> (Throttle, ManualClock, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let clock = ManualClock::new();
        let storage = Storage::open(&url, Arc::new(clock.clone())).await.unwrap();
        let key = ServerKey::new(crate::server_key::KeyText::random());
        (
            Throttle::new(Arc::new(clock.clone()), storage, key),
            clock,
            dir,
        )
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    async fn sign_in(t: &Throttle, email: &str, address: IpAddr) -> Result<Attempt, Throttled> {
        t.begin_sign_in(email, address, None).await.unwrap()
    }

    #[tokio::test]
    async fn a_pair_locks_after_its_limit_and_unlocks_when_the_window_ends() {
        let (t, clock, _dir) = throttle().await;
        for i in 0..PAIR_LIMIT {
            let a = sign_in(&t, "ada@x.io", ip(1)).await.unwrap();
            assert_eq!(a.locks_pair_if_failed, i == PAIR_LIMIT - 1);
        }
        let refused = sign_in(&t, "ada@x.io", ip(1)).await.unwrap_err();
        assert_eq!(refused.reason, Refusal::PairLocked);
        assert!(refused.retry_after_seconds > 0 && refused.retry_after_seconds <= 900);
        // The account still opens from another address: no lock-out by strangers.
        assert!(sign_in(&t, "ada@x.io", ip(2)).await.is_ok());
        clock.advance(WINDOW);
        assert!(sign_in(&t, "ada@x.io", ip(1)).await.is_ok());
    }

    #[tokio::test]
    async fn many_addresses_slow_an_account_but_never_lock_it() {
        let (t, clock, _dir) = throttle().await;
        for n in 0..ACCOUNT_SLOW_AFTER as u8 {
            sign_in(&t, "ada@x.io", ip(n)).await.unwrap();
        }
        let slowed = sign_in(&t, "ada@x.io", ip(200)).await.unwrap_err();
        assert_eq!(slowed.reason, Refusal::AccountSlowed);
        assert!(slowed.retry_after_seconds <= ACCOUNT_SPACING.whole_seconds() as u64);
        clock.advance(ACCOUNT_SPACING);
        let next = sign_in(&t, "ada@x.io", ip(200)).await.unwrap();
        t.succeeded(&next).await.unwrap();
        assert!(
            sign_in(&t, "ada@x.io", ip(201)).await.is_ok(),
            "success ends the slow-down"
        );
    }

    #[tokio::test]
    async fn a_known_device_is_not_slowed_by_strangers_elsewhere() {
        let (t, _clock, _dir) = throttle().await;
        let cookie = t.device_cookie("ada@x.io");
        for n in 0..ACCOUNT_SLOW_AFTER as u8 {
            sign_in(&t, "ada@x.io", ip(n)).await.unwrap();
        }
        let stranger = sign_in(&t, "ada@x.io", ip(200)).await.unwrap_err();
        assert_eq!(stranger.reason, Refusal::AccountSlowed);
        // Ada's own browser gets through, again and again.
        for _ in 0..3 {
            let own = t
                .begin_sign_in("ada@x.io", ip(201), Some(&cookie))
                .await
                .unwrap();
            t.succeeded(&own.unwrap()).await.unwrap();
        }
        // A device cookie of another account, or a forged one, is no pass.
        let bo = t.device_cookie("bo@x.io");
        for forged in [bo.as_str(), "abc.def", "nonsense"] {
            let refused = t
                .begin_sign_in("ada@x.io", ip(202), Some(forged))
                .await
                .unwrap();
            assert_eq!(
                refused.unwrap_err().reason,
                Refusal::AccountSlowed,
                "{forged}"
            );
        }
        // A stolen device cookie is itself bounded.
        for _ in 0..PAIR_LIMIT {
            t.begin_sign_in("ada@x.io", ip(203), Some(&cookie))
                .await
                .unwrap()
                .unwrap();
        }
        let locked = t
            .begin_sign_in("ada@x.io", ip(204), Some(&cookie))
            .await
            .unwrap();
        assert_eq!(locked.unwrap_err().reason, Refusal::DeviceLocked);
    }

    #[tokio::test]
    async fn ipv6_addresses_count_by_their_64_block() {
        let (t, _, _dir) = throttle().await;
        let v6 = |last: u16| IpAddr::from([0x2001, 0xdb8, 0, 7, 0, 0, 0, last]);
        for n in 0..ADDRESS_LIMIT {
            // A fresh address of the same /64 for every guess.
            sign_in(&t, &format!("p{n}@x.io"), v6(n as u16))
                .await
                .unwrap();
        }
        let refused = sign_in(&t, "another@x.io", v6(999)).await.unwrap_err();
        assert_eq!(refused.reason, Refusal::AddressLocked);
        let other_block = IpAddr::from([0x2001, 0xdb8, 0, 8, 0, 0, 0, 1]);
        assert!(sign_in(&t, "another@x.io", other_block).await.is_ok());
        assert_eq!(
            address_key("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1"
        );
    }

    #[tokio::test]
    async fn an_attempt_whose_password_was_never_checked_does_not_count() {
        let (t, _, _dir) = throttle().await;
        for _ in 0..PAIR_LIMIT * 3 {
            let a = sign_in(&t, "ada@x.io", ip(1)).await.unwrap();
            t.not_checked(&a).await.unwrap();
        }
        assert!(sign_in(&t, "ada@x.io", ip(1)).await.is_ok());
    }

    #[tokio::test]
    async fn an_address_past_its_limit_is_refused_from_memory_without_the_database() {
        let (t, _, _dir) = throttle().await;
        for n in 0..ADDRESS_LIMIT {
            sign_in(&t, &format!("p{n}@x.io"), ip(9)).await.unwrap();
        }
        // With the database gone, the refusal still comes, from memory.
        t.storage.close().await;
        let refused = t
            .begin_sign_in("another@x.io", ip(9), None)
            .await
            .expect("answered without the database");
        assert_eq!(refused.unwrap_err().reason, Refusal::AddressLocked);
        assert!(
            t.begin_sign_in("another@x.io", ip(10), None).await.is_err(),
            "others still read it"
        );
    }

    #[tokio::test]
    async fn one_address_cannot_spray_many_accounts() {
        let (t, _, _dir) = throttle().await;
        for n in 0..ADDRESS_LIMIT {
            sign_in(&t, &format!("p{n}@x.io"), ip(9)).await.unwrap();
        }
        let refused = sign_in(&t, "another@x.io", ip(9)).await.unwrap_err();
        assert_eq!(refused.reason, Refusal::AddressLocked);
    }

    #[tokio::test]
    async fn ended_windows_are_swept_and_emails_are_never_stored() {
        let (t, clock, dir) = throttle().await;
        sign_in(&t, "ada@x.io", ip(1)).await.unwrap();
        t.begin_sign_up(ip(1)).await.unwrap().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let count = || sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sign_in_windows");
        let subjects: Vec<String> = sqlx::query_scalar("SELECT subject FROM sign_in_windows")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(subjects.len(), 4, "{subjects:?}");
        // The address itself, not its letters: a hex digest may well hold "ada".
        assert!(
            subjects.iter().all(|s| !s.contains("ada@x.io")),
            "{subjects:?}"
        );
        t.sweep().await.unwrap();
        assert_eq!(count().fetch_one(&pool).await.unwrap(), 4, "still running");
        clock.advance(SIGN_UP_WINDOW + Duration::seconds(1));
        t.sweep().await.unwrap();
        assert_eq!(count().fetch_one(&pool).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn sign_ups_are_limited_per_address() {
        let (t, _, _dir) = throttle().await;
        for _ in 0..SIGN_UPS_PER_ADDRESS {
            t.begin_sign_up(ip(1)).await.unwrap().unwrap();
        }
        let refused = t.begin_sign_up(ip(1)).await.unwrap().unwrap_err();
        assert_eq!(refused.reason, Refusal::SignUps);
        assert!(t.begin_sign_up(ip(2)).await.unwrap().is_ok());
    }
}
