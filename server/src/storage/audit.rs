//! The audit trail: appended inside the same transaction as the change it
//! records, so a change and its record are written together or not at all.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{
    Actor, ActorKind, AuditEvent, AuditPage, AuditTarget, AuditTargetKind,
};
use sqlx::{Any, Transaction};

use super::{new_id, Storage};

/// One change to record.
pub struct AuditEntry<'a> {
    pub organization_id: &'a str,
    pub actor: &'a Actor,
    pub action: AuditAction,
    pub target: AuditTarget,
}

impl Storage {
    /// Appends `entry` inside `tx`, stamped with the storage clock's now.
    /// Also the event destinations' outbox: each audit action is an
    /// event, queued in the same transaction.
    pub(super) async fn record(
        &self,
        tx: &mut Transaction<'static, Any>,
        entry: AuditEntry<'_>,
    ) -> Result<(), sqlx::Error> {
        let at = self.now();
        let organization_id = entry.organization_id;
        let event = record_at(tx, &at, entry).await?;
        let data = serde_json::to_value(&event).unwrap_or_default();
        self.emit(tx, organization_id, &event.id, &event.action, &at, data)
            .await
    }

    /// Records `action` by `author` on `target` inside the change's write.
    pub(super) async fn record_change(
        &self,
        tx: &mut Transaction<'static, Any>,
        author: super::Author<'_>,
        action: AuditAction,
        target: keydesk_contract::types::AuditTarget,
    ) -> Result<(), sqlx::Error> {
        self.record(
            tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action,
                target,
            },
        )
        .await
    }
}

/// The organization as an audit event's target.
pub(super) async fn organization_target(
    tx: &mut Transaction<'static, Any>,
    organization_id: &str,
) -> Result<AuditTarget, sqlx::Error> {
    let (name,): (String,) = sqlx::query_as("SELECT name FROM organizations WHERE id = $1")
        .bind(organization_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(AuditTarget::organization(organization_id.to_string(), name))
}

async fn record_at(
    tx: &mut Transaction<'static, Any>,
    at: &str,
    entry: AuditEntry<'_>,
) -> Result<AuditEvent, sqlx::Error> {
    let (action, details) = entry.action.to_parts();
    let id = new_id("evt");
    sqlx::query(
        "INSERT INTO audit_events (id, organization_id, at, actor_type, actor_id, actor_name, action, \
         target_type, target_id, target_name, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(entry.organization_id)
    .bind(at)
    .bind(entry.actor.kind.as_str())
    .bind(&entry.actor.id)
    .bind(&entry.actor.name)
    .bind(&action)
    .bind(entry.target.kind.as_str())
    .bind(&entry.target.id)
    .bind(&entry.target.name)
    .bind(details.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(AuditEvent {
        id,
        at: at.to_string(),
        actor: entry.actor.clone(),
        action,
        target: entry.target,
        details,
    })
}

impl Storage {
    /// Records an event that goes with no other change (a sign-in, a lock-out).
    pub async fn append_audit(&self, entry: AuditEntry<'_>) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        self.record(&mut tx, entry).await?;
        tx.commit().await
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    at: String,
    actor_type: String,
    actor_id: String,
    actor_name: String,
    action: String,
    target_type: String,
    target_id: String,
    target_name: String,
    details: String,
}

impl Storage {
    /// Events newest first. The cursor is the last event's `at` and `id`, so
    /// pages stay stable while new events arrive.
    pub async fn list_audit(
        &self,
        organization_id: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<AuditPage, sqlx::Error> {
        let (at, id) = cursor
            .and_then(|c| c.split_once('~'))
            .unwrap_or(("9999", ""));
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, at, actor_type, actor_id, actor_name, action, target_type, target_id, target_name, details \
             FROM audit_events WHERE organization_id = $1 AND (at < $2 OR (at = $3 AND id < $4)) \
             ORDER BY at DESC, id DESC LIMIT $5",
        )
        .bind(organization_id)
        .bind(at)
        .bind(at)
        .bind(id)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() > limit as usize;
        let items: Vec<AuditEvent> = rows
            .into_iter()
            .take(limit as usize)
            .map(Row::into_event)
            .collect();
        let next_cursor = more
            .then(|| items.last().map(|e| format!("{}~{}", e.at, e.id)))
            .flatten();
        Ok(AuditPage { items, next_cursor })
    }
}

impl Storage {
    /// Up to `limit` events oldest first, after the event `after` (its `at`
    /// and `id`; none: from `since`), up to `until`: one page of an export.
    pub async fn audit_after(
        &self,
        organization_id: &str,
        after: (&str, &str),
        until: &str,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, sqlx::Error> {
        let (at, id) = after;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, at, actor_type, actor_id, actor_name, action, target_type, target_id, target_name, details \
             FROM audit_events WHERE organization_id = $1 AND (at > $2 OR (at = $3 AND id > $4)) AND at <= $5 \
             ORDER BY at, id LIMIT $6",
        )
        .bind(organization_id)
        .bind(at)
        .bind(at)
        .bind(id)
        .bind(until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Row::into_event).collect())
    }
}

impl Row {
    fn into_event(self) -> AuditEvent {
        AuditEvent {
            id: self.id,
            at: self.at,
            actor: Actor {
                kind: ActorKind::parse(&self.actor_type).unwrap_or(ActorKind::User),
                id: self.actor_id,
                name: self.actor_name,
            },
            action: self.action,
            target: AuditTarget {
                // A kind this version does not know is shown as the organization's.
                kind: AuditTargetKind::parse(&self.target_type)
                    .unwrap_or(AuditTargetKind::Organization),
                id: self.target_id,
                name: self.target_name,
            },
            details: serde_json::from_str(&self.details).unwrap_or(serde_json::Value::Null),
        }
    }
}
