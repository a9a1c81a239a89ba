//! Extractors: authentication happens here, once. Handlers receive a
//! [`Caller`] and never look at headers themselves. `Json` and `Query` wrap
//! axum's so that malformed input answers in the API's error shape.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use keydesk_contract::{key_format, API_KEY_HEADER, CSRF_HEADER, CSRF_VALUE};
use std::convert::Infallible;

use super::client::client_addr;
use super::error::Error;
use crate::auth::{sessions, Caller};
use crate::security_log::{self, Refused, Who};
use crate::{time_format, AppState};

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
        if timed_out(&rejection) {
            return Error::RequestTimeout;
        }
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
            _ => Error::BadRequest(format!(
                "The request body is not valid for this endpoint: {}",
                rejection.body_text()
            )),
        }
    }
}

/// Why a raw body could not be read, in the API's terms.
pub fn body_error(rejection: axum::extract::rejection::BytesRejection) -> Error {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge
    } else if timed_out(&rejection) {
        Error::RequestTimeout
    } else {
        Error::BadRequest("The request body could not be read.".into())
    }
}

/// Whether reading the body failed because the client stopped sending it.
fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = error.source();
    }
    false
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
        let client = client_addr(parts, &state.trusted_proxies);
        if let Some(candidate) = presented_key(parts) {
            let refuse = |reason: &str| {
                security_log::refused(Refused::InvalidKey, reason, Who::default(), client.0);
            };
            // The checksum rejects typos and garbage without a database look-up.
            let Ok(secret) = key_format::parse(candidate) else {
                refuse("malformed key");
                return Err(Error::Unauthenticated("The API key is not valid."));
            };
            let now = time_format::format(state.clock.now());
            let digest = key_format::digest(&secret);
            let Some(identity) = state.storage.identity_for_secret(&digest, &now).await? else {
                refuse("unknown, replaced, removed or expired key");
                // An expired key still called is an outage in the making: noted
                // for the API Keys tab's warning (at most once a minute per key).
                let a_minute_ago =
                    time_format::format(state.clock.now() - time::Duration::minutes(1));
                let address = client.0.to_string();
                let decoy = state
                    .storage
                    .note_refused_secret(&digest, &now, &a_minute_ago, &address)
                    .await?;
                // A decoy answers as any unknown key, at the same speed: its
                // alarm is written after the answer, not before.
                if let Some(decoy) = decoy {
                    let user_agent = parts
                        .headers
                        .get(axum::http::header::USER_AGENT)
                        .and_then(|v| v.to_str().ok())
                        .map(|ua| ua.chars().take(200).collect::<String>());
                    super::alarms::decoy_used(state, &decoy, client.0, user_agent);
                }
                return Err(Error::Unauthenticated(
                    "The API key is not valid, was replaced or was removed.",
                ));
            };
            // Outside the key's networks: refused (enforce) or served (report),
            // an alarm either way. The platform's key check decides with
            // its caller's address instead (POST /authorize).
            if let Some(networks) = identity.networks.clone() {
                if !parts.uri.path().ends_with("/authorize") && !networks.allows(client.0) {
                    super::alarms::network_refused(
                        state,
                        &identity.actor.id,
                        client.0,
                        networks.enforce,
                    );
                    if networks.enforce {
                        security_log::refused(
                            Refused::InvalidKey,
                            "outside the key's allowed networks",
                            Who::default(),
                            client.0,
                        );
                        return Err(Error::NetworkRefused);
                    }
                }
            }
            let meter = state.usage.record(&identity.actor.id, &now, client.0);
            return Ok(Caller::new(identity, client.0).metered(meter));
        }

        let Some(token) = state.cookie.read(&parts.headers) else {
            return Err(Error::Unauthenticated("Sign in to continue."));
        };
        let session = sessions::user_of(&state.storage, state.clock.as_ref(), token)
            .await?
            .ok_or(Error::Unauthenticated("Sign in to continue."))?;
        let identity = state
            .storage
            .identity_for_user(&session.user_id, session.restriction.is_some())
            .await?
            .ok_or(Error::Unauthenticated("Sign in to continue."))?;
        let caller = Caller::new(identity, client.0).restricted(session.restriction);
        if let Some(step) = caller.restriction {
            if !crate::rules::sessions::step_allows(step, &parts.method, api_path(parts)) {
                return Err(Error::StepRequired(step));
            }
        }
        if is_unsafe(&parts.method) && !has_csrf_header(parts) {
            security_log::refused(
                Refused::Csrf,
                "cookie-authenticated write without X-Requested-With",
                Who {
                    organization: Some(&caller.organization.id),
                    actor: Some(&caller.actor),
                },
                client.0,
            );
            return Err(Error::Csrf);
        }
        Ok(caller)
    }
}

/// The session token the browser sent, if any (sign-out ends that session).
pub struct SessionToken(pub Option<String>);

impl FromRequestParts<AppState> for SessionToken {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(SessionToken(
            state.cookie.read(&parts.headers).map(String::from),
        ))
    }
}

/// The request's path below the API base (`/me`, `/auth/sign-out`, …).
fn api_path(parts: &Parts) -> &str {
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(parts.uri.path(), |o| o.0.path());
    path.strip_prefix(keydesk_contract::API_BASE)
        .unwrap_or(path)
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn has_csrf_header(parts: &Parts) -> bool {
    parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) == Some(CSRF_VALUE)
}

/// `If-Match` on a change: the version the client decided it on
/// (`"3"`, `W/"3"`), `*` for any version (RFC 9110), or absent. A change is
/// always checked against the version the server read; this only lets a
/// client name an older one it showed a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    Absent,
    Any,
    Version(u64),
}

impl IfMatch {
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Result<Self, Error> {
        let Some(value) = headers.get(header::IF_MATCH) else {
            return Ok(IfMatch::Absent);
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(IfMatch::Any);
        }
        let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
        text.parse::<u64>().map(IfMatch::Version).map_err(|_| {
            Error::BadRequest(
                "If-Match must be the version the change was decided on, e.g. \"3\" (or *).".into(),
            )
        })
    }

    /// Whether a thing now at `current` may be changed.
    pub fn allows(self, current: u64) -> bool {
        match self {
            IfMatch::Absent | IfMatch::Any => true,
            IfMatch::Version(v) => v == current,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        IfMatch::from_headers(&parts.headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_reads_versions_weak_tags_and_star() {
        let read = |v: &str| {
            let mut h = axum::http::HeaderMap::new();
            h.insert(header::IF_MATCH, v.parse().unwrap());
            IfMatch::from_headers(&h)
        };
        assert_eq!(read("\"3\"").unwrap(), IfMatch::Version(3));
        assert_eq!(read("W/\"3\"").unwrap(), IfMatch::Version(3));
        assert_eq!(read("*").unwrap(), IfMatch::Any);
        assert!(read("\"x\"").is_err());
        assert!(IfMatch::Any.allows(7) && IfMatch::Absent.allows(7));
        assert!(IfMatch::Version(3).allows(3) && !IfMatch::Version(3).allows(4));
    }
}
