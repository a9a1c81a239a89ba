//! Sign-in throttling: after too many failures for one email in a window,
//! further attempts answer 429 with `Retry-After` until the window ends.
//! In memory: each replica throttles on its own, which still bounds guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl SignInThrottle {
    /// `Some(seconds to wait)` when `email` is locked out now.
    pub fn retry_after(&self, email: &str) -> Option<u64> {
        let map = self.failures.lock().expect("throttle lock");
        let (count, since) = map.get(email)?;
        let elapsed = since.elapsed();
        (*count >= MAX_FAILURES && elapsed < WINDOW).then(|| (WINDOW - elapsed).as_secs().max(1))
    }

    pub fn record_failure(&self, email: &str) {
        let mut map = self.failures.lock().expect("throttle lock");
        // Forget expired windows so the map stays bounded by recent activity.
        map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        let entry = map.entry(email.to_string()).or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    pub fn record_success(&self, email: &str) {
        self.failures.lock().expect("throttle lock").remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_success_resets() {
        let t = SignInThrottle::default();
        for _ in 0..MAX_FAILURES - 1 {
            t.record_failure("a@x.io");
        }
        assert_eq!(t.retry_after("a@x.io"), None);
        t.record_failure("a@x.io");
        assert!(t.retry_after("a@x.io").unwrap() > 0);
        assert_eq!(
            t.retry_after("b@x.io"),
            None,
            "other people are not affected"
        );
        t.record_success("a@x.io");
        assert_eq!(t.retry_after("a@x.io"), None);
    }
}
