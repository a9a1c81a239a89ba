//! Keeping every replica's key-check memory true. Each replica remembers
//! recent key checks (`key_cache`). On SQLite there is one process, and a
//! write forgets what it changed before it is acknowledged. On PostgreSQL,
//! where replicas share the database, a write also bumps its organization's
//! `key_checks_epoch` in its own transaction, and a replica answers from
//! memory only while the epoch it remembered with is still current: one
//! primary-key read instead of the whole key check, and a change made
//! through any replica is honoured by all of them on the very next request,
//! with nothing to deliver between replicas that could arrive late.

use sqlx::{Any, Transaction};

use super::{Engine, Storage};

/// What a write makes the key check forget.
#[derive(Debug, Clone, Copy)]
pub(super) enum Forget<'a> {
    /// Every secret of this key (of this organization).
    Key {
        organization_id: &'a str,
        key_id: &'a str,
    },
    /// Every key of this organization (a role changed).
    Organization(&'a str),
}

impl Forget<'_> {
    fn organization_id(&self) -> &str {
        match self {
            Forget::Key {
                organization_id, ..
            }
            | Forget::Organization(organization_id) => organization_id,
        }
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
        // (Bumped on SQLite too, where nothing reads it: one schema, one write path.)
        sqlx::query(
            "UPDATE organizations SET key_checks_epoch = key_checks_epoch + 1 WHERE id = $1",
        )
        .bind(what.organization_id())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        match what {
            Forget::Key { key_id, .. } => self.key_cache.forget_key(key_id),
            Forget::Organization(id) => self.key_cache.forget_organization(id),
        }
        Ok(())
    }

    /// The organization's current epoch (PostgreSQL; `None` on SQLite,
    /// where this process sees every write itself).
    pub(super) async fn key_checks_epoch(
        &self,
        organization_id: &str,
    ) -> Result<Option<i64>, sqlx::Error> {
        if self.engine != Engine::Postgres {
            return Ok(None);
        }
        sqlx::query_scalar("SELECT key_checks_epoch FROM organizations WHERE id = $1")
            .bind(organization_id)
            .fetch_optional(&self.pool)
            .await
    }
}
