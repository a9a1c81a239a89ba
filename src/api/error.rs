//! Why a call failed, in terms the screens act on.

use gloo_net::http::Response;
use keydesk_contract::types::{ErrorBody, ErrorCode, FieldErrors};

/// Why a call failed, in terms the screens act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server could not be reached (offline, stopped, network down).
    Network,
    /// No session, or it expired: the user must sign in (again).
    Unauthenticated(String),
    /// Sign-in with a wrong email or password.
    InvalidCredentials(String),
    /// Signed in, but not allowed.
    Forbidden(String),
    NotFound(String),
    /// Some fields are invalid; each has its message.
    Invalid {
        message: String,
        fields: FieldErrors,
    },
    /// Too many sign-in attempts.
    TooManyAttempts(String),
    /// Password sign-in while the organization requires single sign-on.
    SsoRequired(String),
    /// The server failed (5xx) or answered something unexpected.
    Server(String),
}

impl ApiError {
    /// The message for a field, if the server named it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Invalid { fields, .. } => fields.get(name).cloned(),
            _ => None,
        }
    }

    /// Whether trying again later may help (the retry panel offers it).
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Network | ApiError::Server(_))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Network => {
                f.write_str("The server did not answer. Check your connection, then retry: nothing you typed is lost.")
            }
            ApiError::Unauthenticated(m)
            | ApiError::InvalidCredentials(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::TooManyAttempts(m)
            | ApiError::SsoRequired(m)
            | ApiError::Server(m) => f.write_str(m),
            ApiError::Invalid { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for ApiError {}

/// The error an unsuccessful answer means.
pub(super) async fn error_from(response: Response) -> ApiError {
    let status = response.status();
    let body: Option<ErrorBody> = response.json().await.ok();
    let Some(ErrorBody { error }) = body else {
        // A proxy (e.g. `trunk serve` with the API down) answers without our body.
        return if status == 502 || status == 503 || status == 504 {
            ApiError::Network
        } else {
            ApiError::Server(format!("The server answered {status}. Please try again."))
        };
    };
    match error.code {
        ErrorCode::Unauthenticated => ApiError::Unauthenticated(error.message),
        ErrorCode::InvalidCredentials => ApiError::InvalidCredentials(error.message),
        ErrorCode::Forbidden
        | ErrorCode::Csrf
        | ErrorCode::PasswordChangeRequired
        | ErrorCode::SecondFactorRequired => ApiError::Forbidden(error.message),
        ErrorCode::NotFound => ApiError::NotFound(error.message),
        ErrorCode::ValidationFailed | ErrorCode::Conflict => ApiError::Invalid {
            message: error.message,
            fields: error.fields.unwrap_or_default(),
        },
        ErrorCode::TooManyAttempts => ApiError::TooManyAttempts(error.message),
        ErrorCode::SsoRequired => ApiError::SsoRequired(error.message),
        // Busy or slow: worth a retry, like any server failure.
        _ => ApiError::Server(error.message),
    }
}
