//! The server's secret key: 32 random bytes that key what must not be
//! recomputable from a copy of the database or forged by a client: the
//! sign-in throttle's digests of e-mail addresses, the known-device
//! cookies, recovery-code digests, and the sealed secrets of authenticator
//! apps (AES-256-GCM: a copy of the database alone yields no codes). Each use derives its own MAC with a purpose label, so one use's
//! values never stand for another's.
//!
//! Where it comes from: `--secret-key` / `KEYDESK_SECRET_KEY` (64 hex
//! characters), else, on SQLite, a file beside the database generated once
//! with mode 0600. Replicas on PostgreSQL must share one key, so there it must
//! be set.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::{Path, PathBuf};

/// The key as an operator writes it; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyText([u8; 32]);

impl std::fmt::Debug for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyText(<redacted>)")
    }
}

impl std::str::FromStr for KeyText {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        parse_hex(s.trim())
            .map(KeyText)
            .ok_or_else(|| "the secret key must be 64 hex characters (32 bytes)".to_string())
    }
}

impl KeyText {
    /// A fresh random key (tests and generated key files).
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        KeyText(bytes)
    }

    /// The key as 64 hex characters.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

fn parse_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone)]
pub struct ServerKey(KeyText);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(<redacted>)")
    }
}

impl ServerKey {
    pub fn new(key: KeyText) -> Self {
        ServerKey(key)
    }

    /// The configured key, else (SQLite) the key file beside the database,
    /// generated on first start.
    pub fn load(configured: Option<&KeyText>, database_url: &str) -> Result<Self, String> {
        if let Some(key) = configured {
            return Ok(ServerKey(key.clone()));
        }
        let Some(path) = key_file_beside(database_url) else {
            if database_url.contains(":memory:") {
                return Ok(ServerKey(KeyText::random()));
            }
            return Err(
                "set KEYDESK_SECRET_KEY (64 hex characters, the same on every replica): \
                 on PostgreSQL keydesk cannot keep its key beside the database"
                    .into(),
            );
        };
        read_or_create(&path).map(ServerKey)
    }

    /// HMAC-SHA256 of `message` under this key, for one `purpose`.
    pub fn mac(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&(self.0).0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// [`ServerKey::mac`] as hex.
    pub fn mac_hex(&self, purpose: &str, message: &[u8]) -> String {
        hex(&self.mac(purpose, message))
    }

    /// Whether `tag` (hex) is this key's MAC of `message` for `purpose`,
    /// compared in constant time.
    pub fn verify_hex(&self, purpose: &str, message: &[u8], tag: &str) -> bool {
        let Some(tag) = parse_hex(tag) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&(self.0).0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.verify_slice(&tag).is_ok()
    }
}

impl ServerKey {
    /// `plaintext` encrypted and authenticated (AES-256-GCM) under a key
    /// derived for `purpose`, bound to `context` (e.g. the owner's id, so a
    /// sealed value copied onto another row does not open): `v1:` + hex of
    /// the random 96-bit nonce and the ciphertext.
    pub fn seal(&self, purpose: &str, context: &str, plaintext: &[u8]) -> String {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        let cipher = aes_gcm::Aes256Gcm::new(&self.mac(purpose, b"seal").into());
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any short message");
        format!("v1:{}{}", hex(&nonce), hex(&sealed))
    }

    /// What [`ServerKey::seal`] sealed, if this key, `purpose` and `context`
    /// are the ones it was sealed with and nothing was altered.
    pub fn open(&self, purpose: &str, context: &str, sealed: &str) -> Option<Vec<u8>> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        let bytes = unhex(sealed.strip_prefix("v1:")?)?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let cipher = aes_gcm::Aes256Gcm::new(&self.mac(purpose, b"seal").into());
        cipher
            .decrypt(
                aes_gcm::Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .ok()
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// `sqlite://data/keydesk.db?mode=rwc` → `data/keydesk.db.key`.
fn key_file_beside(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let file = rest.split('?').next().unwrap_or(rest);
    if file.is_empty() || file.contains(":memory:") {
        return None;
    }
    Some(PathBuf::from(format!("{file}.key")))
}

fn read_or_create(path: &Path) -> Result<KeyText, String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            return text
                .parse()
                .map_err(|e| format!("the key file {} is not a keydesk key: {e}", path.display()))
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("cannot read the key file {}: {e}", path.display()))
        }
        Err(_) => {}
    }
    let key = KeyText::random();
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| {
            f.write_all(key.to_hex().as_bytes())?;
            f.sync_all()
        });
    match created {
        Ok(()) => Ok(key),
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_create(path),
        Err(e) => Err(format!(
            "cannot create the key file {}: {e}",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_made_once_private_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("k.db").display());
        let first = ServerKey::load(None, &url).unwrap();
        let file = dir.path().join("k.db.key");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = ServerKey::load(None, &url).unwrap();
        assert_eq!(first.mac("p", b"m"), again.mac("p", b"m"));
        assert!(ServerKey::load(None, "postgres://db/keydesk").is_err());
    }

    #[test]
    fn sealed_values_open_only_with_their_key_purpose_and_context_untouched() {
        let a = ServerKey::new(KeyText::random());
        let b = ServerKey::new(KeyText::random());
        let sealed = a.seal("totp", "usr_1", b"twenty bytes secret!");
        assert!(!sealed.contains(&hex(b"twenty bytes secret!")));
        assert_eq!(
            a.open("totp", "usr_1", &sealed).unwrap(),
            b"twenty bytes secret!"
        );
        assert_ne!(
            sealed,
            a.seal("totp", "usr_1", b"twenty bytes secret!"),
            "fresh nonce"
        );
        assert!(b.open("totp", "usr_1", &sealed).is_none(), "another key");
        assert!(a.open("totp", "usr_2", &sealed).is_none(), "another owner");
        assert!(
            a.open("other", "usr_1", &sealed).is_none(),
            "another purpose"
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert!(a
            .open("totp", "usr_1", std::str::from_utf8(&tampered).unwrap())
            .is_none());
        assert!(a.open("totp", "usr_1", "v1:00").is_none());
    }

    #[test]
    fn macs_depend_on_key_purpose_and_message_and_verify_in_constant_time() {
        let a = ServerKey::new(KeyText::random());
        let b = ServerKey::new(KeyText::random());
        assert_ne!(a.mac("p", b"m"), b.mac("p", b"m"));
        assert_ne!(a.mac("p", b"m"), a.mac("q", b"m"));
        let tag = a.mac_hex("p", b"m");
        assert!(a.verify_hex("p", b"m", &tag));
        assert!(!a.verify_hex("p", b"n", &tag));
        assert!(!b.verify_hex("p", b"m", &tag));
        assert!(!a.verify_hex("p", b"m", "zz"));
        assert!("00".parse::<KeyText>().is_err());
        assert!(format!("{:?}", KeyText::random()).contains("redacted"));
    }
}
