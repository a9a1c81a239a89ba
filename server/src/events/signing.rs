//! Signing outgoing events as the Standard Webhooks specification says
//! (https://www.standardwebhooks.com): headers `webhook-id`,
//! `webhook-timestamp` and `webhook-signature`, the signature being
//! `v1,` + base64 of HMAC-SHA256 over `"{id}.{timestamp}.{body}"`, keyed with
//! the bytes the `whsec_` secret encodes (base64). A destination whose
//! secret was rotated gets both signatures, space-separated, for a day.
//!
//! The groundwork of event destinations (#22): the outbox and deliveries
//! build on it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// A signing secret as shown once: `whsec_` + base64 of 32 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

impl SigningSecret {
    pub fn random() -> Self {
        let mut bytes = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SigningSecret(bytes)
    }

    /// The secret as receivers configure it.
    pub fn text(&self) -> String {
        format!("whsec_{}", STANDARD.encode(&self.0))
    }

    /// A secret as written (`whsec_` + base64).
    pub fn parse(text: &str) -> Option<Self> {
        let encoded = text.strip_prefix("whsec_").unwrap_or(text);
        STANDARD
            .decode(encoded)
            .ok()
            .filter(|b| !b.is_empty())
            .map(SigningSecret)
    }

    /// The `v1,` signature of one delivery.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: each secret's signature, space-separated
/// (the current one first; the previous one during a rotation).
pub fn signature_header(
    secrets: &[&SigningSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a receiver holding `secret` accepts a delivery: one of the
/// header's `v1` signatures matches, compared in constant time.
pub fn verify(secret: &SigningSecret, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let expected = secret.sign(id, timestamp, body);
    header.split(' ').any(|candidate| {
        candidate.len() == expected.len()
            && candidate
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The specification's own test vector (standard-webhooks, spec.md).
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1614265330;
    const BODY: &str = r#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signatures_match_the_specifications_test_vector() {
        let secret = SigningSecret::parse(SECRET).unwrap();
        assert_eq!(secret.sign(ID, TIMESTAMP, BODY.as_bytes()), SIGNATURE);
        assert!(verify(&secret, ID, TIMESTAMP, BODY.as_bytes(), SIGNATURE));
    }

    #[test]
    fn a_changed_body_id_timestamp_or_secret_does_not_verify_and_both_rotated_secrets_do() {
        let secret = SigningSecret::parse(SECRET).unwrap();
        let other = SigningSecret::random();
        assert!(!verify(
            &secret,
            ID,
            TIMESTAMP,
            br#"{"test": 2432232315}"#,
            SIGNATURE
        ));
        assert!(!verify(
            &secret,
            "msg_other",
            TIMESTAMP,
            BODY.as_bytes(),
            SIGNATURE
        ));
        assert!(!verify(
            &secret,
            ID,
            TIMESTAMP + 1,
            BODY.as_bytes(),
            SIGNATURE
        ));
        assert!(!verify(&other, ID, TIMESTAMP, BODY.as_bytes(), SIGNATURE));
        let both = signature_header(&[&other, &secret], ID, TIMESTAMP, BODY.as_bytes());
        assert!(verify(&secret, ID, TIMESTAMP, BODY.as_bytes(), &both));
        assert!(verify(&other, ID, TIMESTAMP, BODY.as_bytes(), &both));
        let shown = SigningSecret::random();
        assert_eq!(SigningSecret::parse(&shown.text()).unwrap(), shown);
        assert!(!format!("{shown:?}").contains(&shown.text()[6..]));
    }
}
