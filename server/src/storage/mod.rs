//! Every SQL statement of keydesk lives under this module, behind [`Storage`].
//! Handlers never see SQL, so a PostgreSQL backend can be added here alone.
//!
//! Portability notes: placeholders are `$1, $2, …` numbered in order of
//! appearance (SQLite and PostgreSQL both read that), timestamps are
//! fixed-width RFC 3339 text, and dynamic queries use `QueryBuilder`, which
//! emits each database's own placeholders. The only SQLite-specific statement
//! is `BEGIN IMMEDIATE` in [`Storage::write`].

mod api_keys;
mod audit;
pub mod constraints;
mod invitations;
mod key_cache;
mod people;
mod roles;
mod sessions;

pub use api_keys::{KeyFilter, Written};
pub use audit::AuditEntry;
pub use constraints::Rule;
pub use people::{Account, StatusChange};
pub use roles::{RoleBook, RoleWrite};
pub use sessions::SessionRow;

use keydesk_contract::types::{Actor, Organization};
use rand::Rng;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub struct Storage {
    pool: SqlitePool,
    /// The key check's memory; every write that could change its answers forgets them.
    key_cache: std::sync::Arc<key_cache::KeyCache>,
}

impl Storage {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, String> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| e.to_string())?
            .create_if_missing(true)
            // Durability, explicitly: readers never block the writer (WAL), and a
            // change is on disk before it is acknowledged (FULL: each commit
            // syncs the log), so a crash or power loss loses no acknowledged write.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Writers queue for the lock instead of failing at once.
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Storage {
            pool,
            key_cache: Default::default(),
        })
    }

    /// The database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The journal mode and synchronous level in force, e.g. `("wal", "full")`.
    pub async fn durability(&self) -> Result<(String, String), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let level = match level {
            0 => "off",
            1 => "normal",
            2 => "full",
            3 => "extra",
            _ => "unknown",
        };
        Ok((journal.to_lowercase(), level.to_string()))
    }

    /// A write transaction that takes the write lock up front, so concurrent
    /// writers wait their turn (busy timeout) rather than failing mid-way.
    async fn write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
}

/// Who is behind a session or a secret, and what they may do.
#[derive(Debug, Clone)]
pub struct Identity {
    pub organization: Organization,
    pub actor: Actor,
    /// The union of their roles' permissions.
    pub permissions: BTreeSet<&'static str>,
}

impl Identity {
    pub fn author(&self) -> Author<'_> {
        Author {
            organization_id: &self.organization.id,
            actor: &self.actor,
        }
    }
}

/// Who makes a change, as the audit trail and `created_by` record it.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub organization_id: &'a str,
    pub actor: &'a Actor,
}

/// Whose roles to look up.
#[derive(Debug, Clone, Copy)]
enum RolesOf {
    ApiKeys,
    Users,
}

impl Storage {
    /// The role ids of each owner (key or person), each list in the order
    /// roles are shown; owners without roles are absent.
    async fn roles_of(
        &self,
        whose: RolesOf,
        owner_ids: &[&str],
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, sqlx::Error> {
        let mut map: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        if owner_ids.is_empty() {
            return Ok(map);
        }
        let mut q = sqlx::QueryBuilder::<Sqlite>::new(match whose {
            RolesOf::ApiKeys => {
                "SELECT api_key_id, role_id FROM api_key_roles WHERE api_key_id IN ("
            }
            RolesOf::Users => "SELECT user_id, role_id FROM user_roles WHERE user_id IN (",
        });
        let mut list = q.separated(", ");
        for id in owner_ids {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<(String, String)> = q.build_query_as().fetch_all(&self.pool).await?;
        for (owner, role) in rows {
            map.entry(owner).or_default().push(role);
        }
        for roles in map.values_mut() {
            roles.sort_by_key(|id| keydesk_contract::roles::position(id));
        }
        Ok(map)
    }
}

/// Whether the row `id` of `table` exists: after a version-guarded write
/// touched nothing, it tells "changed meanwhile" from "gone".
async fn still_there(
    tx: &mut Transaction<'static, Sqlite>,
    table: &'static str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

/// A new opaque id: a short type prefix and 20 random base62 characters.
fn new_id(prefix: &str) -> String {
    use keydesk_contract::key_format::BASE62 as ALPHABET;
    let mut rng = rand::thread_rng();
    let random: String = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}_{random}")
}
