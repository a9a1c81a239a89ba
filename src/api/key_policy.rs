//! The key policy over the keydesk API (Settings → Key policy; Create and
//! Regenerate read its default lifetime).

use gloo_net::http::Request;
use keydesk_contract::key_policy::{KeyPolicy, KeyPolicyPreview, KeyPolicyRequest};

use super::transport::{get, post, read, send, url, with_headers};
use super::ApiResult;

pub async fn key_policy() -> ApiResult<KeyPolicy> {
    get("/organization/key-policy").await
}

/// Which keys `req` would put outside the policy, and their week's use.
pub async fn key_policy_preview(req: &KeyPolicyRequest) -> ApiResult<KeyPolicyPreview> {
    post("/organization/key-policy/preview", req).await
}

pub async fn save_key_policy(req: &KeyPolicyRequest) -> ApiResult<KeyPolicy> {
    let request = with_headers(Request::put(&url("/organization/key-policy"))).json(req);
    read(send(request).await?).await
}

/// Keys expiring within 7 days, and expired keys something still calls.
pub async fn expiry_warnings() -> ApiResult<keydesk_contract::expiry::ExpiryWarnings> {
    get("/api-keys/expiry-warnings").await
}
