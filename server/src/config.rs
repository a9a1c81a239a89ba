//! Operator settings (`api.md`, "Running the server"): each a flag with an
//! environment fallback; the defaults give the embedded set-up.

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "keydesk-server",
    version,
    about = "keydesk: API-key console and JSON API"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "KEYDESK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Database URL; a SQLite file is created if missing.
    #[arg(
        long,
        env = "KEYDESK_DATABASE_URL",
        default_value = "sqlite://keydesk.db"
    )]
    pub database_url: String,

    /// Folder holding the built web app (`trunk build --release` output).
    #[arg(long, env = "KEYDESK_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Mark the session cookie Secure: set this when users reach keydesk over HTTPS.
    #[arg(long, env = "KEYDESK_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
}

impl Config {
    /// Settings for a server on a free local port with this database (used by tests).
    pub fn local(database_url: impl Into<String>, dist: impl Into<PathBuf>) -> Self {
        Config {
            listen: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            dist: dist.into(),
            secure_cookies: false,
        }
    }
}
