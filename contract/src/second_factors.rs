//! Second factors (docs/api.md, "Second factors"): the bodies of enrolling
//! an authenticator app or a passkey, recovery codes, the second step of
//! sign-in, and the organization's rule that everyone has one.
//!
//! WebAuthn options and credentials travel as JSON the browser's own
//! `PublicKeyCredential.parse*OptionsFromJSON` and `toJSON()` read and
//! write; the contract keeps them as opaque JSON values, so neither side
//! re-spells the WebAuthn specification.

use serde::{Deserialize, Serialize};
use serde_json::Value;

crate::wire::wire_enum! {
    /// A way to take the second step of signing in.
    pub enum SecondFactorMethod {
        /// A code from an authenticator app (RFC 6238).
        Totp = "totp",
        /// A passkey (WebAuthn).
        Passkey = "passkey",
        /// One of the ten recovery codes, each good once.
        RecoveryCode = "recovery_code",
    }
}

/// A passkey as its owner sees it listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct PasskeySummary {
    pub id: String,
    pub name: String,
    pub created_at: String,
    #[serde(default)]
    pub last_used_at: Option<String>,
}

/// `GET /me/second-factors`: what the signed-in person has set up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SecondFactors {
    /// An authenticator app is set up (and confirmed).
    pub totp: bool,
    pub passkeys: Vec<PasskeySummary>,
    pub recovery_codes_left: u32,
    /// The organization requires everyone to have a second factor.
    #[serde(default)]
    pub required: bool,
}

impl SecondFactors {
    /// Whether any second factor is set up (recovery codes alone are not one).
    pub fn any(&self) -> bool {
        self.totp || !self.passkeys.is_empty()
    }
}

/// A request that must carry the person's current password
/// (`POST /me/totp`, `DELETE /me/totp`, `POST /me/recovery-codes`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct PasswordConfirmation {
    pub password: String,
}

impl std::fmt::Debug for PasswordConfirmation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordConfirmation(<redacted>)")
    }
}

/// `POST /me/totp`: the new app's secret, shown once, pending until confirmed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct TotpEnrolment {
    /// Base32, as people type it into an app.
    pub secret: String,
    pub otpauth_uri: String,
    /// The `otpauth_uri` as a QR code, an SVG document drawn by the server.
    pub qr_svg: String,
}

/// `POST /me/totp/confirm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct TotpConfirmation {
    pub code: String,
}

/// Ten recovery codes, shown once (`POST /me/totp/confirm`, `POST /me/recovery-codes`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// WebAuthn options for the browser: `{publicKey: …}` as
/// `navigator.credentials.create` / `.get` take them (in their JSON form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct WebAuthnOptions {
    #[serde(rename = "publicKey")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(value_type = Object))]
    pub public_key: Value,
}

/// `POST /me/passkeys`: a new passkey, named by its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct AddPasskeyRequest {
    pub name: String,
    /// The browser's `PublicKeyCredential`, as its `toJSON()` gives it.
    #[cfg_attr(not(target_arch = "wasm32"), schema(value_type = Object))]
    pub credential: Value,
}

/// `POST /me/passkeys`: the new passkey, and, when it is the person's first
/// second factor, their ten recovery codes (shown once).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct AddedPasskey {
    #[serde(flatten)]
    pub passkey: PasskeySummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

/// `POST /auth/second-factor`: exactly one of the three.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SecondStepRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
    /// The browser's assertion (`PublicKeyCredential.toJSON()`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(value_type = Option<Object>))]
    pub passkey: Option<Value>,
}

impl std::fmt::Debug for SecondStepRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondStepRequest")
            .field("code", &self.code.as_ref().map(|_| "<redacted>"))
            .field(
                "recovery_code",
                &self.recovery_code.as_ref().map(|_| "<redacted>"),
            )
            .field("passkey", &self.passkey.is_some())
            .finish()
    }
}

/// `POST /auth/passkey`: a passkey alone signs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct PasskeySignInRequest {
    #[cfg_attr(not(target_arch = "wasm32"), schema(value_type = Object))]
    pub assertion: Value,
}

/// `POST /auth/sign-in` when the password was right and a second step is
/// needed: no session yet, only a pending cookie valid 5 minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SecondFactorChallenge {
    /// Always `true`; tells this answer from a signed-in `Me`.
    pub second_factor_required: bool,
    /// Only the methods this person has.
    pub methods: Vec<SecondFactorMethod>,
}

/// `GET` / `PUT /organization/security`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct OrganizationSecurity {
    pub require_second_factor: bool,
    /// Single sign-on, once configured.
    #[serde(default)]
    pub sso: Option<crate::sso::Sso>,
}

/// `PUT /organization/security`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct UpdateOrganizationSecurity {
    pub require_second_factor: bool,
}

/// The longest passkey name, in characters.
pub const PASSKEY_NAME_MAX: usize = 60;

/// A passkey's name: trimmed, 1–60 characters, no control characters.
pub fn passkey_name(name: &str) -> Result<String, String> {
    if let Some(c) = crate::text::first_hidden(name, false) {
        return Err(crate::text::hidden_message("The name", c));
    }
    let name = crate::text::nfc(name.trim());
    if name.is_empty() {
        return Err("Name the passkey, e.g. \u{201c}Work laptop\u{201d}.".into());
    }
    if name.chars().count() > PASSKEY_NAME_MAX {
        return Err(format!("Keep the name to {PASSKEY_NAME_MAX} characters."));
    }
    Ok(name)
}

/// A code as people type it: spaces and dashes dropped (apps show
/// "123 456"; recovery codes are printed in groups), lower case.
pub fn typed_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passkey_names_are_trimmed_bounded_and_visible() {
        assert_eq!(passkey_name("  Work laptop ").unwrap(), "Work laptop");
        assert!(passkey_name("   ")
            .unwrap_err()
            .contains("Name the passkey"));
        assert!(passkey_name(&"x".repeat(61)).unwrap_err().contains("60"));
        assert!(passkey_name("Work\u{202E}pot")
            .unwrap_err()
            .contains("U+202E"));
    }

    #[test]
    fn typed_codes_lose_spaces_dashes_and_case() {
        assert_eq!(typed_code(" 123 456 "), "123456");
        assert_eq!(typed_code("ABCD-efgh-2345"), "abcdefgh2345");
    }

    #[test]
    fn second_step_requests_never_print_their_codes() {
        let r = SecondStepRequest {
            code: Some("123456".into()),
            recovery_code: Some("abcd-efgh".into()),
            passkey: None,
        };
        let printed = format!("{r:?}");
        assert!(
            !printed.contains("123456") && !printed.contains("abcd"),
            "{printed}"
        );
    }
}
