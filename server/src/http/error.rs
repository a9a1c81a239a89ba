//! The one error type of the API, mapped to the status codes and error
//! body in one place. Handlers just use `?`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use keydesk_contract::types::{ErrorBody, ErrorCode, ErrorDetail, FieldErrors};

use crate::auth::passwords::Busy;
use crate::auth::throttle::Throttled;

use crate::auth::Denied;
use crate::storage::{constraints, Rule};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Password sign-in while the organization requires single sign-on.
    #[error("single sign-on required")]
    SsoRequired,
    /// A wrong (or spent) second step: 401 `invalid_credentials`, saying which.
    #[error("{0}")]
    WrongSecondStep(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("missing CSRF header")]
    Csrf,
    /// This session must take one step before anything else.
    #[error("a required step comes first")]
    StepRequired(crate::auth::sessions::Restriction),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The thing changed since the caller read it.
    #[error("{0}")]
    Conflict(std::borrow::Cow<'static, str>),
    /// An API key used from outside its allowed networks, enforced (403).
    #[error("network refused")]
    NetworkRefused,
    /// 404 with a message naming what was not found (several ids).
    #[error("{0}")]
    Missing(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("validation failed")]
    Validation(FieldErrors),
    /// Throttled; `message` says what was tried too often.
    #[error("{message}")]
    TooManyAttempts {
        message: &'static str,
        retry_after_seconds: u64,
    },
    /// Saturated (every password-hashing slot busy) or too slow to answer.
    #[error("{message}")]
    Unavailable {
        message: &'static str,
        retry_after_seconds: u64,
    },
    /// The client stopped sending its request body.
    #[error("request body not received in time")]
    RequestTimeout,
    /// Logged with its detail; the client only learns that something failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    /// A 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Validation(FieldErrors::from([(field.to_string(), message.into())]))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code, message, fields) = match self {
            Error::BadRequest(m) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest, m, None),
            Error::Unauthenticated(m) => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                m.into(),
                None,
            ),
            Error::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                "The email or password is not right.".into(),
                None,
            ),
            Error::SsoRequired => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::SsoRequired,
                "Your organization signs in through its identity provider: use \u{201c}Continue with \
                 single sign-on\u{201d}."
                    .into(),
                None,
            ),
            Error::WrongSecondStep(m) => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                m.into(),
                None,
            ),
            Error::Forbidden(m) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, m, None),
            Error::Csrf => (
                StatusCode::FORBIDDEN,
                ErrorCode::Csrf,
                "This request must carry the header X-Requested-With: keydesk.".into(),
                None,
            ),
            Error::StepRequired(crate::auth::sessions::Restriction::SetPassword) => (
                StatusCode::FORBIDDEN,
                ErrorCode::PasswordChangeRequired,
                "Set a password of your own first: the one you signed in with was set by \
                 someone else."
                    .into(),
                None,
            ),
            Error::StepRequired(crate::auth::sessions::Restriction::EnrolSecondFactor) => (
                StatusCode::FORBIDDEN,
                ErrorCode::SecondFactorRequired,
                "Your organization requires a second factor: set up an authenticator app or a \
                 passkey first (My account \u{2192} Security)."
                    .into(),
                None,
            ),
            Error::NotFound(what) => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                format!("No such {what}."),
                None,
            ),
            Error::Missing(m) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, m, None),
            Error::NetworkRefused => (
                StatusCode::FORBIDDEN,
                ErrorCode::NetworkRefused,
                "This API key may not be used from this address: it is outside the key's allowed networks.".into(),
                None,
            ),
            Error::Conflict(m) => (
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                m.into_owned(),
                None,
            ),
            Error::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The request body is too large.".into(),
                None,
            ),
            Error::Validation(fields) => {
                let message = if fields.len() == 1 {
                    fields.values().next().cloned().unwrap_or_default()
                } else {
                    "Some fields are not valid.".to_string()
                };
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::ValidationFailed,
                    message,
                    Some(fields),
                )
            }
            Error::TooManyAttempts {
                message,
                retry_after_seconds,
            } => {
                return with_retry_after(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyAttempts,
                    format!(
                        "{message} Try again in {}.",
                        wait_words(retry_after_seconds)
                    ),
                    retry_after_seconds,
                );
            }
            Error::Unavailable {
                message,
                retry_after_seconds,
            } => {
                return with_retry_after(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    message.into(),
                    retry_after_seconds,
                );
            }
            Error::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                "The request body did not arrive in time.".into(),
                None,
            ),
            Error::Database(e) if constraints::is_unavailable(&e) => {
                tracing::warn!(error = %e, "database unavailable");
                return with_retry_after(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "The database is not answering right now. Try again in a few seconds.".into(),
                    DATABASE_RETRY_AFTER_SECONDS,
                );
            }
            Error::Database(e) => {
                tracing::error!(error = %e, "database error");
                internal()
            }
            Error::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                internal()
            }
        };
        (status, body(code, message, fields)).into_response()
    }
}

/// What a client is told to wait when the database does not answer.
const DATABASE_RETRY_AFTER_SECONDS: u64 = 2;

fn with_retry_after(
    status: StatusCode,
    code: ErrorCode,
    message: String,
    retry_after_seconds: u64,
) -> Response {
    (
        status,
        [(header::RETRY_AFTER, retry_after_seconds.to_string())],
        body(code, message, None),
    )
        .into_response()
}

/// "12 seconds", "3 minutes".
fn wait_words(seconds: u64) -> String {
    match seconds {
        0..=1 => "a second".into(),
        2..=90 => format!("{seconds} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

fn internal() -> (StatusCode, ErrorCode, String, Option<FieldErrors>) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "Something went wrong on our side. Please try again.".into(),
        None,
    )
}

fn body(code: ErrorCode, message: String, fields: Option<FieldErrors>) -> Json<ErrorBody> {
    Json(ErrorBody {
        error: ErrorDetail {
            code,
            message,
            fields,
        },
    })
}

/// A role chosen for a key or person was removed between the request's
/// checks and its write.
pub fn role_removed() -> Error {
    Error::field(
        "role_ids",
        "A role you chose was removed meanwhile. Reload and choose again.",
    )
}

/// Turns a broken uniqueness rule into a chosen error instead of checking
/// before inserting (which would race).
pub trait ResultExt<T> {
    fn on_constraint(self, rule: Rule, f: impl FnOnce() -> Error) -> Result<T, Error>;
}

impl<T, E: Into<Error>> ResultExt<T> for Result<T, E> {
    fn on_constraint(self, rule: Rule, f: impl FnOnce() -> Error) -> Result<T, Error> {
        self.map_err(|e| match e.into() {
            Error::Database(db) if constraints::violates(&db, rule) => f(),
            other => other,
        })
    }
}

impl From<crate::rules::Refusal> for Error {
    fn from(refusal: crate::rules::Refusal) -> Self {
        use crate::rules::Refusal;
        match refusal {
            Refusal::Forbidden(denied) => Error::Forbidden(denied.0),
            Refusal::Invalid(fields) => Error::Validation(fields),
            Refusal::Conflict(message) => Error::Conflict(message.into()),
        }
    }
}

impl From<Denied> for Error {
    fn from(denied: Denied) -> Self {
        Error::Forbidden(denied.0)
    }
}

/// The answers any API request may get besides its success: every one in
/// the error shape of docs/api.md.
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

/// Every hashing slot is taken.
pub fn busy(_: Busy) -> Error {
    Error::Unavailable {
        message: "keydesk is busy signing other people in. Please try again in a moment.",
        retry_after_seconds: 1,
    }
}

/// A throttled attempt, with what was tried too often.
pub fn throttled(message: &'static str) -> impl Fn(Throttled) -> Error {
    move |t| Error::TooManyAttempts {
        message,
        retry_after_seconds: t.retry_after_seconds,
    }
}

/// Joining with an address someone already joined with, in any organization.
pub fn address_has_an_account() -> Error {
    Error::Conflict(
        "This address already has a keydesk account. Sign in with it; an address belongs to \
         one organization."
            .into(),
    )
}
