//! The time, as the server reads it. Session lifetimes and throttling windows
//! are decided with this clock, so tests can move it forward instead of
//! waiting half an hour.

use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that tests move: it stays where it is told to be, except that
/// each reading is a microsecond later than the one before, as a real
/// clock's readings are (so things stamped one after another keep their
/// order, as the audit trail's does).
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    pub fn new() -> Self {
        ManualClock(Arc::new(Mutex::new(OffsetDateTime::now_utc())))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        let mut now = self.0.lock().expect("clock lock");
        let reading = *now;
        *now += Duration::microseconds(1);
        reading
    }
}

pub type SharedClock = Arc<dyn Clock>;
