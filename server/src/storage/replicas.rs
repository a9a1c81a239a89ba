//! Keeping replicas' key-check memories true. Each replica remembers recent
//! key checks (`key_cache`); on PostgreSQL, a write that could change an
//! answer also announces what to forget on the `keydesk_forget` channel, in
//! its own transaction, so the announcement goes out exactly when the write
//! commits (`NOTIFY` is transactional). Every replica listens and forgets.
//!
//! The writing replica acknowledges a write only once it has heard its own
//! announcement back: PostgreSQL signals every listener at the same commit,
//! so by then the other replicas have it too (bounded by a short wait, in
//! case the listening connection is down).
//!
//! While a replica is not listening (starting, or its listening connection
//! lost), it remembers nothing and every key check reads the database:
//! announcements missed meanwhile cannot leave a stale answer behind.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::sync::oneshot;

use sqlx::postgres::PgListener;
use sqlx::{Any, Transaction};

use super::key_cache::KeyCache;
use super::{Engine, Storage};

const CHANNEL: &str = "keydesk_forget";

/// How long a write waits to hear its own announcement back.
const ECHO_WAIT: Duration = Duration::from_secs(2);

/// This replica's announcements awaiting their echo.
pub(super) struct Announcer {
    /// Tells this replica's announcements from others'.
    replica: u64,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<()>>>,
}

impl Default for Announcer {
    fn default() -> Self {
        Announcer {
            replica: rand::thread_rng().gen(),
            next: AtomicU64::new(0),
            waiting: Mutex::default(),
        }
    }
}

impl Announcer {
    /// A payload for `what`, and what resolves when it is heard back.
    fn announce(&self, what: Forget<'_>) -> (String, oneshot::Receiver<()>) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let (heard, echo) = oneshot::channel();
        self.waiting
            .lock()
            .expect("announcer lock")
            .insert(n, heard);
        (format!("{:x}.{n} {}", self.replica, what.payload()), echo)
    }

    fn withdraw(&self, payload: &str) {
        if let Some((replica, n)) = sender_of(payload) {
            if replica == self.replica {
                self.waiting.lock().expect("announcer lock").remove(&n);
            }
        }
    }

    fn heard(&self, payload: &str) {
        if let Some((replica, n)) = sender_of(payload) {
            if replica == self.replica {
                if let Some(heard) = self.waiting.lock().expect("announcer lock").remove(&n) {
                    let _ = heard.send(());
                }
            }
        }
    }
}

/// `(replica, sequence)` of a payload `"<replica hex>.<n> <what>"`.
fn sender_of(payload: &str) -> Option<(u64, u64)> {
    let (sender, _) = payload.split_once(' ')?;
    let (replica, n) = sender.split_once('.')?;
    Some((u64::from_str_radix(replica, 16).ok()?, n.parse().ok()?))
}

/// What a write makes the key check forget.
#[derive(Debug, Clone, Copy)]
pub(super) enum Forget<'a> {
    /// Every secret of this key.
    Key(&'a str),
    /// Every key of this organization (a role changed).
    Organization(&'a str),
}

impl Forget<'_> {
    fn payload(self) -> String {
        match self {
            Forget::Key(id) => format!("key:{id}"),
            Forget::Organization(id) => format!("organization:{id}"),
        }
    }

    fn apply(self, cache: &KeyCache) {
        match self {
            Forget::Key(id) => cache.forget_key(id),
            Forget::Organization(id) => cache.forget_organization(id),
        }
    }
}

/// Applies an announcement received from any replica (this one included).
fn apply_payload(cache: &KeyCache, payload: &str) {
    let what = payload.split_once(' ').map_or(payload, |(_, what)| what);
    match what.split_once(':') {
        Some(("key", id)) => Forget::Key(id).apply(cache),
        Some(("organization", id)) => Forget::Organization(id).apply(cache),
        // From a newer version: forgetting everything is always safe.
        _ => cache.forget_all(),
    }
}

impl Storage {
    /// Commits a write and forgets what it changed, here and (PostgreSQL) on
    /// every replica, before the write is acknowledged.
    pub(super) async fn commit_forgetting(
        &self,
        mut tx: Transaction<'static, Any>,
        what: Forget<'_>,
    ) -> Result<(), sqlx::Error> {
        if self.engine != Engine::Postgres {
            tx.commit().await?;
            what.apply(&self.key_cache);
            return Ok(());
        }
        let (payload, echo) = self.announcer.announce(what);
        let committed = async {
            sqlx::query("SELECT 1 FROM pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = committed {
            self.announcer.withdraw(&payload);
            return Err(e);
        }
        what.apply(&self.key_cache);
        if !self.key_cache.is_paused() && tokio::time::timeout(ECHO_WAIT, echo).await.is_err() {
            self.announcer.withdraw(&payload);
            tracing::warn!(
                "did not hear a key change announced to the other replicas back in time"
            );
        }
        Ok(())
    }

    /// On PostgreSQL, listens for other replicas' announcements until the
    /// storage is closed; the key check remembers nothing until listening.
    pub(super) fn spawn_listener(&self, url: String) {
        if self.engine != Engine::Postgres {
            return;
        }
        self.key_cache.pause();
        let cache = Arc::clone(&self.key_cache);
        let announcer = Arc::clone(&self.announcer);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = pool.close_event() => {}
                _ = listen(&url, &cache, &announcer) => {}
            }
        });
    }
}

/// Listens forever, reconnecting after a lost connection.
async fn listen(url: &str, cache: &KeyCache, announcer: &Announcer) {
    loop {
        match listen_once(url, cache, announcer).await {
            Ok(()) => tracing::warn!("lost the connection that hears other replicas' key changes"),
            Err(e) => {
                tracing::warn!(error = %e, "cannot hear other replicas' key changes; retrying")
            }
        }
        // Nothing heard now can be trusted to be complete.
        cache.pause();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Returns when the connection is lost.
async fn listen_once(
    url: &str,
    cache: &KeyCache,
    announcer: &Announcer,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // From here on every announcement is heard: start remembering afresh.
    cache.resume();
    // `None` is a lost connection: returning drops the listener, so it does
    // not reconnect by itself and miss what came meanwhile unnoticed.
    while let Some(notification) = listener.try_recv().await? {
        apply_payload(cache, notification.payload());
        announcer.heard(notification.payload());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_is_heard_back_by_its_sender_only() {
        let here = Announcer::default();
        let there = Announcer::default();
        let (payload, mut echo) = here.announce(Forget::Key("key_1"));
        there.heard(&payload);
        assert!(
            echo.try_recv().is_err(),
            "another replica's echo is not ours"
        );
        here.heard(&payload);
        assert!(echo.try_recv().is_ok());
    }

    #[test]
    fn an_announcement_forgets_what_it_names() {
        use keydesk_contract::types::{Actor, ActorKind, Organization};
        let cache = KeyCache::default();
        let identity = super::super::Identity {
            organization: Organization {
                id: "org_1".into(),
                name: "Acme".into(),
            },
            actor: Actor {
                kind: ActorKind::ApiKey,
                id: "key_1".into(),
                name: "R".into(),
            },
            permissions: Default::default(),
        };
        const NOW: &str = "2026-11-26T12:00:00.000000Z";
        cache.remember(cache.ticket(), "d1", &identity, None);
        let (payload, _) = Announcer::default().announce(Forget::Key("key_2"));
        apply_payload(&cache, &payload);
        assert!(cache.get("d1", NOW).is_some());
        let (payload, _) = Announcer::default().announce(Forget::Organization("org_1"));
        apply_payload(&cache, &payload);
        assert!(cache.get("d1", NOW).is_none());
    }
}
