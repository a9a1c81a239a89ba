//! `GET /api/openapi.json`: the API's OpenAPI 3.1 document, generated from
//! the code: each handler's `#[utoipa::path]` beside it (which also routes
//! it, through `utoipa_axum::routes!`), and the contract crate's types
//! (`ToSchema`), so the document cannot drift from either.
//! `scripts/test` runs schemathesis against a live server with it.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "keydesk",
        description = "Manage the API keys an organization's systems use to call the document-render platform."
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

/// Serves `document`: [`ApiDoc`] with every routed endpoint, as
/// `super::app` assembled them.
pub fn router(document: utoipa::openapi::OpenApi) -> Router<AppState> {
    let document = std::sync::Arc::new(document);
    Router::new().route(
        "/api/openapi.json",
        get(move || {
            let document = document.clone();
            async move { Json(document.as_ref().clone()) }
        }),
    )
}
