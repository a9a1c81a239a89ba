//! The outbox of event destinations. An event is written with one delivery
//! per destination that listens to it, inside the transaction of the change
//! that causes it: a change and its events commit together or not at all.
//! Deliveries are then taken under a lease, the oldest pending one of each
//! destination only (so each destination gets its events in order), by one
//! replica (the write lock, and `FOR UPDATE SKIP LOCKED` on PostgreSQL). A
//! replica killed mid-delivery leaves a lease that runs out, and the
//! delivery is taken again: at least once.

use keydesk_contract::events::{self as contract, Delivery, DeliveryStatus, Destination};
use serde_json::{json, Value};
use sqlx::{Any, Transaction};

use super::{new_id, Engine, Storage};

/// A destination as stored, with its sealed secrets.
#[derive(Debug, Clone, sqlx::FromRow)]
struct DestinationRow {
    id: String,
    url: String,
    description: String,
    events: String,
    enabled: i64,
    disabled_reason: Option<String>,
    created_at: String,
}

const DESTINATION_COLUMNS: &str =
    "id, url, description, events, enabled, disabled_reason, created_at";

impl DestinationRow {
    fn into_destination(self) -> Destination {
        Destination {
            id: self.id,
            url: self.url,
            description: self.description,
            events: serde_json::from_str(&self.events).unwrap_or_default(),
            enabled: self.enabled != 0,
            disabled_reason: self.disabled_reason,
            created_at: self.created_at,
        }
    }
}

/// A delivery taken to be sent now: where, with which secrets, what.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub seq: i64,
    pub id: String,
    pub destination_id: String,
    pub event_id: String,
    pub attempt: i64,
    pub at: String,
    pub body: String,
    pub url: String,
    /// Sealed with the server key (purpose `event-destination`, bound to the destination id).
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<String>,
}

/// How one attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempted {
    /// 2xx.
    Delivered(u16),
    /// 5xx, 429, a timeout or no answer: tried again later, unless spent.
    Retry(Option<u16>),
    /// Another 4xx: not tried again.
    Refused(u16),
    /// 410: not tried again, and the destination is switched off.
    Gone,
}

/// Why a destination was switched off by its own answer.
pub const GONE_REASON: &str = "The endpoint answered 410 Gone, so deliveries stopped.";

impl Storage {
    /// Writes event `id` of `event_type` and queues a delivery to each
    /// enabled destination of the organization that listens to it, inside
    /// `tx`. `data` becomes the body's `data`; the body is stored as the
    /// exact bytes every attempt signs and sends.
    pub(super) async fn emit(
        &self,
        tx: &mut Transaction<'static, Any>,
        organization_id: &str,
        id: &str,
        event_type: &str,
        at: &str,
        data: Value,
    ) -> Result<(), sqlx::Error> {
        let body = json!({ "type": event_type, "timestamp": at, "data": data }).to_string();
        sqlx::query(
            "INSERT INTO events (id, organization_id, type, at, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(organization_id)
        .bind(event_type)
        .bind(at)
        .bind(&body)
        .execute(&mut **tx)
        .await?;
        self.queue_mail(tx, id, event_type, at).await?;
        let listening: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, events FROM event_destinations WHERE organization_id = $1 AND enabled = 1",
        )
        .bind(organization_id)
        .fetch_all(&mut **tx)
        .await?;
        let mut queued = false;
        for (destination, events) in listening {
            let events: Vec<String> = serde_json::from_str(&events).unwrap_or_default();
            if contract::wants(&events, event_type) {
                queue(tx, &destination, id, at).await?;
                queued = true;
            }
        }
        if queued {
            // Woken, the deliverer goes straight for the write lock this
            // transaction holds, so it sees these rows once they are committed.
            self.events_queued.notify_one();
        }
        Ok(())
    }

    /// Writes an event that goes with no other change (a key about to
    /// expire, a call with an expired secret).
    pub async fn emit_signal(
        &self,
        organization_id: &str,
        event_type: &str,
        data: Value,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        let at = self.now();
        self.emit(
            &mut tx,
            organization_id,
            &new_id("evt"),
            event_type,
            &at,
            data,
        )
        .await?;
        tx.commit().await
    }

    /// Wakes when a delivery was queued on this replica (others' are
    /// found by polling).
    pub fn events_queued(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.events_queued.clone()
    }
}

async fn queue(
    tx: &mut Transaction<'static, Any>,
    destination_id: &str,
    event_id: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO event_deliveries (id, destination_id, event_id, status, attempt, at, next_attempt_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4, $5)",
    )
    .bind(new_id("dlv"))
    .bind(destination_id)
    .bind(event_id)
    .bind(at)
    .bind(at)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// A delivery as the log lists it: seq, id, event id and type, attempt,
/// status, response status, at, next attempt.
type DeliveryRow = (
    i64,
    String,
    String,
    String,
    i64,
    String,
    Option<i64>,
    String,
    Option<String>,
);

/// The fields a destination is made with.
pub struct NewDestination<'a> {
    pub url: &'a str,
    pub description: &'a str,
    pub events: &'a [String],
    /// Sealed by the caller, bound to `id`.
    pub secret: &'a str,
    pub id: &'a str,
}

impl Storage {
    pub async fn list_destinations(
        &self,
        organization_id: &str,
    ) -> Result<Vec<Destination>, sqlx::Error> {
        let rows: Vec<DestinationRow> = sqlx::query_as(&format!(
            "SELECT {DESTINATION_COLUMNS} FROM event_destinations WHERE organization_id = $1 ORDER BY created_at, id"
        ))
        .bind(organization_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(DestinationRow::into_destination)
            .collect())
    }

    pub async fn destination(
        &self,
        organization_id: &str,
        id: &str,
    ) -> Result<Option<Destination>, sqlx::Error> {
        let row: Option<DestinationRow> = sqlx::query_as(&format!(
            "SELECT {DESTINATION_COLUMNS} FROM event_destinations WHERE organization_id = $1 AND id = $2"
        ))
        .bind(organization_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(DestinationRow::into_destination))
    }

    /// A new id for a destination (its secret is sealed to it before it is written).
    pub fn new_destination_id() -> String {
        new_id("dst")
    }

    pub async fn create_destination(
        &self,
        author: super::Author<'_>,
        new: NewDestination<'_>,
    ) -> Result<Destination, sqlx::Error> {
        let mut tx = self.write().await?;
        let now = self.now();
        sqlx::query(
            "INSERT INTO event_destinations (id, organization_id, url, description, events, enabled, secret, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
        )
        .bind(new.id)
        .bind(author.organization_id)
        .bind(new.url)
        .bind(new.description)
        .bind(serde_json::to_string(new.events).unwrap_or_default())
        .bind(new.secret)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        self.record_destination_change(
            &mut tx,
            author,
            DestinationChangeOf::Created,
            new.id,
            new.url,
        )
        .await?;
        tx.commit().await?;
        Ok(Destination {
            id: new.id.to_string(),
            url: new.url.to_string(),
            description: new.description.to_string(),
            events: new.events.to_vec(),
            enabled: true,
            disabled_reason: None,
            created_at: now,
        })
    }

    /// Applies the set fields of `patch`; none when the destination is gone.
    pub async fn update_destination(
        &self,
        author: super::Author<'_>,
        id: &str,
        patch: &contract::UpdateDestination,
    ) -> Result<Option<Destination>, sqlx::Error> {
        let mut tx = self.write().await?;
        let Some(current) = destination_in(&mut tx, author.organization_id, id).await? else {
            return Ok(None);
        };
        let url = patch.url.clone().unwrap_or(current.url.clone());
        let description = patch
            .description
            .clone()
            .unwrap_or(current.description.clone());
        let events = patch
            .events
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .unwrap_or(current.events.clone());
        let enabled = patch.enabled.unwrap_or(current.enabled != 0);
        let reason = if enabled {
            None
        } else if patch.enabled == Some(false) {
            Some("Switched off by a person.".to_string())
        } else {
            current.disabled_reason.clone()
        };
        sqlx::query(
            "UPDATE event_destinations SET url = $1, description = $2, events = $3, enabled = $4, disabled_reason = $5 \
             WHERE id = $6",
        )
        .bind(&url)
        .bind(&description)
        .bind(&events)
        .bind(i64::from(enabled))
        .bind(&reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.record_destination_change(&mut tx, author, DestinationChangeOf::Updated, id, &url)
            .await?;
        tx.commit().await?;
        if enabled {
            self.events_queued.notify_one();
        }
        Ok(Some(
            DestinationRow {
                url,
                description,
                events,
                enabled: i64::from(enabled),
                disabled_reason: reason,
                ..current
            }
            .into_destination(),
        ))
    }

    /// Makes `secret` (sealed) the one deliveries are signed with; the one
    /// it replaces signs too until `previous_until`. False when gone.
    pub async fn rotate_destination_secret(
        &self,
        author: super::Author<'_>,
        id: &str,
        secret: &str,
        previous_until: &str,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write().await?;
        let Some(current) = destination_in(&mut tx, author.organization_id, id).await? else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE event_destinations SET previous_secret = secret, previous_until = $1, secret = $2 WHERE id = $3",
        )
        .bind(previous_until)
        .bind(secret)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.record_destination_change(
            &mut tx,
            author,
            DestinationChangeOf::SecretRotated,
            id,
            &current.url,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a destination and its deliveries. False when gone.
    pub async fn delete_destination(
        &self,
        author: super::Author<'_>,
        id: &str,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write().await?;
        let Some(current) = destination_in(&mut tx, author.organization_id, id).await? else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM event_deliveries WHERE destination_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM event_destinations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.record_destination_change(
            &mut tx,
            author,
            DestinationChangeOf::Deleted,
            id,
            &current.url,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn record_destination_change(
        &self,
        tx: &mut Transaction<'static, Any>,
        author: super::Author<'_>,
        change: DestinationChangeOf,
        id: &str,
        url: &str,
    ) -> Result<(), sqlx::Error> {
        let target = super::audit::organization_target(tx, author.organization_id).await?;
        self.record_change(
            tx,
            author,
            keydesk_contract::audit::AuditAction::EventDestinationChanged {
                change,
                destination_id: id.to_string(),
                url: url.to_string(),
            },
            target,
        )
        .await
    }

    /// Queues a `ping` to one destination (enabled or not: a person asked).
    /// False when the destination is gone.
    pub async fn queue_ping(
        &self,
        organization_id: &str,
        destination_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write().await?;
        if destination_in(&mut tx, organization_id, destination_id)
            .await?
            .is_none()
        {
            return Ok(false);
        }
        let at = self.now();
        let id = new_id("evt");
        let body = json!({
            "type": contract::PING,
            "timestamp": at,
            "data": { "destination_id": destination_id },
        })
        .to_string();
        sqlx::query(
            "INSERT INTO events (id, organization_id, type, at, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(organization_id)
        .bind(contract::PING)
        .bind(&at)
        .bind(&body)
        .execute(&mut *tx)
        .await?;
        queue(&mut tx, destination_id, &id, &at).await?;
        tx.commit().await?;
        self.events_queued.notify_one();
        Ok(true)
    }

    /// Deletes the events written before `before`, with their deliveries and
    /// mail (ON DELETE CASCADE); answers how many. In batches, so a first
    /// sweep over a long history never holds the writer for long.
    pub async fn delete_events_before(&self, before: &str) -> Result<u64, sqlx::Error> {
        const BATCH: u64 = 500;
        let mut deleted = 0;
        loop {
            let mut tx = self.write().await?;
            let done = sqlx::query(
                "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < $1 LIMIT $2)",
            )
            .bind(before)
            .bind(BATCH as i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            deleted += done;
            if done < BATCH {
                return Ok(deleted);
            }
        }
    }

    /// Queues again, in order, every event since `since` the destination
    /// listens to. None when the destination is gone; else how many.
    pub async fn replay(
        &self,
        organization_id: &str,
        destination_id: &str,
        since: &str,
    ) -> Result<Option<u64>, sqlx::Error> {
        let mut tx = self.write().await?;
        let Some(current) = destination_in(&mut tx, organization_id, destination_id).await? else {
            return Ok(None);
        };
        let events: Vec<String> = serde_json::from_str(&current.events).unwrap_or_default();
        let since_events: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, type FROM events WHERE organization_id = $1 AND at >= $2 ORDER BY at, id",
        )
        .bind(organization_id)
        .bind(since)
        .fetch_all(&mut *tx)
        .await?;
        let now = self.now();
        let mut queued = 0;
        for (event_id, event_type) in since_events {
            if contract::wants(&events, &event_type) {
                queue(&mut tx, destination_id, &event_id, &now).await?;
                queued += 1;
            }
        }
        tx.commit().await?;
        self.events_queued.notify_one();
        Ok(Some(queued))
    }

    /// A destination's deliveries, newest first; the cursor is the last seq shown.
    pub async fn list_deliveries(
        &self,
        destination_id: &str,
        cursor: Option<i64>,
        limit: u32,
    ) -> Result<(Vec<Delivery>, Option<String>), sqlx::Error> {
        let rows: Vec<DeliveryRow> =
            sqlx::query_as(
                "SELECT d.seq, d.id, d.event_id, e.type, d.attempt, d.status, d.response_status, d.at, d.next_attempt_at \
                 FROM event_deliveries d JOIN events e ON e.id = d.event_id \
                 WHERE d.destination_id = $1 AND d.seq < $2 ORDER BY d.seq DESC LIMIT $3",
            )
            .bind(destination_id)
            .bind(cursor.unwrap_or(i64::MAX))
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.pool)
            .await?;
        let more = rows.len() > limit as usize;
        let rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
        let next = more.then(|| rows.last().map(|r| r.0.to_string())).flatten();
        let items = rows
            .into_iter()
            .map(
                |(_, id, event_id, event_type, attempt, status, response, at, next_at)| {
                    let status = DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Pending);
                    Delivery {
                        id,
                        event_id,
                        event_type,
                        attempt: attempt as u32,
                        status,
                        response_status: response.and_then(|s| u16::try_from(s).ok()),
                        at,
                        next_attempt_at: (status == DeliveryStatus::Pending)
                            .then_some(next_at)
                            .flatten(),
                    }
                },
            )
            .collect();
        Ok((items, next))
    }

    /// Takes up to `limit` deliveries due now, the oldest due one of each
    /// enabled destination with none in flight (one at a time, oldest first,
    /// so events arrive in order while it answers; one waiting for a retry
    /// holds back none of the later ones), leased for `lease_seconds` to
    /// this replica.
    /// `look_first`: a poll, which first looks without the write lock (most
    /// find nothing); a wake after a local write takes the lock at once.
    pub async fn claim_deliveries(
        &self,
        lease_seconds: i64,
        limit: u32,
        look_first: bool,
    ) -> Result<Vec<Claimed>, sqlx::Error> {
        let now = self.now();
        let due: Option<i64> = if !look_first {
            Some(1)
        } else {
            sqlx::query_scalar(
            "SELECT 1 FROM event_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until < $2) LIMIT 1",
        )
            .bind(&now)
            .bind(&now)
            .fetch_optional(&self.pool)
            .await?
        };
        if due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        let now = self.now();
        let lock = match self.engine {
            Engine::Postgres => " FOR UPDATE OF d SKIP LOCKED",
            Engine::Sqlite => "",
        };
        let claimed: Vec<Claimed> = sqlx::query_as(&format!(
            "SELECT d.seq, d.id, d.destination_id, d.event_id, d.attempt, e.at, e.body, t.url, t.secret, \
             t.previous_secret, t.previous_until \
             FROM event_deliveries d JOIN events e ON e.id = d.event_id JOIN event_destinations t ON t.id = d.destination_id \
             WHERE d.seq IN (SELECT MIN(p.seq) FROM event_deliveries p WHERE p.status = 'pending' \
                             AND p.next_attempt_at <= $1 AND (p.lease_until IS NULL OR p.lease_until < $2) \
                             GROUP BY p.destination_id) \
             AND t.enabled = 1 \
             AND NOT EXISTS (SELECT 1 FROM event_deliveries f WHERE f.destination_id = d.destination_id \
                             AND f.status = 'pending' AND f.lease_until >= $2) \
             ORDER BY d.seq LIMIT $3{lock}"
        ))
        .bind(&now)
        .bind(&now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let until = self.in_seconds(lease_seconds);
        lease(
            &mut tx,
            Outbox::Deliveries,
            claimed.iter().map(|c| c.seq),
            &until,
        )
        .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Writes how each attempt went, in one write.
    pub async fn settle_deliveries(
        &self,
        attempts: &[(&Claimed, Attempted)],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        let now = self.now();
        for (claimed, attempted) in attempts {
            let attempt = claimed.attempt + 1;
            let retry_after = contract::RETRY_AFTER_SECONDS.get(claimed.attempt as usize);
            let (status, response, next_at) = match *attempted {
                Attempted::Delivered(s) => ("delivered", Some(s), None),
                Attempted::Refused(s) => ("failed", Some(s), None),
                Attempted::Gone => ("failed", Some(410), None),
                Attempted::Retry(s) => match retry_after {
                    Some(&after) => ("pending", s, Some(self.in_seconds(after))),
                    None => ("failed", s, None),
                },
            };
            sqlx::query(
                "UPDATE event_deliveries SET status = $1, attempt = $2, response_status = $3, at = $4, \
                 next_attempt_at = $5, lease_until = NULL WHERE seq = $6",
            )
            .bind(status)
            .bind(attempt)
            .bind(response.map(i64::from))
            .bind(&now)
            .bind(&next_at)
            .bind(claimed.seq)
            .execute(&mut *tx)
            .await?;
            if let Attempted::Delivered(_) = attempted {
                // The destination answers again: its waiting retries go now,
                // not hours later on their schedule.
                sqlx::query(
                    "UPDATE event_deliveries SET next_attempt_at = $1 \
                     WHERE destination_id = $2 AND status = 'pending' AND next_attempt_at > $1",
                )
                .bind(&now)
                .bind(&claimed.destination_id)
                .execute(&mut *tx)
                .await?;
            }
            if *attempted == Attempted::Gone {
                sqlx::query(
                    "UPDATE event_destinations SET enabled = 0, disabled_reason = $1 WHERE id = $2",
                )
                .bind(GONE_REASON)
                .bind(&claimed.destination_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await
    }
}

use keydesk_contract::audit::DestinationChange as DestinationChangeOf;

/// The two outboxes: webhook deliveries and mail.
#[derive(Debug, Clone, Copy)]
pub(super) enum Outbox {
    Deliveries,
    Mail,
}

impl Storage {
    /// On SQLite, at start: this process holds the file's lock, so every
    /// lease in the outboxes was taken by a process that died with its work
    /// undone. Released, that work goes out at once instead of when the
    /// lease runs out (a minute). Replicas on PostgreSQL wait for it.
    pub(super) async fn release_leases_of_the_dead(&self) -> Result<(), sqlx::Error> {
        for outbox in ["event_deliveries", "mail_outbox"] {
            sqlx::query(&format!(
                "UPDATE {outbox} SET lease_until = NULL WHERE lease_until IS NOT NULL"
            ))
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }
}

/// Leases the rows `seqs` of `outbox` to this replica until `until`.
pub(super) async fn lease(
    tx: &mut Transaction<'static, Any>,
    outbox: Outbox,
    seqs: impl Iterator<Item = i64>,
    until: &str,
) -> Result<(), sqlx::Error> {
    let sql = match outbox {
        Outbox::Deliveries => "UPDATE event_deliveries SET lease_until = $1 WHERE seq = $2",
        Outbox::Mail => "UPDATE mail_outbox SET lease_until = $1 WHERE seq = $2",
    };
    for seq in seqs {
        sqlx::query(sql)
            .bind(until)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn destination_in(
    tx: &mut Transaction<'static, Any>,
    organization_id: &str,
    id: &str,
) -> Result<Option<DestinationRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {DESTINATION_COLUMNS} FROM event_destinations WHERE organization_id = $1 AND id = $2"
    ))
    .bind(organization_id)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}
