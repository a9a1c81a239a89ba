//! Sends queued deliveries: takes what is due (the oldest due delivery of
//! each destination, one at a time), signs and posts each, and writes how it
//! went. A delivery waiting for its retry holds back none after it, and
//! one that gets through brings the destination's waiting retries forward:
//! an endpoint down for a moment does not hold its events for hours. One
//! per server; replicas share the work through the outbox's leases.

use std::time::Duration;

use super::signing::{signature_header, SigningSecret};
use crate::clock::SharedClock;
use crate::server_key::ServerKey;
use crate::storage::{Attempted, Claimed, Storage};

/// How long a taken delivery is this replica's: far longer than an attempt
/// (a timeout is 10 s), short enough that a crashed replica's deliveries
/// go out soon after it dies.
pub const LEASE_SECONDS: i64 = 60;
/// Deliveries taken at once (each is a different destination's next one).
const BATCH: u32 = 32;
/// How often other replicas' events and due retries are looked for.
const POLL: Duration = Duration::from_millis(500);

/// What seals a destination's signing secret in the database.
pub const SECRET_PURPOSE: &str = "event-destination";

#[derive(Clone)]
pub struct Deliverer {
    pub storage: Storage,
    pub server_key: ServerKey,
    pub clock: SharedClock,
    pub client: reqwest::Client,
    pub allow_private: bool,
}

impl Deliverer {
    /// Runs until the storage closes (the server stopped).
    pub fn spawn(self) {
        tokio::spawn(async move {
            let queued = self.storage.events_queued();
            // Woken by a local write (rather than a poll): take at once.
            let mut woken = false;
            loop {
                if self.storage.is_closed() {
                    return;
                }
                let claimed = self
                    .storage
                    .claim_deliveries(LEASE_SECONDS, BATCH, !woken)
                    .await;
                woken = false;
                match claimed {
                    Ok(claimed) if !claimed.is_empty() => {
                        let attempted =
                            futures_util::future::join_all(claimed.iter().map(|c| self.send(c)))
                                .await;
                        let settled: Vec<_> = claimed.iter().zip(attempted).collect();
                        if let Err(e) = self.storage.settle_deliveries(&settled).await {
                            // The leases run out and the deliveries are taken again: at least once.
                            tracing::warn!(error = %e, "could not record event deliveries");
                        }
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) if self.storage.is_closed() => {
                        tracing::debug!(error = %e, "deliverer stopping");
                        return;
                    }
                    Err(e) => tracing::warn!(error = %e, "could not take event deliveries"),
                }
                tokio::select! {
                    _ = queued.notified() => woken = true,
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
    }

    /// One attempt at one delivery.
    async fn send(&self, claimed: &Claimed) -> Attempted {
        // The scheme and an IP literal, here; a name, on every connection
        // (the client's resolver).
        if let Err(why) = super::address::resolve(&claimed.url, self.allow_private).await {
            tracing::warn!(destination = %claimed.destination_id, reason = %why.0, "event destination refused");
            return Attempted::Retry(None);
        }
        let now = self.clock.now();
        let open = |sealed: &str| {
            self.server_key
                .open(SECRET_PURPOSE, &claimed.destination_id, sealed)
                .and_then(|bytes| SigningSecret::parse(&String::from_utf8_lossy(&bytes)))
        };
        let Some(current) = open(&claimed.secret) else {
            tracing::error!(destination = %claimed.destination_id, "a destination's signing secret does not open with this server key");
            return Attempted::Retry(None);
        };
        let still_signing = claimed
            .previous_until
            .as_deref()
            .is_some_and(|until| until > crate::time_format::format(now).as_str());
        let previous = claimed
            .previous_secret
            .as_deref()
            .filter(|_| still_signing)
            .and_then(open);
        let mut secrets = vec![&current];
        secrets.extend(previous.as_ref());
        let timestamp = now.unix_timestamp();
        let signature = signature_header(
            &secrets,
            &claimed.event_id,
            timestamp,
            claimed.body.as_bytes(),
        );
        let answer = self
            .client
            .post(&claimed.url)
            .header("content-type", "application/json")
            .header("webhook-id", &claimed.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(claimed.body.clone())
            .send()
            .await;
        match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                match status {
                    200..=299 => Attempted::Delivered(status),
                    410 => Attempted::Gone,
                    429 | 500..=599 => Attempted::Retry(Some(status)),
                    // A redirect is not followed, and counts as a refusal
                    // like any other answer that is neither 2xx nor worth retrying.
                    _ => Attempted::Refused(status),
                }
            }
            Err(e) => {
                tracing::debug!(destination = %claimed.destination_id, error = %e, "event delivery got no answer");
                Attempted::Retry(None)
            }
        }
    }
}
