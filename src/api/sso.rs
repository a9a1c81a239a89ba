//! Single sign-on over the keydesk API: the organization's configuration
//! (Settings), and whether an address signs in through its provider (the
//! sign-in page asks before offering a password).

use gloo_net::http::Request;
use keydesk_contract::sso::{Sso, SsoRequest, SsoTestRequest, SsoTestResult};
use web_sys::RequestRedirect;

use super::transport::{post, read, send, url, with_headers};
use super::{encode, ApiResult};

pub async fn save_sso(req: &SsoRequest) -> ApiResult<Sso> {
    let request = with_headers(Request::put(&url("/organization/sso"))).json(req);
    read(send(request).await?).await
}

pub async fn remove_sso() -> ApiResult<()> {
    send(with_headers(Request::delete(&url("/organization/sso"))).build())
        .await
        .map(|_| ())
}

/// Is there an OpenID provider at `issuer`? (Test connection.)
pub async fn test_sso(issuer: String) -> ApiResult<SsoTestResult> {
    post("/organization/sso/test", &SsoTestRequest { issuer }).await
}

/// Where `email` signs in through its organization's provider, if it does:
/// the start URL answers a redirect then (not followed here), 404 otherwise.
pub async fn sso_start_for(email: &str) -> Option<String> {
    let start = url(&format!("/auth/sso/start?email={}", encode(email.trim())));
    let answer = Request::get(&start)
        .redirect(RequestRedirect::Manual)
        .send()
        .await
        .ok()?;
    // A redirect followed by hand reads as an opaque answer with status 0.
    (answer.status() == 0 || answer.type_() == web_sys::ResponseType::Opaqueredirect)
        .then_some(start)
}
