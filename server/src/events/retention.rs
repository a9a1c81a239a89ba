//! Events are kept [`KEPT_DAYS`] by default (`--events-kept-days`), then
//! deleted with their deliveries and mail: the outbox would otherwise grow
//! with every change forever. A month is what the field keeps (Stripe keeps
//! events 30 days) and far beyond the last retry (about a day and a half
//! after the event). A replay reaches back as far. Each replica sweeps; a
//! sweep deleting what another already deleted deletes nothing.

use std::time::Duration;

use crate::clock::SharedClock;
use crate::storage::Storage;
use crate::time_format;

/// How many days events are kept unless the operator says otherwise.
pub const KEPT_DAYS: u32 = 30;

/// How often events past their time are looked for.
pub const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// The oldest moment still kept, `kept_days` before now.
pub fn first_kept(clock: &SharedClock, kept_days: u32) -> time::OffsetDateTime {
    clock.now() - time::Duration::days(kept_days.into())
}

/// Runs until the storage closes; the first sweep is at once.
pub fn spawn(storage: Storage, clock: SharedClock, kept_days: u32, every: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if storage.is_closed() {
                return;
            }
            let before = time_format::format(first_kept(&clock, kept_days));
            match storage.delete_events_before(&before).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, kept_days, "deleted events past their time"),
                Err(e) if !storage.is_closed() => {
                    tracing::warn!(error = %e, "could not delete old events")
                }
                Err(_) => return,
            }
        }
    });
}
