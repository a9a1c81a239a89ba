//! `GET /api/openapi.json`: the API's OpenAPI 3.1 document, generated from
//! the code: each handler's `#[utoipa::path]` beside it, and the contract
//! crate's types (`ToSchema`), so the document cannot drift from either.
//! `scripts/test` runs schemathesis against a live server with it.

use axum::routing::get;
use axum::{Json, Router};
use keydesk_contract::types::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "keydesk",
        description = "Manage the API keys an organization's systems use to call the document-render platform."
    ),
    paths(
        super::auth::sign_up,
        super::auth::sign_in,
        super::auth::sign_out,
        super::auth::accept_invitation,
        super::auth::me,
        super::account::change_password,
        super::account::sign_out_everywhere,
        super::roles::list_permissions,
        super::roles::list_roles,
        super::roles::create,
        super::roles::read,
        super::roles::update,
        super::roles::remove,
        super::users::list,
        super::users::create,
        super::users::read,
        super::users::update,
        super::users::deactivate,
        super::users::activate,
        super::users::invite,
        super::users::generated_secrets,
        super::api_keys::list,
        super::api_keys::create,
        super::api_keys::read,
        super::api_keys::update,
        super::api_keys::remove,
        super::api_keys::generate,
        super::api_keys::disable,
        super::api_keys::enable,
        super::api_keys::whoami,
        super::audit::list,
        super::usage::authorize,
        super::usage::key_usage,
        super::usage::suggestion,
        super::usage::inventory,
        super::usage::inventory_csv,
    ),
    // Types only referenced by others or by query parameters.
    components(schemas(
        keydesk_contract::types::ErrorBody,
        keydesk_contract::types::ErrorDetail,
        keydesk_contract::types::ErrorCode,
        keydesk_contract::types::ApiKeySort,
        keydesk_contract::types::ApiKeyStatus,
        keydesk_contract::types::UserStatus,
        keydesk_contract::types::RequiredStep,
    )),
    modifiers(&Security),
    security(("session" = []), ("api_key" = []))
)]
pub struct ApiDoc;

/// How callers authenticate: a person's session cookie, or a system's key.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-keydesk_session",
                "A person's session, set by sign-in; writes also need `X-Requested-With: keydesk`.",
            ))),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A system's API key: `Authorization: Bearer kd_live_…`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The answers any API request may get besides its success: every one in
/// the error shape of `api.md`.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // describes answers; never built
pub enum Errors {
    /// Malformed request: bad JSON, a bad query, an unknown path.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No session or key, or an unknown one.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The caller lacks a permission, or the CSRF header is missing.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such thing in the caller's organization.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// It changed meanwhile (`If-Match`, versions) or is in use.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body did not arrive in time.
    #[response(status = 408)]
    RequestTimeout(ErrorBody),
    /// The body is over 64 KiB.
    #[response(status = 413)]
    PayloadTooLarge(ErrorBody),
    /// A field is invalid; `fields` says which and why.
    #[response(status = 422)]
    Validation(ErrorBody),
    /// Too many attempts; `Retry-After` says when to try again.
    #[response(status = 429)]
    TooManyAttempts(ErrorBody),
    /// Busy, too slow, or the database is not answering; `Retry-After` says when to try again.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(document))
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
