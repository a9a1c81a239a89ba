//! When each key was last used. A key check must never wait for, or fail
//! because of, a database write, so uses are noted in memory and written in
//! the background every [`FLUSH_EVERY`] (and at shutdown). A failed write is
//! logged and retried with the next flush. Reads of a key on this server
//! see its newest use at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::storage::Storage;

pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

pub struct Usage {
    storage: Storage,
    /// key id → last use (fixed-width time text), not yet written.
    pending: Mutex<HashMap<String, String>>,
}

impl Usage {
    pub fn new(storage: Storage) -> Arc<Self> {
        Arc::new(Usage {
            storage,
            pending: Mutex::new(HashMap::new()),
        })
    }

    /// Notes a use; cheap, never fails.
    pub fn record(&self, key_id: &str, at: &str) {
        let mut pending = self.pending.lock().expect("usage lock");
        match pending.get_mut(key_id) {
            Some(last) if last.as_str() >= at => {}
            Some(last) => *last = at.to_string(),
            None => {
                pending.insert(key_id.to_string(), at.to_string());
            }
        }
    }

    /// The newer of `stored` and a use not yet written.
    pub fn last_used(&self, key_id: &str, stored: Option<String>) -> Option<String> {
        let pending = self.pending.lock().expect("usage lock");
        match (pending.get(key_id), stored) {
            (Some(p), Some(s)) => Some(if *p > s { p.clone() } else { s }),
            (Some(p), None) => Some(p.clone()),
            (None, s) => s,
        }
    }

    /// Writes what is pending; what fails stays pending for the next time.
    pub async fn flush(&self) {
        let batch: Vec<(String, String)> = {
            let mut pending = self.pending.lock().expect("usage lock");
            pending.drain().collect()
        };
        if batch.is_empty() {
            return;
        }
        if let Err(e) = self.storage.record_last_used(&batch).await {
            tracing::warn!(error = %e, keys = batch.len(), "could not record key use; will retry");
            for (key, at) in batch {
                self.record(&key, &at);
            }
        }
    }

    pub fn spawn_flusher(self: &Arc<Self>) {
        let usage = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FLUSH_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                let Some(usage) = usage.upgrade() else { return };
                usage.flush().await;
            }
        });
    }
}
