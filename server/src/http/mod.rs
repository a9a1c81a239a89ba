//! The HTTP surface: one file per resource, each with a `router()` listing its
//! routes, assembled here with the built web app, health checks and the
//! hardening every response gets.

pub mod account;
pub mod alarms;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod bulk_keys;
pub mod ceremonies;
pub mod client;
pub mod error;
pub mod event_destinations;
pub mod extract;
pub mod found;
pub mod hardening;
pub mod health;
pub mod key_policy;
pub mod leaked_keys;
pub mod openapi;
pub mod organization;
pub mod outcome;
pub mod reauthentication;
pub mod roles;
pub mod second_factors;
pub mod second_step;
pub mod signing_in;
pub mod sso;
pub mod usage;
pub mod users;
pub mod web_app;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{AppState, Config};
use hardening::SecurityHeaders;

/// Request bodies larger than this answer 413.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

pub fn app(state: AppState, config: &Config, headers: &SecurityHeaders) -> Router {
    // Each endpoint is spelled once, in its `#[utoipa::path]`: `routes!`
    // routes it and documents it, so nothing routed goes undocumented.
    let api = OpenApiRouter::new()
        .merge(auth::router())
        .merge(second_step::router())
        .merge(second_factors::router())
        .merge(organization::router())
        .merge(sso::router())
        .merge(key_policy::router())
        .merge(event_destinations::router())
        .merge(leaked_keys::router())
        .merge(bulk_keys::router())
        .merge(account::router())
        .merge(roles::router())
        .merge(users::router())
        .merge(api_keys::router())
        .merge(audit::router())
        .merge(usage::router())
        .fallback(|| async { error::Error::NotFound("endpoint") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        // Responses may hold a secret (generate) or private data: never cache them.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let (api, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(keydesk_contract::API_BASE, api)
        .split_for_parts();

    let app = api
        .merge(health::router())
        .merge(openapi::router(document))
        .with_state(state)
        .fallback_service(web_app::service(&config.dist));
    hardening::harden(app, headers).layer(TraceLayer::new_for_http())
}
