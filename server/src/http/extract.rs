//! Extractors: authentication happens here, once. Handlers receive a
//! [`Caller`] and never look at headers themselves. `Json` and `Query` wrap
//! axum's so that malformed input answers in the API's error shape.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use keydesk_contract::{key_format, API_KEY_HEADER, CSRF_HEADER, CSRF_VALUE};
use tower_sessions::Session;

use super::error::Error;
use crate::auth::Caller;
use crate::AppState;

/// Session key holding the signed-in user's id.
pub const SESSION_USER_ID: &str = "user_id";

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
            _ => Error::BadRequest(format!(
                "The request body is not valid for this endpoint: {}",
                rejection.body_text()
            )),
        }
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::BadRequest(format!(
            "The query string is not valid: {}",
            rejection.body_text()
        ))
    }
}

/// The key a system sent, from `Authorization: Bearer` or `X-API-Key`.
fn presented_key(parts: &Parts) -> Option<&str> {
    if let Some(v) = parts
        .headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return Some(v.trim());
    }
    let auth = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(candidate) = presented_key(parts) {
            // The checksum rejects typos and garbage without a database look-up.
            let secret = key_format::parse(candidate)
                .map_err(|_| Error::Unauthenticated("The API key is not valid."))?;
            return state
                .storage
                .caller_for_secret(&key_format::digest(&secret))
                .await?
                .ok_or(Error::Unauthenticated(
                    "The API key is not valid, was replaced or was removed.",
                ));
        }

        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::Internal("session layer missing".into()))?;
        let user_id: Option<String> = session
            .get(SESSION_USER_ID)
            .await
            .map_err(|e| Error::Internal(format!("session store: {e}")))?;
        let Some(user_id) = user_id else {
            return Err(Error::Unauthenticated("Sign in to continue."));
        };
        let caller = state
            .storage
            .caller_for_user(&user_id)
            .await?
            .ok_or(Error::Unauthenticated("Sign in to continue."))?;
        if is_unsafe(&parts.method) && !has_csrf_header(parts) {
            return Err(Error::Csrf);
        }
        Ok(caller)
    }
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn has_csrf_header(parts: &Parts) -> bool {
    parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) == Some(CSRF_VALUE)
}
