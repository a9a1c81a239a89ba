//! The one place that knows URLs and speaks HTTP to the keydesk API. Every
//! call returns a typed [`ApiError`] that one component knows how to show;
//! every answer passes through [`transport`], which also notices, once for
//! the whole app, when the session has ended.

mod bulk;
pub mod early;
mod error;
mod events;
mod key_policy;
mod second_factors;
mod sso;
mod transport;

pub use bulk::*;
pub use error::ApiError;
pub use events::*;
pub use key_policy::*;
pub use second_factors::*;
pub use sso::*;
pub use transport::when_session_ends;

use gloo_net::http::Request;
use keydesk_contract::types::{
    AcceptInvitationRequest, ApiKey, ApiKeyPage, ApiKeyQuery, AuditPage, ChangePasswordRequest,
    CreateApiKeyRequest, CreateRoleRequest, CreateUserRequest, GenerateRequest, GeneratedApiKey,
    GeneratedSecret, Inventory, Invitation, KeyUsage, Me, Role, SignUpRequest, UpdateApiKeyRequest,
    UpdateRoleRequest, UpdateUserRequest, User, UserStatus,
};
use transport::{get, post, read, send, url, with_headers};

pub type ApiResult<T> = Result<T, ApiError>;

// ---------------------------------------------------------------- people

pub async fn me() -> ApiResult<Me> {
    get("/me").await
}

pub async fn sign_up(req: &SignUpRequest) -> ApiResult<Me> {
    post("/auth/sign-up", req).await
}

pub async fn sign_out() -> ApiResult<()> {
    send(with_headers(Request::post(&url("/auth/sign-out"))).build())
        .await
        .map(|_| ())
}

/// Changes the signed-in person's password; their other sessions end.
pub async fn change_password(req: &ChangePasswordRequest) -> ApiResult<()> {
    send(with_headers(Request::post(&url("/me/password"))).json(req))
        .await
        .map(|_| ())
}

/// Ends every session of the signed-in person, this one too.
pub async fn sign_out_everywhere() -> ApiResult<()> {
    send(with_headers(Request::post(&url("/auth/sign-out-everywhere"))).build())
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------- people

/// The people of the organization, optionally only those with `status`.
pub async fn users(status: Option<UserStatus>) -> ApiResult<Vec<User>> {
    let query = status
        .map(|s| format!("?status={}", s.as_str()))
        .unwrap_or_default();
    get(&format!("/users{query}")).await
}

/// Adds a person; without a password they are invited.
pub async fn create_user(req: &CreateUserRequest) -> ApiResult<User> {
    post("/users", req).await
}

/// A new one-time invitation link for an invited person (voids the old one).
pub async fn invite(id: &str) -> ApiResult<Invitation> {
    post(
        &format!("/users/{}/invitation", encode(id)),
        &serde_json::json!({}),
    )
    .await
}

/// Sets an invited person's password with their link's token; signs them in.
pub async fn accept_invitation(req: &AcceptInvitationRequest) -> ApiResult<Me> {
    post("/auth/accept-invitation", req).await
}

/// Changes a person's name or roles.
pub async fn update_user(id: &str, req: &UpdateUserRequest) -> ApiResult<User> {
    let request = with_headers(Request::patch(&url(&format!("/users/{}", encode(id))))).json(req);
    read(send(request).await?).await
}

/// Keys whose current secret this person generated (and so has seen).
pub async fn generated_secrets(id: &str) -> ApiResult<Vec<GeneratedSecret>> {
    get(&format!("/users/{}/generated-secrets", encode(id))).await
}

/// Deactivates (`active: false`) or activates a person.
pub async fn set_user_active(id: &str, active: bool) -> ApiResult<User> {
    let verb = if active { "activate" } else { "deactivate" };
    post(
        &format!("/users/{}/{verb}", encode(id)),
        &serde_json::json!({}),
    )
    .await
}

// ---------------------------------------------------------------- roles

pub async fn roles() -> ApiResult<Vec<Role>> {
    get("/roles").await
}

pub async fn create_role(req: &CreateRoleRequest) -> ApiResult<Role> {
    post("/roles", req).await
}

/// Saves an edit made on the role as it was at `version` (409 if it changed since).
pub async fn update_role(id: &str, version: u64, req: &UpdateRoleRequest) -> ApiResult<Role> {
    let request = with_headers(Request::patch(&url(&format!("/roles/{}", encode(id)))))
        .header("If-Match", &format!("\"{version}\""))
        .json(req);
    read(send(request).await?).await
}

/// Removes a custom role nobody holds, as it was at `version`.
pub async fn delete_role(id: &str, version: u64) -> ApiResult<()> {
    let request = with_headers(Request::delete(&url(&format!("/roles/{}", encode(id)))))
        .header("If-Match", &format!("\"{version}\""))
        .build();
    send(request).await.map(|_| ())
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

/// Switches a key off (`disabled`) or on again, decided on `version`.
pub async fn switch_key(id: &str, version: u64, disabled: bool) -> ApiResult<ApiKey> {
    let verb = if disabled { "disable" } else { "enable" };
    let request = with_headers(Request::post(&url(&format!(
        "/api-keys/{}/{verb}",
        encode(id)
    ))))
    .header("If-Match", &format!("\"{version}\""))
    .build();
    read(send(request).await?).await
}

/// Generates or regenerates the key's secret: the only answer that holds it.
pub async fn generate_key(id: &str, req: &GenerateRequest) -> ApiResult<GeneratedApiKey> {
    post(&format!("/api-keys/{}/generate", encode(id)), req).await
}

// ---------------------------------------------------------------- usage

/// Every key against every permission over the last `days` days.
pub async fn inventory(days: u32) -> ApiResult<Inventory> {
    get(&format!("/inventory?days={days}")).await
}

/// Where the inventory's CSV export downloads from (a plain link: the
/// browser sends the session cookie with it).
pub fn inventory_csv_url(days: u32) -> String {
    url(&format!("/inventory.csv?days={days}"))
}

/// A key's requests per day and the permissions it exercised.
pub async fn key_usage(id: &str, days: u32) -> ApiResult<KeyUsage> {
    get(&format!("/api-keys/{}/usage?days={days}", encode(id))).await
}

/// Where a key was used from, and the networks that would cover it.
pub async fn key_networks(id: &str) -> ApiResult<keydesk_contract::guardrails::KeyNetworksSeen> {
    get(&format!("/api-keys/{}/networks", encode(id))).await
}

// ---------------------------------------------------------------- audit trail

/// A page of the audit trail, newest first; `cursor` continues from an earlier page.
pub async fn audit_events(cursor: Option<&str>) -> ApiResult<AuditPage> {
    let query = cursor
        .map(|c| format!("?cursor={}", encode(c)))
        .unwrap_or_default();
    get(&format!("/audit-events{query}")).await
}

/// Where the whole audit trail downloads from as NDJSON (a plain link: the
/// browser sends the session cookie with it).
pub fn audit_export_url() -> String {
    url("/audit-events/export")
}

/// The first `pages` pages of the audit trail as one, with the cursor of
/// what follows. "Load more" asks for one page more: every read of the
/// list is then one request of the same shape, and an answer to an older
/// request can simply be dropped.
pub async fn audit_trail(pages: usize) -> ApiResult<AuditPage> {
    let mut all = AuditPage {
        items: Vec::new(),
        next_cursor: None,
    };
    for _ in 0..pages.max(1) {
        let page = audit_events(all.next_cursor.as_deref()).await?;
        all.items.extend(page.items);
        all.next_cursor = page.next_cursor;
        if all.next_cursor.is_none() {
            break;
        }
    }
    Ok(all)
}

/// The first `pages` pages of keys matching `q`, as one page (see [`audit_trail`]).
pub async fn list_key_pages(mut q: ApiKeyQuery, pages: usize) -> ApiResult<ApiKeyPage> {
    q.cursor = None;
    let mut all = ApiKeyPage {
        items: Vec::new(),
        next_cursor: None,
        total: 0,
    };
    for _ in 0..pages.max(1) {
        let page = list_keys(&q).await?;
        all.items.extend(page.items);
        all.total = page.total;
        all.next_cursor = page.next_cursor;
        match &all.next_cursor {
            Some(c) => q.cursor = Some(c.clone()),
            None => break,
        }
    }
    Ok(all)
}
