//! Second factors over the keydesk API: the second step of signing in, a
//! passkey alone, one's own factors (My account → Security), resetting
//! someone's (People) and the organization's rule (Settings).

use gloo_net::http::Request;
use keydesk_contract::second_factors::{
    AddPasskeyRequest, AddedPasskey, OrganizationSecurity, PasskeySignInRequest,
    PasswordConfirmation, RecoveryCodes, SecondFactorChallenge, SecondFactors, SecondStepRequest,
    TotpConfirmation, TotpEnrolment, UpdateOrganizationSecurity, WebAuthnOptions,
};
use keydesk_contract::types::{Me, SignInRequest};
use serde_json::{json, Value};

use super::transport::{get, post, read, send, url, with_headers};
use super::{encode, ApiError, ApiResult};

/// How a password sign-in ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SignedInOr {
    SignedIn(Box<Me>),
    /// The password was right; a second step is needed (5 minutes).
    SecondStep(SecondFactorChallenge),
}

/// Signs in with a password; a person with a second factor gets the second step.
pub async fn sign_in(req: &SignInRequest) -> ApiResult<SignedInOr> {
    let answer: Value = post("/auth/sign-in", req).await?;
    let unreadable = |e: serde_json::Error| {
        ApiError::Server(format!("The server's answer could not be read: {e}"))
    };
    if answer.get("second_factor_required").is_some() {
        return serde_json::from_value(answer)
            .map(SignedInOr::SecondStep)
            .map_err(unreadable);
    }
    serde_json::from_value(answer)
        .map(|me| SignedInOr::SignedIn(Box::new(me)))
        .map_err(unreadable)
}

/// Finishes a pending sign-in with a code, a recovery code or a passkey.
pub async fn second_step(req: &SecondStepRequest) -> ApiResult<Me> {
    post("/auth/second-factor", req).await
}

/// WebAuthn request options for the second step (the person's passkeys).
pub async fn second_step_passkey_options() -> ApiResult<WebAuthnOptions> {
    post("/auth/second-factor/challenge", &json!({})).await
}

/// WebAuthn request options to sign in with a passkey alone.
pub async fn passkey_sign_in_options() -> ApiResult<WebAuthnOptions> {
    post("/auth/passkey/challenge", &json!({})).await
}

/// Signs in with a passkey alone.
pub async fn passkey_sign_in(assertion: Value) -> ApiResult<Me> {
    post("/auth/passkey", &PasskeySignInRequest { assertion }).await
}

pub async fn second_factors() -> ApiResult<SecondFactors> {
    get("/me/second-factors").await
}

/// Starts setting up an authenticator app (needs the current password).
pub async fn begin_totp(password: String) -> ApiResult<TotpEnrolment> {
    post("/me/totp", &PasswordConfirmation { password }).await
}

/// Confirms the app with a code; answers the ten recovery codes.
pub async fn confirm_totp(code: String) -> ApiResult<RecoveryCodes> {
    post("/me/totp/confirm", &TotpConfirmation { code }).await
}

pub async fn remove_totp(password: String) -> ApiResult<()> {
    let request =
        with_headers(Request::delete(&url("/me/totp"))).json(&PasswordConfirmation { password });
    send(request).await.map(|_| ())
}

/// WebAuthn creation options to add a passkey.
pub async fn passkey_options() -> ApiResult<WebAuthnOptions> {
    post("/me/passkeys/challenge", &json!({})).await
}

pub async fn add_passkey(name: String, credential: Value) -> ApiResult<AddedPasskey> {
    post("/me/passkeys", &AddPasskeyRequest { name, credential }).await
}

pub async fn remove_passkey(id: &str) -> ApiResult<()> {
    let request = with_headers(Request::delete(&url(&format!(
        "/me/passkeys/{}",
        encode(id)
    ))))
    .build();
    send(request).await.map(|_| ())
}

/// Ten new recovery codes; the old set is void.
pub async fn new_recovery_codes(password: String) -> ApiResult<RecoveryCodes> {
    post("/me/recovery-codes", &PasswordConfirmation { password }).await
}

/// Removes every second factor of a person (People, `users.update`).
pub async fn reset_second_factors(user_id: &str) -> ApiResult<()> {
    let request = with_headers(Request::delete(&url(&format!(
        "/users/{}/second-factors",
        encode(user_id)
    ))))
    .build();
    send(request).await.map(|_| ())
}

pub async fn organization_security() -> ApiResult<OrganizationSecurity> {
    get("/organization/security").await
}

pub async fn update_organization_security(
    require_second_factor: bool,
) -> ApiResult<OrganizationSecurity> {
    let request = with_headers(Request::put(&url("/organization/security"))).json(
        &UpdateOrganizationSecurity {
            require_second_factor,
        },
    );
    read(send(request).await?).await
}
