//! Passkeys (WebAuthn Level 3), through webauthn-rs, the reference
//! implementation in Rust. keydesk is the relying party named by its public
//! URL: the RP id is that URL's host and the only accepted origin is the URL
//! itself. webauthn-rs checks the origin, the RP id hash, the challenge, the
//! signature, user verification (required) and the signature counter.
//!
//! Every ceremony's state stays on the server (in the database, so any
//! replica can finish what another started), found by the digest of its
//! challenge, which the browser's signed client data carries back; it is
//! taken once, so a replayed response finds nothing.

use serde_json::Value;
use sha2::{Digest, Sha256};
use time::Duration;
use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

/// How long a browser has to answer a challenge.
pub const CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// Passkey-alone sign-ins begun and not yet answered, at most: anyone may
/// begin one, so their rows are bounded (past it: 503, retry shortly).
pub const LIVE_SIGN_INS: u32 = 10_000;

/// The relying party: keydesk at its public URL.
pub struct RelyingParty {
    webauthn: Webauthn,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("origins", &self.webauthn.get_allowed_origins())
            .finish()
    }
}

/// A ceremony begun: the options for the browser, and what the server
/// keeps (its state, as JSON, and its challenge's digest to find it by).
pub struct Begun {
    pub options: Value,
    pub state: String,
    pub challenge_digest: String,
}

/// Why a browser's answer was not accepted (never shown in detail to the
/// caller; the security log gets the reason).
#[derive(Debug)]
pub struct Rejected(pub String);

impl RelyingParty {
    /// The relying party for `public_url` (`http://localhost:8080`,
    /// `https://keys.example.com`).
    pub fn new(public_url: &str) -> Result<Self, String> {
        let origin = Url::parse(public_url).map_err(|e| format!("public URL: {e}"))?;
        let rp_id = origin
            .host_str()
            .ok_or("the public URL has no host")?
            .to_string();
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .and_then(|b| b.rp_name("keydesk").build())
            .map_err(|e| format!("passkeys for {public_url}: {e}"))?;
        Ok(RelyingParty { webauthn })
    }

    /// The WebAuthn user handle of a person: stable, and no personal data.
    pub fn user_handle(user_id: &str) -> Uuid {
        let hash = Sha256::digest(user_id.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&hash[..16]);
        Uuid::from_bytes(bytes)
    }

    /// Begins adding a passkey for a person who already has `existing`
    /// (the browser will not make a second one on the same authenticator).
    /// The credential must be discoverable, so it can sign in alone.
    pub fn begin_registration(
        &self,
        user_id: &str,
        email: &str,
        name: &str,
        existing: &[Passkey],
    ) -> Result<Begun, Rejected> {
        let exclude: Vec<CredentialID> = existing.iter().map(|p| p.cred_id().clone()).collect();
        let (options, state) = self
            .webauthn
            .start_passkey_registration(
                Self::user_handle(user_id),
                email,
                name,
                Some(exclude).filter(|e| !e.is_empty()),
            )
            .map_err(|e| Rejected(e.to_string()))?;
        let mut options = json(&options)?;
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
            selection["residentKey"] = "required".into();
            selection["requireResidentKey"] = true.into();
        }
        begun(options, &state)
    }

    /// The new passkey, if `credential` answers the registration `state`.
    pub fn finish_registration(
        &self,
        credential: &Value,
        state: &str,
    ) -> Result<Passkey, Rejected> {
        let credential: RegisterPublicKeyCredential = parse(credential)?;
        let state: PasskeyRegistration = parse_state(state)?;
        self.webauthn
            .finish_passkey_registration(&credential, &state)
            .map_err(|e| Rejected(e.to_string()))
    }

    /// Begins a sign-in with a passkey alone: any discoverable credential
    /// for this RP may answer.
    pub fn begin_sign_in(&self) -> Result<Begun, Rejected> {
        let (options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| Rejected(e.to_string()))?;
        let mut options = json(&options)?;
        // A button press, not the autofill ("conditional") flow.
        if let Some(o) = options.as_object_mut() {
            o.remove("mediation");
        }
        begun(options, &state)
    }

    /// The person's user handle and the credential id an assertion for a
    /// passkey-alone sign-in names (to look the passkey up by).
    pub fn identify(&self, assertion: &Value) -> Result<(Uuid, String), Rejected> {
        let assertion: PublicKeyCredential = parse(assertion)?;
        let (handle, id) = self
            .webauthn
            .identify_discoverable_authentication(&assertion)
            .map_err(|e| Rejected(e.to_string()))?;
        Ok((handle, credential_id_text(id)))
    }

    /// Checks an assertion for a passkey-alone sign-in against the passkey
    /// it names; returns the passkey with its counter moved on.
    pub fn finish_sign_in(
        &self,
        assertion: &Value,
        state: &str,
        passkey: Passkey,
    ) -> Result<Passkey, Rejected> {
        let assertion: PublicKeyCredential = parse(assertion)?;
        let state: DiscoverableAuthentication = parse_state(state)?;
        let key = DiscoverableKey::from(&passkey);
        let result = self
            .webauthn
            .finish_discoverable_authentication(&assertion, state, &[key])
            .map_err(|e| Rejected(e.to_string()))?;
        Ok(updated(passkey, &result))
    }

    /// Begins the second step of a sign-in with one of the person's passkeys.
    pub fn begin_second_step(&self, passkeys: &[Passkey]) -> Result<Begun, Rejected> {
        let (options, state) = self
            .webauthn
            .start_passkey_authentication(passkeys)
            .map_err(|e| Rejected(e.to_string()))?;
        begun(json(&options)?, &state)
    }

    /// Checks a second-step assertion; returns the passkey used, its
    /// counter moved on.
    pub fn finish_second_step(
        &self,
        assertion: &Value,
        state: &str,
        passkeys: Vec<Passkey>,
    ) -> Result<Passkey, Rejected> {
        let assertion: PublicKeyCredential = parse(assertion)?;
        let state: PasskeyAuthentication = parse_state(state)?;
        let result = self
            .webauthn
            .finish_passkey_authentication(&assertion, &state)
            .map_err(|e| Rejected(e.to_string()))?;
        passkeys
            .into_iter()
            .find(|p| p.cred_id() == result.cred_id())
            .map(|p| updated(p, &result))
            .ok_or_else(|| Rejected("the credential is not the person's".into()))
    }
}

fn updated(mut passkey: Passkey, result: &webauthn_rs::prelude::AuthenticationResult) -> Passkey {
    passkey.update_credential(result);
    passkey
}

/// The digest a ceremony is stored under, from the challenge the browser's
/// signed client data carries (`response.clientDataJSON`).
pub fn challenge_digest_of(credential: &Value) -> Option<String> {
    let encoded = credential.pointer("/response/clientDataJSON")?.as_str()?;
    let client_data = base64url_decode(encoded)?;
    let client_data: Value = serde_json::from_slice(&client_data).ok()?;
    Some(digest(client_data.get("challenge")?.as_str()?))
}

/// A credential id as stored and looked up: base64url without padding.
pub fn credential_id_text(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
}

fn digest(challenge: &str) -> String {
    crate::server_key::hex(&Sha256::digest(challenge.trim_end_matches('=').as_bytes()))
}

fn begun<S: serde::Serialize>(options: Value, state: &S) -> Result<Begun, Rejected> {
    let challenge = options
        .pointer("/publicKey/challenge")
        .and_then(Value::as_str)
        .ok_or_else(|| Rejected("options without a challenge".into()))?;
    Ok(Begun {
        challenge_digest: digest(challenge),
        state: serde_json::to_string(state).map_err(|e| Rejected(e.to_string()))?,
        options,
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<Value, Rejected> {
    serde_json::to_value(value).map_err(|e| Rejected(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, Rejected> {
    T::deserialize(value).map_err(|e| Rejected(format!("not a WebAuthn credential: {e}")))
}

fn parse_state<T: serde::de::DeserializeOwned>(state: &str) -> Result<T, Rejected> {
    serde_json::from_str(state).map_err(|e| Rejected(format!("stored state unreadable: {e}")))
}

/// A stored passkey read back.
pub fn passkey_from(stored: &str) -> Option<Passkey> {
    serde_json::from_str(stored).ok()
}

/// A passkey as stored.
pub fn passkey_text(passkey: &Passkey) -> String {
    serde_json::to_string(passkey).expect("a passkey serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_public_urls_host_and_refuses_an_ip_origin_only_where_webauthn_does()
    {
        assert!(RelyingParty::new("http://localhost:8080").is_ok());
        assert!(RelyingParty::new("https://keys.example.com").is_ok());
        assert!(RelyingParty::new("not a url").is_err());
        assert!(
            RelyingParty::new("http://127.0.0.1:8080").is_err(),
            "an IP address is no RP id"
        );
    }

    #[test]
    fn registration_options_ask_for_a_discoverable_credential_with_user_verification() {
        let rp = RelyingParty::new("http://localhost:8080").unwrap();
        let begun = rp
            .begin_registration("usr_1", "ada@acme.io", "Ada", &[])
            .unwrap();
        let selection = &begun.options["publicKey"]["authenticatorSelection"];
        assert_eq!(selection["residentKey"], "required");
        assert_eq!(selection["userVerification"], "required");
        assert_eq!(begun.options["publicKey"]["rp"]["id"], "localhost");
        let handle = RelyingParty::user_handle("usr_1");
        assert_ne!(handle, RelyingParty::user_handle("usr_2"));
        let again = rp
            .begin_registration("usr_1", "ada@acme.io", "Ada", &[])
            .unwrap();
        assert_ne!(
            begun.challenge_digest, again.challenge_digest,
            "fresh challenges"
        );
    }
}
