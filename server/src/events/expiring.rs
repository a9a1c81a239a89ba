//! `api_key.expiring`: 30, 7 and 1 days before a key's secret expires,
//! once per key, secret and threshold. Looked for at start-up and then every
//! minute, so a crossing is noticed within a minute; each replica looks,
//! and the first to write the notice sends the event.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use keydesk_contract::events::EXPIRING_THRESHOLDS_DAYS;

use crate::clock::SharedClock;
use crate::storage::Storage;
use crate::time_format;
use crate::usage::Usage;

/// How often crossings are looked for.
pub const CHECK_EVERY: Duration = Duration::from_secs(60);

/// Runs until the storage closes.
pub fn spawn(storage: Storage, clock: SharedClock, usage: Arc<Usage>, every: Duration) {
    tokio::spawn(async move {
        // The first tick is at once: crossings while the server was down
        // are noticed at start-up.
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if storage.is_closed() {
                return;
            }
            if let Err(e) = notice_crossings(&storage, &clock, &usage).await {
                if !storage.is_closed() {
                    tracing::warn!(error = %e, "could not look for keys about to expire");
                }
            }
        }
    });
}

/// The threshold a key `remaining` from expiry has crossed last, and the
/// wider ones crossed with it (a 5-day key crosses 30 and 7 at once and
/// gets one event, for 7).
pub fn crossed(remaining: time::Duration) -> Option<(i64, Vec<i64>)> {
    let mut crossed: Vec<i64> = EXPIRING_THRESHOLDS_DAYS
        .into_iter()
        .filter(|days| remaining <= time::Duration::days(*days))
        .collect();
    crossed.sort_unstable();
    let tightest = *crossed.first()?;
    Some((tightest, crossed.split_off(1)))
}

/// Sends every `api_key.expiring` due now; answers how many.
pub async fn notice_crossings(
    storage: &Storage,
    clock: &SharedClock,
    usage: &Usage,
) -> Result<u32, sqlx::Error> {
    let now = clock.now();
    let widest = EXPIRING_THRESHOLDS_DAYS.into_iter().max().unwrap_or(30);
    let keys = storage
        .keys_expiring_by(
            &time_format::format(now),
            &time_format::format(now + time::Duration::days(widest)),
        )
        .await?;
    let first_day = crate::usage::window(now, Some(7))
        .ok()
        .and_then(|w| w.first().cloned())
        .unwrap_or_default();
    let mut written: HashMap<String, HashMap<String, u64>> = HashMap::new();
    let mut sent = 0;
    for mut key in keys {
        let Some(expires) = time_format::parse(&key.expires_at) else {
            continue;
        };
        let Some((days, passed)) = crossed(expires - now) else {
            continue;
        };
        // A read first: most minutes, every crossing was noticed already.
        if storage.expiring_noticed(&key, days).await? {
            continue;
        }
        if !written.contains_key(&key.organization_id) {
            let counts = storage
                .requests_since(&key.organization_id, &first_day)
                .await?;
            written.insert(key.organization_id.clone(), counts);
        }
        key.last_used_at = usage.last_used(&key.id, key.last_used_at.take());
        let mut pending = Vec::new();
        usage.merge_days(&key.id, &first_day, &mut pending);
        let requests = written[&key.organization_id]
            .get(&key.id)
            .copied()
            .unwrap_or(0)
            + pending.iter().map(|d| d.requests).sum::<u64>();
        if storage
            .notice_expiring(&key, days, &passed, requests)
            .await?
        {
            sent += 1;
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_crossed_threshold_is_sent_and_wider_ones_are_passed() {
        let days = time::Duration::days;
        assert_eq!(crossed(days(45)), None);
        assert_eq!(crossed(days(30)), Some((30, vec![])));
        assert_eq!(crossed(days(20)), Some((30, vec![])));
        assert_eq!(crossed(days(5)), Some((7, vec![30])));
        assert_eq!(crossed(time::Duration::hours(3)), Some((1, vec![7, 30])));
    }
}
