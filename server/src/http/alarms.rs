//! Alarms raised by a request, written after its answer and at most once a
//! minute per subject on each replica: a system calling from the wrong
//! place, or someone hammering a decoy they found, calls often, and one
//! alarm a minute says so without a write (and an event, and emails) per
//! request.
//! - `api_key.network_refused`: a key used from outside its allowed
//!   networks; once a minute per key.
//! - `api_key.decoy_used`: a decoy's secret presented; once a minute per key
//!   and address, so a new address always raises one at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::AppState;

/// When each subject last raised an alarm (unix minute).
#[derive(Default)]
pub struct Alarms {
    last: Mutex<HashMap<String, i64>>,
}

impl Alarms {
    /// Whether `subject` may raise one now (unix minute `minute`).
    fn due(&self, subject: String, minute: i64) -> bool {
        let mut last = self.last.lock().expect("alarms");
        // Bounded: subjects from earlier minutes are due again anyway.
        if last.len() > 100_000 {
            last.retain(|_, m| *m == minute);
        }
        match last.insert(subject, minute) {
            Some(previous) => previous != minute,
            None => true,
        }
    }
}

fn this_minute(state: &AppState) -> i64 {
    state.clock.now().unix_timestamp().div_euclid(60)
}

/// Raises the alarm for `key_id` used from `address` (`enforced`: refused).
pub fn network_refused(state: &AppState, key_id: &str, address: IpAddr, enforced: bool) {
    if !state
        .alarms
        .due(format!("network {key_id}"), this_minute(state))
    {
        return;
    }
    let (storage, key_id) = (state.storage.clone(), key_id.to_string());
    tokio::spawn(async move {
        if let Err(e) = storage
            .network_refused(&key_id, &address.to_string(), enforced)
            .await
        {
            tracing::warn!(error = %e, "could not raise a network alarm");
        }
    });
}

/// Raises the alarm for decoy `key_id` presented from `address`.
pub fn decoy_used(state: &AppState, key_id: &str, address: IpAddr, user_agent: Option<String>) {
    let subject = format!("decoy {key_id} {address}");
    if !state.alarms.due(subject, this_minute(state)) {
        return;
    }
    let (storage, key_id) = (state.storage.clone(), key_id.to_string());
    tokio::spawn(async move {
        if let Err(e) = storage
            .decoy_used(&key_id, &address.to_string(), user_agent.as_deref())
            .await
        {
            tracing::warn!(error = %e, "could not raise a decoy's alarm");
        }
    });
}
