//! Every SQL statement of keydesk lives under this module, behind [`Storage`].
//! Handlers never see SQL; the engines differ only here.
//!
//! One code path serves both engines through sqlx's `Any` driver: SQLite (the
//! embedded default) and PostgreSQL (shared by any number of replicas).
//! Portability notes: placeholders are `$1, $2, …` numbered in order of
//! appearance (both engines read that; [`sql::Sql`] builds dynamic ones),
//! timestamps are fixed-width RFC 3339 text, values are text and integers.
//! What differs lives in [`Engine`]: how a write takes the write lock, the
//! schema's dialect (`migrations/sqlite`, `migrations/postgres`), and how
//! constraint violations read ([`constraints`]).

mod api_keys;
mod audit;
pub mod constraints;
mod events;
mod invitations;
mod key_cache;
mod key_policy;
mod mail;
mod people;
mod replicas;
mod roles;
mod second_factors;
mod sessions;
mod sign_in_windows;
mod sql;
mod sso;
mod usage;

pub use api_keys::{Expiring, KeyFilter};
pub use audit::AuditEntry;
pub use constraints::Rule;
pub use events::{Attempted, Claimed, NewDestination, GONE_REASON};
pub use invitations::Accepted;
pub use key_policy::{judge, JudgedKey};
pub use mail::{MailToSend, MAILED};
pub use people::{stored_status, Account, Joined, SsoPerson};
pub use roles::RoleBook;
pub use second_factors::{Ceremony, PasskeyRow, Removal, TotpRow};
pub use sessions::SessionRow;
pub use sign_in_windows::StoredWindow;
pub use sso::{PendingSso, SsoConfig};
pub use usage::{DayCount, PermissionUse, UsageBatch};

use keydesk_contract::types::{Actor, Organization};
use rand::Rng;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::{Any, Executor, Transaction};
use std::collections::BTreeSet;
use std::time::Duration;

/// Which database engine is behind the storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of(url: &str) -> Result<Engine, String> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err("the database URL must start with sqlite:// or postgres://".into())
        }
    }
}

/// Every write takes this transaction-scoped lock on PostgreSQL, so writes
/// are serialized across replicas exactly as SQLite's `BEGIN IMMEDIATE`
/// serializes them: the rules decided inside a write (the last person holding
/// every permission, a role still in use) see no concurrent change.
pub const WRITE_LOCK: i64 = 0x006b_6579_6465_736b; // "keydesk" in ASCII

#[derive(Clone)]
pub struct Storage {
    pool: AnyPool,
    engine: Engine,
    /// The key check's memory; every write that could change its answers forgets them.
    key_cache: std::sync::Arc<key_cache::KeyCache>,
    /// The one clock: every stamp, status and window storage writes or
    /// judges comes from it (tests move it).
    clock: crate::clock::SharedClock,
    /// SQLite: the lock that keeps a second process off the file until
    /// [`Storage::close`] (the key check's memory assumes it sees every write).
    single_process: std::sync::Arc<std::sync::Mutex<Option<std::fs::File>>>,
    /// Signalled when a write queued an event delivery (the deliverer wakes).
    events_queued: std::sync::Arc<tokio::sync::Notify>,
    /// The server sends mail (`--smtp-url`): mailed events are queued.
    mail_on: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Signalled when a write queued a mail (the mailer wakes).
    mail_queued: std::sync::Arc<tokio::sync::Notify>,
}

impl Storage {
    /// Opens (creating a SQLite file if missing) and migrates the database
    /// at `url`. Replicas starting together on one PostgreSQL migrate once:
    /// sqlx's migrator holds an advisory lock while it runs.
    pub async fn open(url: &str, clock: crate::clock::SharedClock) -> Result<Self, String> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of(url)?;
        let single_process = match engine {
            Engine::Sqlite => lock_sqlite_file(url)?,
            Engine::Postgres => None,
        };
        let options = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            // A database that does not answer fails the request (503) in
            // seconds rather than holding it until the client gives up.
            .acquire_timeout(Duration::from_secs(5));
        let pool = match engine {
            Engine::Sqlite => {
                options
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // Durability, explicitly: readers never block the writer
                            // (WAL), and a change is on disk before it is acknowledged
                            // (FULL: each commit syncs the log), so a crash or power
                            // loss loses no acknowledged write. Writers queue for the
                            // lock (busy timeout) instead of failing at once.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await
                            .map(|_| ())
                        })
                    })
                    .connect(&sqlite_creating(url))
                    .await
            }
            Engine::Postgres => options.connect(url).await,
        }
        .map_err(|e| e.to_string())?;
        // (Boxed as `Send` futures: rustc cannot prove the migrator's generic
        // `Acquire` future `Send` for every lifetime inside a spawned start.)
        let migrated: std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(), String>> + Send>,
        > = match engine {
            Engine::Sqlite => Box::pin(migrate_sqlite(sqlite_creating(url), pool.clone())),
            Engine::Postgres => {
                let pool = pool.clone();
                Box::pin(async move {
                    sqlx::migrate!("./migrations/postgres")
                        .run(&pool)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
        };
        migrated.await?;
        let storage = Storage {
            pool,
            engine,
            key_cache: Default::default(),
            clock,
            single_process: std::sync::Arc::new(std::sync::Mutex::new(single_process)),
            events_queued: Default::default(),
            mail_on: Default::default(),
            mail_queued: Default::default(),
        };
        if engine == Engine::Sqlite {
            storage
                .release_leases_of_the_dead()
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(storage)
    }

    /// Now, by the storage's clock, as stored text.
    fn now(&self) -> String {
        crate::time_format::format(self.clock.now())
    }

    /// `seconds` after now, by the storage's clock, as stored text.
    fn in_seconds(&self, seconds: i64) -> String {
        crate::time_format::format(self.clock.now() + time::Duration::seconds(seconds))
    }

    /// Closes every connection (the server has stopped) and lets another
    /// process open the file.
    pub async fn close(&self) {
        self.pool.close().await;
        self.single_process.lock().expect("lock file").take();
    }

    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        // (Any reads every engine's `SELECT 1` the same way.)
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// SQLite only: the journal mode and synchronous level in force, e.g. `("wal", "full")`.
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
    /// writers wait their turn rather than failing mid-way.
    async fn write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }
}

/// Who is behind a session or a secret, and what they may do.
#[derive(Debug, Clone)]
pub struct Identity {
    pub organization: Organization,
    pub actor: Actor,
    /// The union of their roles' permissions.
    pub permissions: BTreeSet<&'static str>,
    /// A key's allowed networks (none: anywhere; always none for a person).
    pub networks: Option<std::sync::Arc<crate::rules::networks::KeyNetworks>>,
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
        let mut q = sql::Sql::new(match whose {
            RolesOf::ApiKeys => {
                "SELECT api_key_id, role_id FROM api_key_roles WHERE api_key_id IN "
            }
            RolesOf::Users => "SELECT user_id, role_id FROM user_roles WHERE user_id IN ",
        });
        q.bind_list(owner_ids.iter().copied());
        let rows: Vec<(String, String)> = q.query_as().fetch_all(&self.pool).await?;
        for (owner, role) in rows {
            map.entry(owner).or_default().push(role);
        }
        for roles in map.values_mut() {
            roles.sort_by_key(|id| keydesk_contract::roles::position(id));
        }
        Ok(map)
    }
}

/// How a change decided on an earlier read went: the one outcome of every
/// guarded write (keys, roles, people), so every resource answers alike.
#[derive(Debug)]
pub enum Outcome<T> {
    /// Written; the thing as it now is.
    Done(Box<T>),
    /// It no longer exists.
    Gone,
    /// It changed (any field) since the read the caller's checks were made on.
    Changed,
    /// Keys or people hold it (removing a role).
    InUse(keydesk_contract::types::RoleUsage),
    /// It would leave no active person holding every permission.
    LastAdministrator,
    /// Decided again under the write lock: the caller lacks these of what
    /// the change acts on.
    Forbidden(Vec<&'static str>),
}

/// Why a write guarded by the version read touched no row of `table`:
/// the row changed meanwhile, or it is gone. Every guarded write is one
/// `UPDATE … WHERE id = $ AND version = $`, then this when it touched nothing.
pub(super) async fn stale<T>(
    tx: &mut Transaction<'static, Any>,
    table: &'static str,
    id: &str,
) -> Result<Outcome<T>, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(if found.is_some() {
        Outcome::Changed
    } else {
        Outcome::Gone
    })
}

/// What an owner (a key, a person, a role) holds, one row each: a key's or
/// a person's roles, a role's permissions.
#[derive(Debug, Clone, Copy)]
enum Holdings {
    KeyRoles,
    PersonRoles,
    RolePermissions,
}

/// Writes `owner`'s holdings `values`, one row each, inside `tx`.
async fn insert_holdings(
    tx: &mut Transaction<'static, Any>,
    what: Holdings,
    owner: &str,
    values: &[String],
) -> Result<(), sqlx::Error> {
    let sql = match what {
        Holdings::KeyRoles => "INSERT INTO api_key_roles (api_key_id, role_id) VALUES ($1, $2)",
        Holdings::PersonRoles => "INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)",
        Holdings::RolePermissions => {
            "INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)"
        }
    };
    for value in values {
        sqlx::query(sql)
            .bind(owner)
            .bind(value)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
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

/// Migrates a SQLite database with foreign keys off (one connection of its
/// own), as SQLite's documented table rebuild needs: dropping the old table
/// must cascade to nothing. Then checks that every reference still holds.
async fn migrate_sqlite(url: String, pool: AnyPool) -> Result<(), String> {
    let migrating = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA foreign_keys = OFF; PRAGMA busy_timeout = 10000;")
                    .await
                    .map(|_| ())
            })
        })
        .connect(&url)
        .await
        .map_err(|e| e.to_string())?;
    let migrated = sqlx::migrate!("./migrations/sqlite").run(&migrating).await;
    migrating.close().await;
    migrated.map_err(|e| e.to_string())?;
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?;
    match broken.first() {
        None => Ok(()),
        Some((table,)) => Err(format!(
            "the database's references do not hold after migrating (table {table})"
        )),
    }
}

/// Takes an exclusive lock on `<database>.lock` (released by the kernel if
/// the process dies), or refuses to start: two processes on one SQLite file
/// would each answer key checks from a memory that misses the other's writes.
fn lock_sqlite_file(url: &str) -> Result<Option<std::fs::File>, String> {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let file = rest.strip_prefix("//").unwrap_or(rest);
    let file = file.split('?').next().unwrap_or(file);
    if file.is_empty() || file.contains(":memory:") {
        return Ok(None);
    }
    let path = format!("{file}.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open the lock file {path}: {e}"))?;
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this function owns.
    let locked = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if locked != 0 {
        return Err(format!(
            "another keydesk process is using {file}: one SQLite database serves one process              (use PostgreSQL for replicas)"
        ));
    }
    Ok(Some(lock))
}

/// `url` with SQLite's "create the file if missing" mode, unless it sets a mode.
fn sqlite_creating(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}
