//! The HTTP surface: one file per resource, each with a `router()` listing its
//! routes, assembled here with the session layer, the built web app and health checks.

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod error;
pub mod extract;
pub mod health;
pub mod roles;
pub mod users;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::{time::Duration, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use crate::{AppState, Config};

/// Request bodies larger than this answer 413.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// A session ends after this long without a request.
pub const SESSION_IDLE_HOURS: i64 = 12;

pub fn app(state: AppState, sessions: SqliteStore, config: &Config) -> Router {
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("keydesk_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::hours(SESSION_IDLE_HOURS)));

    let api = Router::new()
        .merge(auth::router())
        .merge(roles::router())
        .merge(users::router())
        .merge(api_keys::router())
        .merge(audit::router())
        .fallback(|| async { error::Error::NotFound("endpoint") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        // Responses may hold a secret (generate) or private data: never cache them.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(session_layer);

    let index = config.dist.join("index.html");
    let web_app = ServeDir::new(&config.dist).fallback(ServeFile::new(index));

    Router::new()
        .nest(keydesk_contract::API_BASE, api)
        .merge(health::router())
        .fallback_service(web_app)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
