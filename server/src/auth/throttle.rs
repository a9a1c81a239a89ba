//! Bounds on guessing. Every sign-in attempt is counted *before* its password
//! is checked (so a burst of parallel attempts cannot slip past the limit),
//! against three things:
//!
//! - the (account, address) pair: [`PAIR_LIMIT`] attempts per window, then
//!   that pair is locked until the window ends. This is the lock an attacker
//!   meets; it does not lock the account for anyone else.
//! - the client address: [`ADDRESS_LIMIT`] failed attempts per window across
//!   all accounts (one address spraying many accounts).
//! - the account, from any address: after [`ACCOUNT_SLOW_AFTER`] failures in
//!   a window, attempts are spaced [`ACCOUNT_SPACING`] apart. Slowed, never
//!   blocked: a stranger cannot lock a chosen person out for good.
//!
//! Sign-ups are limited per address too. The windows live in the database
//! (`storage::sign_in_windows`), so every replica counts the same attempts,
//! and are counted under the write lock; the server's memory holds none of
//! them whatever is sent. Emails are length-checked before they get here and
//! stored only as digests; ended windows are swept away with ended sessions.

use std::collections::HashMap;
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

use crate::clock::SharedClock;
use crate::storage::{Storage, StoredWindow};
use crate::time_format;

pub const WINDOW: Duration = Duration::minutes(15);
pub const PAIR_LIMIT: u32 = 5;
pub const ADDRESS_LIMIT: u32 = 30;
pub const ACCOUNT_SLOW_AFTER: u32 = 10;
pub const ACCOUNT_SPACING: Duration = Duration::seconds(10);
pub const SIGN_UP_WINDOW: Duration = Duration::hours(1);
pub const SIGN_UPS_PER_ADDRESS: u32 = 10;

/// Why an attempt was refused before anything was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This account from this address: too many attempts.
    PairLocked,
    /// This address: too many failed attempts across accounts.
    AddressLocked,
    /// This account: attempts are being spaced out.
    AccountSlowed,
    /// This address: too many new organizations.
    SignUps,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::PairLocked => "too many attempts for this account from this address",
            Refusal::AddressLocked => "too many failed attempts from this address",
            Refusal::AccountSlowed => "attempts for this account are being slowed",
            Refusal::SignUps => "too many sign-ups from this address",
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
    subjects: SignInSubjects,
    /// This attempt used up the pair's allowance: if it fails, the pair is locked.
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

/// Where an attempt is counted: emails only as digests.
#[derive(Debug, Clone)]
struct SignInSubjects {
    pair: String,
    address: String,
    account: String,
}

impl SignInSubjects {
    fn of(email: &str, address: IpAddr) -> Self {
        SignInSubjects {
            pair: format!("pair:{}", digest(&format!("{email} {address}"))),
            address: format!("address:{address}"),
            account: format!("account:{}", digest(email)),
        }
    }

    fn all(&self) -> [&str; 3] {
        [&self.pair, &self.address, &self.account]
    }
}

fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn seconds_until(later: OffsetDateTime, now: OffsetDateTime) -> u64 {
    ((later - now).whole_seconds().max(1)) as u64
}

/// Counts an attempt against its three windows, or refuses it.
fn count_sign_in(
    pair: &mut Window,
    address: &mut Window,
    account: &mut Window,
    now: OffsetDateTime,
) -> Result<bool, Throttled> {
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
}

type Windows = HashMap<String, Option<StoredWindow>>;

impl Throttle {
    pub fn new(clock: SharedClock, storage: Storage) -> Self {
        Throttle { clock, storage }
    }

    /// Lets a sign-in attempt through (counted as a failure until it
    /// succeeds) or refuses it. `email` is already normalised and bounded.
    pub async fn begin_sign_in(
        &self,
        email: &str,
        address: IpAddr,
    ) -> Result<Result<Attempt, Throttled>, sqlx::Error> {
        let now = self.clock.now();
        let subjects = SignInSubjects::of(email, address);
        let counted = self
            .storage
            .update_sign_in_windows(&subjects.all(), |stored: &mut Windows| {
                let live = |subject: &str| Window::live(stored[subject].as_ref(), WINDOW, now);
                let (mut pair, mut by_address, mut account) = (
                    live(&subjects.pair),
                    live(&subjects.address),
                    live(&subjects.account),
                );
                let counted = count_sign_in(&mut pair, &mut by_address, &mut account, now)?;
                stored.insert(subjects.pair.clone(), pair.stored());
                stored.insert(subjects.address.clone(), by_address.stored());
                stored.insert(subjects.account.clone(), account.stored());
                Ok(counted)
            })
            .await?;
        Ok(counted.map(|locks_pair_if_failed| Attempt {
            subjects,
            locks_pair_if_failed,
        }))
    }

    /// The attempt proved the password: it was not a failure after all.
    pub async fn succeeded(&self, attempt: &Attempt) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        let s = &attempt.subjects;
        self.storage
            .update_sign_in_windows(&s.all(), |stored: &mut Windows| {
                let mut address = Window::live(stored[&s.address].as_ref(), WINDOW, now);
                address.count = address.count.saturating_sub(1);
                stored.insert(s.address.clone(), address.stored());
                stored.insert(s.pair.clone(), None);
                stored.insert(s.account.clone(), None);
            })
            .await
    }

    /// Lets a sign-up from `address` through, or refuses it.
    pub async fn begin_sign_up(
        &self,
        address: IpAddr,
    ) -> Result<Result<(), Throttled>, sqlx::Error> {
        let now = self.clock.now();
        let subject = format!("sign-up:{address}");
        self.storage
            .update_sign_in_windows(&[&subject], |stored: &mut Windows| {
                let mut w = Window::live(stored[&subject].as_ref(), SIGN_UP_WINDOW, now);
                if w.count >= SIGN_UPS_PER_ADDRESS {
                    return Err(Throttled {
                        reason: Refusal::SignUps,
                        retry_after_seconds: seconds_until(w.since + SIGN_UP_WINDOW, now),
                    });
                }
                w.count += 1;
                stored.insert(subject.clone(), w.stored());
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
        let storage = Storage::open(&url).await.unwrap();
        let clock = ManualClock::new();
        (Throttle::new(Arc::new(clock.clone()), storage), clock, dir)
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    async fn sign_in(t: &Throttle, email: &str, address: IpAddr) -> Result<Attempt, Throttled> {
        t.begin_sign_in(email, address).await.unwrap()
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
        assert!(subjects.iter().all(|s| !s.contains("ada")), "{subjects:?}");
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
