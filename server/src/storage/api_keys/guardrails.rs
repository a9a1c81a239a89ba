//! Guardrails on keys: a secret reported leaked disables its key at once
//! (marked leaked until it gets a new secret), and a decoy's secret raises
//! an alarm, in the audit trail and as an event, every time it is used.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{Actor, ActorKind, AuditTarget};

use crate::storage::replicas::Forget;
use crate::storage::{Author, Storage};

/// keydesk acting on a leak report.
fn leak_report() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: "leak-report".into(),
        name: "Leak report".into(),
    }
}

/// keydesk raising a decoy's alarm.
fn decoy_alarm() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: "decoy-alarm".into(),
        name: "Decoy alarm".into(),
    }
}

/// The key a secret digest belongs to (any of its secrets, in grace too).
type Owner = (String, String, String, i64, Option<String>);

impl Storage {
    /// A secret reported leaked from `address`: its key (if it is one of
    /// keydesk's) is disabled and marked leaked; a decoy's raises its alarm.
    /// Answers nothing: the reporter learns nothing either way.
    pub async fn report_leak(&self, digest: &str, address: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        let owner: Option<Owner> = sqlx::query_as(
            "SELECT k.id, k.organization_id, k.name, k.decoy, k.leaked_at FROM api_key_secrets s \
             JOIN api_keys k ON k.id = s.api_key_id WHERE s.digest = $1",
        )
        .bind(digest)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((key_id, organization_id, name, decoy, leaked_at)) = owner else {
            return Ok(());
        };
        let target = AuditTarget::api_key(&key_id, &name);
        if decoy != 0 {
            let action = AuditAction::ApiKeyDecoyUsed {
                client_address: Some(address.to_string()),
                user_agent: Some("a leak report".to_string()),
            };
            self.record_as(&mut tx, decoy_alarm(), &organization_id, action, target)
                .await?;
            return tx.commit().await;
        }
        if leaked_at.is_some() {
            return Ok(()); // reported before; nothing new
        }
        let now = self.now();
        sqlx::query(
            "UPDATE api_keys SET disabled_at = COALESCE(disabled_at, $1), leaked_at = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4",
        )
        .bind(&now)
        .bind(&now)
        .bind(&now)
        .bind(&key_id)
        .execute(&mut *tx)
        .await?;
        let action = AuditAction::ApiKeyLeaked {
            client_address: Some(address.to_string()),
        };
        self.record_as(&mut tx, leak_report(), &organization_id, action, target)
            .await?;
        self.commit_forgetting(
            tx,
            Forget::Key {
                organization_id: &organization_id,
                key_id: &key_id,
            },
        )
        .await
    }

    /// A decoy's secret was presented: the alarm, with where from and what.
    pub async fn decoy_used(
        &self,
        key_id: &str,
        address: &str,
        user_agent: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        let key: Option<(String, String)> = sqlx::query_as(
            "SELECT organization_id, name FROM api_keys WHERE id = $1 AND decoy = 1",
        )
        .bind(key_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((organization_id, name)) = key else {
            return Ok(());
        };
        let action = AuditAction::ApiKeyDecoyUsed {
            client_address: Some(address.to_string()),
            user_agent: user_agent.map(str::to_string),
        };
        let target = AuditTarget::api_key(key_id, &name);
        self.record_as(&mut tx, decoy_alarm(), &organization_id, action, target)
            .await?;
        tx.commit().await
    }

    /// Records `action` by keydesk itself (`actor`) inside `tx`.
    async fn record_as(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        actor: Actor,
        organization_id: &str,
        action: AuditAction,
        target: AuditTarget,
    ) -> Result<(), sqlx::Error> {
        let author = Author {
            organization_id,
            actor: &actor,
        };
        self.record_change(tx, author, action, target).await
    }
}

impl Storage {
    /// Where `current` may be used from (`[]`: anywhere) and what a call
    /// from elsewhere gets; `Changed` if the key changed since it was read.
    pub async fn set_key_networks(
        &self,
        author: Author<'_>,
        current: &keydesk_contract::types::ApiKey,
        networks: &[String],
        mode: keydesk_contract::types::NetworkMode,
    ) -> Result<crate::storage::Outcome<keydesk_contract::types::ApiKey>, sqlx::Error> {
        let mut tx = self.write().await?;
        let now = self.now();
        let updated = sqlx::query(
            "UPDATE api_keys SET allowed_networks = $1, network_mode = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND organization_id = $5 AND version = $6",
        )
        .bind((!networks.is_empty()).then(|| serde_json::to_string(networks).unwrap_or_default()))
        .bind(mode.as_str())
        .bind(&now)
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return crate::storage::stale(&mut tx, "api_keys", &current.id).await;
        }
        let action = AuditAction::ApiKeyNetworksChanged {
            allowed_networks: keydesk_contract::audit::Change {
                from: current.allowed_networks.clone(),
                to: networks.to_vec(),
            },
            network_mode: keydesk_contract::audit::Change {
                from: current.network_mode.as_str().to_string(),
                to: mode.as_str().to_string(),
            },
        };
        self.record_change(
            &mut tx,
            author,
            action,
            AuditTarget::api_key(&current.id, &current.name),
        )
        .await?;
        self.commit_and_read(tx, author, &current.id).await
    }

    /// A key used from `address`, outside its allowed networks: recorded
    /// (and sent as `api_key.network_refused`), `enforced` if it was refused.
    pub async fn network_refused(
        &self,
        key_id: &str,
        address: &str,
        enforced: bool,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        let key: Option<(String, String)> =
            sqlx::query_as("SELECT organization_id, name FROM api_keys WHERE id = $1")
                .bind(key_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((organization_id, name)) = key else {
            return Ok(());
        };
        let action = AuditAction::ApiKeyNetworkRefused {
            client_address: Some(address.to_string()),
            enforced,
        };
        let guard = Actor {
            kind: ActorKind::System,
            id: "network-guard".into(),
            name: "Network guard".into(),
        };
        let target = AuditTarget::api_key(key_id, &name);
        self.record_as(&mut tx, guard, &organization_id, action, target)
            .await?;
        tx.commit().await
    }
}
