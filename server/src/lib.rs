//! keydesk-server: the JSON API (docs/api.md) on an embedded SQLite database
//! (or a PostgreSQL shared by replicas), plus the built web app.
//!
//! - [`config`]: flags with environment fallbacks.
//! - [`http`]: one file per resource, each starting with its `router()`;
//!   handlers parse and answer.
//! - [`auth`]: who is calling (session or key), sessions, passwords,
//!   throttling, second factors, single sign-on, and the no-escalation rule.
//! - [`events`]: signals out: Standard Webhooks signatures, and which
//!   destinations events may go to.
//! - [`rules`]: what may be done, decided here, one module per concept.
//! - [`usage`]: what keys do, counted in memory and written in batches; the
//!   usage window, "unused" and least privilege.
//! - [`storage`]: every SQL statement, behind one type.
//! - [`serve`]: the accept loop (first-request and header timeouts, a
//!   connection cap, graceful shutdown).
//! - [`security_log`]: one structured line per refused request, repeats counted.
//! - [`clock`]: the one time, injectable for tests.
//! - [`server_key`]: the secret key behind throttle digests and device cookies.
//! - [`spawned`]: the binary run as a process, for tests and benchmarks.

pub mod auth;
pub mod clock;
pub mod config;
pub mod events;
pub mod http;
pub mod rules;
pub mod security_log;
pub mod serve;
pub mod server_key;
pub mod spawned;
pub mod storage;
pub mod time_format;
pub mod usage;
pub mod webhook_receiver;

use std::net::SocketAddr;
use std::sync::Arc;

use auth::passwords::PasswordHasher;
use auth::sessions::SessionCookie;
use auth::throttle::Throttle;
use clock::{SharedClock, SystemClock};
pub use config::Config;
use config::IpRange;
use usage::Usage;

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState {
    pub storage: storage::Storage,
    pub clock: SharedClock,
    pub throttle: Arc<Throttle>,
    pub passwords: PasswordHasher,
    pub usage: Arc<Usage>,
    pub cookie: SessionCookie,
    pub trusted_proxies: Arc<[IpRange]>,
    pub server_key: server_key::ServerKey,
    /// Where people reach keydesk (invitation links), without a trailing slash.
    pub public_url: Arc<str>,
    /// keydesk as a WebAuthn relying party, at `public_url`; none when that
    /// names an IP address (browsers allow passkeys only on a host name).
    pub relying_party: Option<Arc<auth::passkeys::RelyingParty>>,
    /// Passkey-alone sign-ins begun and unanswered, at most.
    pub live_passkey_sign_ins: u32,
    /// The client single sign-on calls identity providers with.
    pub sso_http: reqwest::Client,
    /// Event destinations may be on loopback or private addresses, over plain HTTP.
    pub allow_private_destinations: bool,
    /// Leak reports per address (`POST /leaked-keys`).
    pub leak_reports: Arc<http::leaked_keys::ReportLimit>,
    /// When each key (and each decoy and address) last raised an alarm.
    pub alarms: Arc<http::alarms::Alarms>,
    /// How many days events are kept: a replay reaches back as far.
    pub events_kept_days: u32,
}

impl AppState {
    /// Where identity providers send people back (single sign-on).
    pub fn sso_redirect_uri(&self) -> String {
        format!(
            "{}{}/auth/sso/callback",
            self.public_url,
            keydesk_contract::API_BASE
        )
    }
}

/// A started server: its address, and a handle to stop it.
pub struct Running {
    pub addr: SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    usage: Arc<Usage>,
    storage: storage::Storage,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, writes what is
    /// pending, then returns.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        let served = self.task.await.map_err(std::io::Error::other)?;
        self.usage.flush().await;
        self.storage.close().await;
        security_log::flush();
        served
    }

    /// Asks the server to stop without waiting for it (a test server going
    /// out of scope): it stops accepting and ends once requests in flight end.
    pub fn stop_soon(self) {
        let _ = self.shutdown.send(());
    }

    /// The server's storage (tests read what the server itself sees).
    pub fn storage(&self) -> &storage::Storage {
        &self.storage
    }

    /// Runs until SIGINT/SIGTERM, then shuts down gracefully.
    pub async fn until_signal(self) -> std::io::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.stop().await
    }
}

/// Opens the database (creating and migrating it), binds the address and
/// starts serving. Errors say what could not be done, for the operator.
pub async fn start(config: &Config) -> Result<Running, String> {
    start_with(config, Overrides::default()).await
}

/// Parts a test may choose instead of the real ones.
pub struct Overrides {
    /// The clock (tests move it to expire sessions and throttle windows).
    pub clock: SharedClock,
    /// Password hashing (tests saturate it to see the 503).
    pub passwords: Option<PasswordHasher>,
}

impl Default for Overrides {
    fn default() -> Self {
        Overrides {
            clock: Arc::new(SystemClock),
            passwords: None,
        }
    }
}

/// [`start`] with some parts chosen by the caller.
pub async fn start_with(config: &Config, overrides: Overrides) -> Result<Running, String> {
    let Overrides { clock, passwords } = overrides;
    let storage = storage::Storage::open(&config.database_url, clock.clone())
        .await
        .map_err(|e| {
            let url = config.database_url_redacted();
            config::redact_url(&format!("cannot open database {url}: {e}"))
        })?;
    if storage.engine() == storage::Engine::Sqlite {
        match storage.durability().await {
            Ok((journal, synchronous)) => {
                tracing::info!(journal_mode = %journal, synchronous = %synchronous, "database durability")
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the database's durability settings")
            }
        }
    }
    if config.insecure_cookies {
        tracing::warn!(
            "--insecure-cookies: the session cookie is sent over plain HTTP, where anyone on \
             the network can read it. Serve keydesk over HTTPS and drop this flag."
        );
    }
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(dist = %config.dist.display(), "no built web app found; only the API is served");
    }
    let server_key = server_key::ServerKey::load(config.secret_key.as_ref(), &config.database_url)?;
    let throttle = Arc::new(Throttle::new(
        clock.clone(),
        storage.clone(),
        server_key.clone(),
    ));
    // Before anything that raises events starts: mailed events are queued
    // from the first one on.
    storage.set_mail_on(config.smtp_url.is_some());
    auth::sessions::spawn_sweeper(storage.clone(), clock.clone(), throttle.clone());
    security_log::spawn_flusher();
    let usage = Usage::new(storage.clone(), config.usage_flush_every);
    let kept = storage.clone();
    usage.spawn_flusher(clock.clone());
    events::deliverer::Deliverer {
        storage: storage.clone(),
        server_key: server_key.clone(),
        clock: clock.clone(),
        client: events::outbound::client(config.allow_private_destinations),
        allow_private: config.allow_private_destinations,
    }
    .spawn();
    events::expiring::spawn(
        storage.clone(),
        clock.clone(),
        usage.clone(),
        config.expiry_check_every,
    );
    events::retention::spawn(
        storage.clone(),
        clock.clone(),
        config.events_kept_days,
        config.events_sweep_every,
    );
    let state = AppState {
        storage,
        throttle,
        clock,
        passwords: passwords.unwrap_or_else(PasswordHasher::for_this_machine),
        usage: usage.clone(),
        cookie: SessionCookie::new(config.insecure_cookies),
        trusted_proxies: config.trusted_proxies.clone().into(),
        server_key,
        public_url: Arc::from(""),
        live_passkey_sign_ins: config.live_passkey_sign_ins,
        sso_http: auth::sso::http_client(),
        relying_party: None,
        allow_private_destinations: config.allow_private_destinations,
        leak_reports: Default::default(),
        alarms: Default::default(),
        events_kept_days: config.events_kept_days,
    };
    let listen = config.listen.clone();
    let listener = tokio::net::TcpListener::bind(listen.clone())
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let public_url = config.public_url(addr);
    let relying_party = match auth::passkeys::RelyingParty::new(&public_url) {
        Ok(rp) => Some(Arc::new(rp)),
        Err(why) => {
            tracing::warn!(public_url = %public_url, "passkeys are off: {why} (browsers allow WebAuthn only on a host name; set --public-url)");
            None
        }
    };
    if let (Some(smtp_url), Some(from)) = (&config.smtp_url, &config.mail_from) {
        events::mail::Mailer::new(kept.clone(), smtp_url, from, &public_url)?.spawn();
    }
    let state = AppState {
        public_url: public_url.into(),
        relying_party,
        ..state
    };
    let headers =
        http::hardening::SecurityHeaders::for_dist(&config.dist, !config.insecure_cookies);
    let app = http::app(state, config, &headers);
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = serve::Limits {
        max_connections: config.max_connections,
        first_request_timeout: config.first_request_timeout,
    };
    let task = tokio::spawn(serve::serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    Ok(Running {
        addr,
        shutdown,
        task,
        usage,
        storage: kept,
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
