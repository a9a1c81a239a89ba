//! `api_key.network_refused`, raised when a key is used from outside its
//! allowed networks, at most once a minute per key on each replica (a
//! system calling from the wrong place calls often; one alarm a minute
//! says so without a write per request). Written after the answer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::AppState;

#[derive(Default)]
pub struct NetworkAlarms {
    last: Mutex<HashMap<String, i64>>,
}

impl NetworkAlarms {
    /// Whether key `key_id` may raise one now (unix minute `minute`).
    fn due(&self, key_id: &str, minute: i64) -> bool {
        let mut last = self.last.lock().expect("network alarms");
        if last.len() > 100_000 {
            last.retain(|_, m| *m == minute);
        }
        match last.insert(key_id.to_string(), minute) {
            Some(previous) => previous != minute,
            None => true,
        }
    }
}

/// Raises the alarm for `key_id` used from `address` (`enforced`: refused).
pub fn raise(state: &AppState, key_id: &str, address: IpAddr, enforced: bool) {
    let minute = state.clock.now().unix_timestamp().div_euclid(60);
    if !state.network_alarms.due(key_id, minute) {
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
