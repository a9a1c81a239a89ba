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
//! Sign-ups are limited per address too. Memory stays bounded whatever is
//! sent: each table holds at most [`MAX_TRACKED`] entries (ended windows go
//! first, then the oldest), and emails are length-checked before they get here.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

use crate::clock::SharedClock;

pub const WINDOW: Duration = Duration::minutes(15);
pub const PAIR_LIMIT: u32 = 5;
pub const ADDRESS_LIMIT: u32 = 30;
pub const ACCOUNT_SLOW_AFTER: u32 = 10;
pub const ACCOUNT_SPACING: Duration = Duration::seconds(10);
pub const SIGN_UP_WINDOW: Duration = Duration::hours(1);
pub const SIGN_UPS_PER_ADDRESS: u32 = 10;
pub const MAX_TRACKED: usize = 10_000;

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
    email: String,
    address: IpAddr,
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

/// A bounded table of windows.
struct Windows<K> {
    length: Duration,
    entries: HashMap<K, Window>,
}

impl<K: Eq + Hash + Clone> Windows<K> {
    fn new(length: Duration) -> Self {
        Windows {
            length,
            entries: HashMap::new(),
        }
    }

    /// The live window for `key` (a new one if there is none or it ended).
    fn get(&mut self, key: &K, now: OffsetDateTime) -> &mut Window {
        let length = self.length;
        let ended = |w: &Window| now - w.since >= length;
        if !self.entries.contains_key(key) && self.entries.len() >= MAX_TRACKED {
            self.entries.retain(|_, w| !ended(w));
            if self.entries.len() >= MAX_TRACKED {
                // Still full of live windows (a flood of new names): forget the
                // oldest tenth at once, so a flood costs O(log n) per attempt.
                let mut starts: Vec<OffsetDateTime> =
                    self.entries.values().map(|w| w.since).collect();
                let cut = MAX_TRACKED / 10;
                let (_, cutoff, _) = starts.select_nth_unstable(cut);
                let cutoff = *cutoff;
                self.entries.retain(|_, w| w.since > cutoff);
            }
        }
        let w = self.entries.entry(key.clone()).or_insert(Window {
            count: 0,
            since: now,
            next_allowed: now,
        });
        if ended(w) {
            *w = Window {
                count: 0,
                since: now,
                next_allowed: now,
            };
        }
        w
    }

    fn peek(&self, key: &K, now: OffsetDateTime) -> Option<Window> {
        self.entries
            .get(key)
            .copied()
            .filter(|w| now - w.since < self.length)
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

struct State {
    pairs: Windows<(String, IpAddr)>,
    addresses: Windows<IpAddr>,
    accounts: Windows<String>,
    sign_ups: Windows<IpAddr>,
}

pub struct Throttle {
    clock: SharedClock,
    state: Mutex<State>,
}

fn seconds_until(later: OffsetDateTime, now: OffsetDateTime) -> u64 {
    ((later - now).whole_seconds().max(1)) as u64
}

impl Throttle {
    pub fn new(clock: SharedClock) -> Self {
        Throttle {
            clock,
            state: Mutex::new(State {
                pairs: Windows::new(WINDOW),
                addresses: Windows::new(WINDOW),
                accounts: Windows::new(WINDOW),
                sign_ups: Windows::new(SIGN_UP_WINDOW),
            }),
        }
    }

    /// Lets a sign-in attempt through (counted as a failure until it
    /// succeeds) or refuses it. `email` is already normalised and bounded.
    pub fn begin_sign_in(&self, email: &str, address: IpAddr) -> Result<Attempt, Throttled> {
        let now = self.clock.now();
        let mut s = self.state.lock().expect("throttle lock");
        let pair_key = (email.to_string(), address);
        if let Some(w) = s
            .pairs
            .peek(&pair_key, now)
            .filter(|w| w.count >= PAIR_LIMIT)
        {
            return Err(Throttled {
                reason: Refusal::PairLocked,
                retry_after_seconds: seconds_until(w.since + WINDOW, now),
            });
        }
        if let Some(w) = s
            .addresses
            .peek(&address, now)
            .filter(|w| w.count >= ADDRESS_LIMIT)
        {
            return Err(Throttled {
                reason: Refusal::AddressLocked,
                retry_after_seconds: seconds_until(w.since + WINDOW, now),
            });
        }
        let account_key = email.to_string();
        if let Some(w) = s
            .accounts
            .peek(&account_key, now)
            .filter(|w| w.count >= ACCOUNT_SLOW_AFTER && now < w.next_allowed)
        {
            return Err(Throttled {
                reason: Refusal::AccountSlowed,
                retry_after_seconds: seconds_until(w.next_allowed, now),
            });
        }
        let pair = s.pairs.get(&pair_key, now);
        pair.count += 1;
        let locks_pair_if_failed = pair.count == PAIR_LIMIT;
        s.addresses.get(&address, now).count += 1;
        let account = s.accounts.get(&account_key, now);
        account.count += 1;
        account.next_allowed = now + ACCOUNT_SPACING;
        Ok(Attempt {
            email: account_key,
            address,
            locks_pair_if_failed,
        })
    }

    /// The attempt proved the password: it was not a failure after all.
    pub fn succeeded(&self, attempt: &Attempt) {
        let now = self.clock.now();
        let mut s = self.state.lock().expect("throttle lock");
        s.pairs
            .entries
            .remove(&(attempt.email.clone(), attempt.address));
        s.accounts.entries.remove(&attempt.email);
        let address = s.addresses.get(&attempt.address, now);
        address.count = address.count.saturating_sub(1);
    }

    /// Lets a sign-up from `address` through, or refuses it.
    pub fn begin_sign_up(&self, address: IpAddr) -> Result<(), Throttled> {
        let now = self.clock.now();
        let mut s = self.state.lock().expect("throttle lock");
        let w = s.sign_ups.get(&address, now);
        if w.count >= SIGN_UPS_PER_ADDRESS {
            return Err(Throttled {
                reason: Refusal::SignUps,
                retry_after_seconds: seconds_until(w.since + SIGN_UP_WINDOW, now),
            });
        }
        w.count += 1;
        Ok(())
    }

    /// How many entries are tracked (memory bound checks).
    pub fn tracked(&self) -> usize {
        let s = self.state.lock().expect("throttle lock");
        s.pairs.len() + s.addresses.len() + s.accounts.len() + s.sign_ups.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::Arc;

    fn throttle() -> (Throttle, ManualClock) {
        let clock = ManualClock::new();
        (Throttle::new(Arc::new(clock.clone())), clock)
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    #[test]
    fn a_pair_locks_after_its_limit_and_unlocks_when_the_window_ends() {
        let (t, clock) = throttle();
        for i in 0..PAIR_LIMIT {
            let a = t.begin_sign_in("ada@x.io", ip(1)).unwrap();
            assert_eq!(a.locks_pair_if_failed, i == PAIR_LIMIT - 1);
        }
        let refused = t.begin_sign_in("ada@x.io", ip(1)).unwrap_err();
        assert_eq!(refused.reason, Refusal::PairLocked);
        assert!(refused.retry_after_seconds > 0 && refused.retry_after_seconds <= 900);
        // The account still opens from another address: no lock-out by strangers.
        assert!(t.begin_sign_in("ada@x.io", ip(2)).is_ok());
        clock.advance(WINDOW);
        assert!(t.begin_sign_in("ada@x.io", ip(1)).is_ok());
    }

    #[test]
    fn many_addresses_slow_an_account_but_never_lock_it() {
        let (t, clock) = throttle();
        for n in 0..ACCOUNT_SLOW_AFTER as u8 {
            t.begin_sign_in("ada@x.io", ip(n)).unwrap();
        }
        let slowed = t.begin_sign_in("ada@x.io", ip(200)).unwrap_err();
        assert_eq!(slowed.reason, Refusal::AccountSlowed);
        assert!(slowed.retry_after_seconds <= ACCOUNT_SPACING.whole_seconds() as u64);
        clock.advance(ACCOUNT_SPACING);
        let next = t.begin_sign_in("ada@x.io", ip(200)).unwrap();
        t.succeeded(&next);
        assert!(
            t.begin_sign_in("ada@x.io", ip(201)).is_ok(),
            "success ends the slow-down"
        );
    }

    #[test]
    fn one_address_cannot_spray_many_accounts() {
        let (t, _) = throttle();
        for n in 0..ADDRESS_LIMIT {
            t.begin_sign_in(&format!("p{n}@x.io"), ip(9)).unwrap();
        }
        let refused = t.begin_sign_in("another@x.io", ip(9)).unwrap_err();
        assert_eq!(refused.reason, Refusal::AddressLocked);
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_new_names() {
        let (t, _) = throttle();
        for n in 0..(MAX_TRACKED as u32 * 2) {
            let address = IpAddr::from((n + 1).to_be_bytes());
            let _ = t.begin_sign_in(&format!("user{n}@x.io"), address);
        }
        assert!(t.tracked() <= 3 * MAX_TRACKED, "{}", t.tracked());
    }

    #[test]
    fn sign_ups_are_limited_per_address() {
        let (t, _) = throttle();
        for _ in 0..SIGN_UPS_PER_ADDRESS {
            t.begin_sign_up(ip(1)).unwrap();
        }
        assert_eq!(t.begin_sign_up(ip(1)).unwrap_err().reason, Refusal::SignUps);
        assert!(t.begin_sign_up(ip(2)).is_ok());
    }
}
