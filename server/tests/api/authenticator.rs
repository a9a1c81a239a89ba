//! A software WebAuthn authenticator, as the tests' browser: it makes a
//! P-256 credential (attestation "none") and signs assertions exactly as
//! the WebAuthn Level 3 specification lays them out (authenticator data,
//! client data, CBOR, COSE), so the server's checks run for real. Its knobs
//! make the answers an attacker would send: another origin, another RP id.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::BigNumContext;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub struct Authenticator {
    key: PKey<Private>,
    public: (Vec<u8>, Vec<u8>),
    pub credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    counter: u32,
    /// The RP id the authenticator data names (the page's, unless a test lies).
    pub rp_id: Option<String>,
}

impl Authenticator {
    pub fn new() -> Self {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let ec = EcKey::generate(&group).unwrap();
        let mut ctx = BigNumContext::new().unwrap();
        let mut x = openssl::bn::BigNum::new().unwrap();
        let mut y = openssl::bn::BigNum::new().unwrap();
        ec.public_key()
            .affine_coordinates(&group, &mut x, &mut y, &mut ctx)
            .unwrap();
        let id: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
        Authenticator {
            key: PKey::from_ec_key(ec).unwrap(),
            public: (x.to_vec_padded(32).unwrap(), y.to_vec_padded(32).unwrap()),
            credential_id: id,
            user_handle: Vec::new(),
            counter: 0,
            rp_id: None,
        }
    }

    /// Answers creation options (`{publicKey}`'s inner object) from a page at `origin`.
    pub fn create(&mut self, options: &Value, origin: &str) -> Value {
        let rp_id = self.rp_id(options["rp"]["id"].as_str().unwrap());
        self.user_handle = URL_SAFE_NO_PAD
            .decode(options["user"]["id"].as_str().unwrap())
            .unwrap();
        let client_data = client_data("webauthn.create", options, origin);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(0x45); // user present, user verified, attested credential data
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(self.cose_key());
        let mut attestation = map(3);
        attestation.extend(text("fmt"));
        attestation.extend(text("none"));
        attestation.extend(text("attStmt"));
        attestation.extend(map(0));
        attestation.extend(text("authData"));
        attestation.extend(bytes(&auth_data));
        let id = URL_SAFE_NO_PAD.encode(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(&client_data),
                "attestationObject": URL_SAFE_NO_PAD.encode(&attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
    }

    /// Answers request options (`{publicKey}`'s inner object) from a page at `origin`.
    pub fn get(&mut self, options: &Value, origin: &str) -> Value {
        let rp_id = self.rp_id(options["rpId"].as_str().unwrap());
        self.counter += 1;
        let client_data = client_data("webauthn.get", options, origin);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(0x05); // user present, user verified
        auth_data.extend(self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let mut signer = Signer::new(MessageDigest::sha256(), &self.key).unwrap();
        signer.update(&signed).unwrap();
        let signature = signer.sign_to_vec().unwrap();
        let id = URL_SAFE_NO_PAD.encode(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(&client_data),
                "authenticatorData": URL_SAFE_NO_PAD.encode(&auth_data),
                "signature": URL_SAFE_NO_PAD.encode(&signature),
                "userHandle": URL_SAFE_NO_PAD.encode(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
    }

    fn rp_id(&self, asked: &str) -> String {
        self.rp_id.clone().unwrap_or_else(|| asked.to_string())
    }

    /// The public key as COSE_Key (EC2, ES256, P-256).
    fn cose_key(&self) -> Vec<u8> {
        let mut key = map(5);
        key.extend(uint(1));
        key.extend(uint(2)); // kty: EC2
        key.extend(uint(3));
        key.extend(negative(-7)); // alg: ES256
        key.extend(negative(-1));
        key.extend(uint(1)); // crv: P-256
        key.extend(negative(-2));
        key.extend(bytes(&self.public.0));
        key.extend(negative(-3));
        key.extend(bytes(&self.public.1));
        key
    }
}

/// A signature with one bit flipped.
pub fn tampered(assertion: &Value) -> Value {
    let mut assertion = assertion.clone();
    let signature = assertion["response"]["signature"].as_str().unwrap();
    let mut raw = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 0x01;
    assertion["response"]["signature"] = URL_SAFE_NO_PAD.encode(raw).into();
    assertion
}

fn client_data(kind: &str, options: &Value, origin: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": kind,
        "challenge": options["challenge"],
        "origin": origin,
        "crossOrigin": false,
    }))
    .unwrap()
}

// CBOR (RFC 8949), the few major types a credential needs.
fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => {
            let mut v = vec![m | 25];
            v.extend((n as u16).to_be_bytes());
            v
        }
        _ => {
            let mut v = vec![m | 26];
            v.extend((n as u32).to_be_bytes());
            v
        }
    }
}
fn uint(n: u64) -> Vec<u8> {
    head(0, n)
}
fn negative(n: i64) -> Vec<u8> {
    head(1, (-1 - n) as u64)
}
fn bytes(b: &[u8]) -> Vec<u8> {
    let mut v = head(2, b.len() as u64);
    v.extend(b);
    v
}
fn text(s: &str) -> Vec<u8> {
    let mut v = head(3, s.len() as u64);
    v.extend(s.as_bytes());
    v
}
fn map(pairs: u64) -> Vec<u8> {
    head(5, pairs)
}
