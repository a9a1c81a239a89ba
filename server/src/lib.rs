//! keydesk-server: the JSON API of `api.md` on an embedded SQLite database,
//! plus the built web app.
//!
//! - [`config`]: flags with environment fallbacks.
//! - [`http`]: one file per resource, each starting with its `router()`.
//! - [`storage`]: every SQL statement, behind one type.
//! - [`auth`]: who is calling (session or key), passwords, sign-in throttling.

pub mod auth;
pub mod config;
pub mod http;
pub mod storage;
pub mod time_format;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::Config;

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState {
    pub storage: storage::Storage,
    pub throttle: Arc<auth::throttle::SignInThrottle>,
}

/// A started server: its address, and a handle to stop it.
pub struct Running {
    pub addr: SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, then returns.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.map_err(std::io::Error::other)?
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
    let storage = storage::Storage::open(&config.database_url)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", config.database_url))?;
    let sessions = storage
        .session_store()
        .await
        .map_err(|e| format!("cannot prepare the session table: {e}"))?;
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(dist = %config.dist.display(), "no built web app found; only the API is served");
    }
    let state = AppState {
        storage,
        throttle: Arc::new(auth::throttle::SignInThrottle::default()),
    };
    let app = http::app(state, sessions, config);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await
    });
    Ok(Running {
        addr,
        shutdown,
        task,
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
