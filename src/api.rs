//! The one place that knows URLs and speaks HTTP to the keydesk API. Every
//! call returns a typed [`ApiError`] that one component knows how to show.

use gloo_net::http::{Request, RequestBuilder, Response};
use keydesk_contract::types::{
    ApiKey, ApiKeyPage, ApiKeyQuery, AuditPage, CreateApiKeyRequest, ErrorBody, ErrorCode,
    FieldErrors, GenerateRequest, GeneratedApiKey, Me, Permission, Role, SignInRequest,
    SignUpRequest, UpdateApiKeyRequest,
};
use keydesk_contract::{API_BASE, CSRF_HEADER, CSRF_VALUE};
use serde::de::DeserializeOwned;
use serde::Serialize;

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
            | ApiError::Server(m) => f.write_str(m),
            ApiError::Invalid { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

/// Every request sends the CSRF header; the server requires it on writes.
fn with_headers(builder: RequestBuilder) -> RequestBuilder {
    builder
        .header(CSRF_HEADER, CSRF_VALUE)
        .header("Accept", "application/json")
}

async fn send(request: Result<Request, gloo_net::Error>) -> ApiResult<Response> {
    let request =
        request.map_err(|e| ApiError::Server(format!("The request could not be built: {e}")))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        Ok(response)
    } else {
        Err(error_from(response).await)
    }
}

async fn error_from(response: Response) -> ApiError {
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
        ErrorCode::Forbidden | ErrorCode::Csrf => ApiError::Forbidden(error.message),
        ErrorCode::NotFound => ApiError::NotFound(error.message),
        ErrorCode::ValidationFailed | ErrorCode::Conflict => ApiError::Invalid {
            message: error.message,
            fields: error.fields.unwrap_or_default(),
        },
        ErrorCode::TooManyAttempts => ApiError::TooManyAttempts(error.message),
        // Busy or slow: worth a retry, like any server failure.
        ErrorCode::Unavailable | ErrorCode::RequestTimeout => ApiError::Server(error.message),
        _ => ApiError::Server(error.message),
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    response
        .json()
        .await
        .map_err(|e| ApiError::Server(format!("The server's answer could not be read: {e}")))
}

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    read(send(with_headers(Request::get(&url(path))).build()).await?).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    read(send(with_headers(Request::post(&url(path))).json(body)).await?).await
}

// ---------------------------------------------------------------- people

pub async fn me() -> ApiResult<Me> {
    get("/me").await
}

pub async fn sign_in(req: &SignInRequest) -> ApiResult<Me> {
    post("/auth/sign-in", req).await
}

pub async fn sign_up(req: &SignUpRequest) -> ApiResult<Me> {
    post("/auth/sign-up", req).await
}

pub async fn sign_out() -> ApiResult<()> {
    send(with_headers(Request::post(&url("/auth/sign-out"))).build())
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------- roles

pub async fn roles() -> ApiResult<Vec<Role>> {
    get("/roles").await
}

pub async fn permissions() -> ApiResult<Vec<Permission>> {
    get("/permissions").await
}

// ---------------------------------------------------------------- API keys

/// `?search=…&role=…` with each value URL-encoded; empty values left out.
pub fn query_string(q: &ApiKeyQuery) -> String {
    let limit = q.limit.map(|l| l.to_string());
    let pairs = [
        ("search", q.search.as_deref()),
        ("role", q.role.as_deref()),
        ("status", q.status.map(|s| s.as_str())),
        ("sort", q.sort.map(|s| s.as_str())),
        ("cursor", q.cursor.as_deref()),
        ("limit", limit.as_deref()),
    ];
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value or path segment.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn list_keys(q: &ApiKeyQuery) -> ApiResult<ApiKeyPage> {
    get(&format!("/api-keys{}", query_string(q))).await
}

pub async fn create_key(req: &CreateApiKeyRequest) -> ApiResult<ApiKey> {
    post("/api-keys", req).await
}

/// Saves an edit made on the key as it was at `version`: if someone changed
/// it since, the server answers 409 instead of undoing their change.
pub async fn update_key(id: &str, version: u64, req: &UpdateApiKeyRequest) -> ApiResult<ApiKey> {
    let request = with_headers(Request::patch(&url(&format!("/api-keys/{}", encode(id)))))
        .header("If-Match", &format!("\"{version}\""))
        .json(req);
    read(send(request).await?).await
}

pub async fn delete_key(id: &str) -> ApiResult<()> {
    send(with_headers(Request::delete(&url(&format!("/api-keys/{}", encode(id))))).build())
        .await
        .map(|_| ())
}

/// Generates or regenerates the key's secret: the only answer that holds it.
pub async fn generate_key(id: &str, req: &GenerateRequest) -> ApiResult<GeneratedApiKey> {
    post(&format!("/api-keys/{}/generate", encode(id)), req).await
}

// ---------------------------------------------------------------- audit trail

/// A page of the audit trail, newest first; `cursor` continues from an earlier page.
pub async fn audit_events(cursor: Option<&str>) -> ApiResult<AuditPage> {
    let query = cursor
        .map(|c| format!("?cursor={}", encode(c)))
        .unwrap_or_default();
    get(&format!("/audit-events{query}")).await
}

/// A call in flight, as handed to dialogs so they can be driven without a server in tests.
pub type Pending<T> = std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<T>>>>;

/// Boxes a call for a dialog's `submit` prop.
pub fn pending<T, F>(future: F) -> Pending<T>
where
    F: std::future::Future<Output = ApiResult<T>> + 'static,
{
    Box::pin(future)
}
