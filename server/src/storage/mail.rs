//! The mail outbox: events people must hear about, queued with the event
//! when mail is on, taken under a lease and marked sent (or retried) like
//! webhook deliveries.

use keydesk_contract::events::{API_KEY_DECOY_USED, API_KEY_EXPIRING, API_KEY_LEAKED};
use sqlx::{Any, Transaction};

use super::Storage;

/// The event types that are also mailed.
pub const MAILED: [&str; 3] = [API_KEY_EXPIRING, API_KEY_LEAKED, API_KEY_DECOY_USED];

/// A mail to send now: which event, for which organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailToSend {
    pub seq: i64,
    pub organization_id: String,
    pub organization_name: String,
    pub body: String,
    pub attempt: i64,
}

impl Storage {
    /// Mail is sent (the server has `--smtp-url`): mailed events are queued.
    pub fn set_mail_on(&self, on: bool) {
        self.mail_on.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Queues a mail for event `event_id` inside `tx`, when mail is on and
    /// the event is one that is mailed.
    pub(super) async fn queue_mail(
        &self,
        tx: &mut Transaction<'static, Any>,
        event_id: &str,
        event_type: &str,
        at: &str,
    ) -> Result<(), sqlx::Error> {
        if !self.mail_on.load(std::sync::atomic::Ordering::Relaxed) || !MAILED.contains(&event_type)
        {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO mail_outbox (event_id, status, attempt, next_attempt_at) VALUES ($1, 'pending', 0, $2)",
        )
        .bind(event_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        self.mail_queued.notify_one();
        Ok(())
    }

    /// Wakes when a mail was queued on this replica.
    pub fn mail_queued(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.mail_queued.clone()
    }

    /// Takes up to `limit` mails due now, leased to this replica.
    pub async fn claim_mail(
        &self,
        lease_seconds: i64,
        limit: u32,
    ) -> Result<Vec<MailToSend>, sqlx::Error> {
        let now = self.now();
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until < $2) LIMIT 1",
        )
        .bind(&now)
        .bind(&now)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        let lock = match self.engine {
            super::Engine::Postgres => " FOR UPDATE OF m SKIP LOCKED",
            super::Engine::Sqlite => "",
        };
        let claimed: Vec<MailToSend> = sqlx::query_as(&format!(
            "SELECT m.seq, e.organization_id, o.name AS organization_name, e.body, m.attempt \
             FROM mail_outbox m JOIN events e ON e.id = m.event_id JOIN organizations o ON o.id = e.organization_id \
             WHERE m.status = 'pending' AND m.next_attempt_at <= $1 AND (m.lease_until IS NULL OR m.lease_until < $2) \
             ORDER BY m.seq LIMIT $3{lock}"
        ))
        .bind(&now)
        .bind(&now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let until = self.in_seconds(lease_seconds);
        super::events::lease(
            &mut tx,
            super::events::Outbox::Mail,
            claimed.iter().map(|m| m.seq),
            &until,
        )
        .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Writes how sending `mail` went: sent to this many people, or to be
    /// tried again after `retry_after` seconds (none: given up).
    pub async fn settle_mail(
        &self,
        mail: &MailToSend,
        outcome: Result<u32, Option<i64>>,
    ) -> Result<(), sqlx::Error> {
        let (status, next_at, recipients) = match outcome {
            Ok(sent) => ("sent", self.now(), Some(i64::from(sent))),
            Err(Some(after)) => ("pending", self.in_seconds(after), None),
            Err(None) => ("failed", self.now(), None),
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE mail_outbox SET status = $1, attempt = $2, next_attempt_at = $3, lease_until = NULL, \
             recipients = $4 WHERE seq = $5",
        )
        .bind(status)
        .bind(mail.attempt + 1)
        .bind(&next_at)
        .bind(recipients)
        .bind(mail.seq)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}
