//! Time-based one-time passwords, as RFC 6238 defines them and every
//! authenticator app computes them: HMAC-SHA1 of the 30-second step count
//! since the Unix epoch, dynamically truncated (RFC 4226) to 6 digits. The
//! server accepts the current step and one on either side (clock drift), and
//! never the same step twice for one person (a code seen once is spent).
//!
//! The secret is kept sealed with the server key (`TotpSecret::seal`), so
//! a copy of the database alone yields no codes.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per step (RFC 6238's default, what every app assumes).
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps accepted on either side of the current one.
pub const DRIFT_STEPS: i64 = 1;

/// A shared secret: 160 random bits (RFC 4226's recommended length).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    pub fn random() -> Self {
        let mut bytes = vec![0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        TotpSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A secret as people type it (base32, any case, spaces and padding
    /// ignored), as an authenticator app reads it.
    pub fn from_base32(text: &str) -> Option<Self> {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
        for c in text
            .bytes()
            .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        {
            let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())? as u32;
            buffer = (buffer << 5) | value;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out.push((buffer >> bits) as u8);
                buffer &= (1 << bits) - 1;
            }
        }
        Some(TotpSecret(out))
    }

    /// The secret as people type it into an app: base32 (RFC 4648),
    /// without padding.
    pub fn base32(&self) -> String {
        base32(&self.0)
    }

    /// The `otpauth://` URI authenticator apps read from a QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            percent(account),
            self.base32()
        )
    }
}

/// What a sealed secret is sealed for (see `ServerKey::seal`).
const SEAL_PURPOSE: &str = "totp-secret";

impl TotpSecret {
    /// The secret sealed with the server key for its owner `user_id`.
    pub fn seal(&self, key: &crate::server_key::ServerKey, user_id: &str) -> String {
        key.seal(SEAL_PURPOSE, user_id, &self.0)
    }

    /// The secret `sealed` holds, if it was sealed for `user_id` with this key.
    pub fn open(key: &crate::server_key::ServerKey, user_id: &str, sealed: &str) -> Option<Self> {
        key.open(SEAL_PURPOSE, user_id, sealed).map(TotpSecret)
    }
}

/// `uri` as a QR code: an SVG document an `<img>` or the page can show,
/// drawn here so the web app needs no QR encoder.
pub fn qr_svg(uri: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build()
            // The XML prolog has no place inside an HTML page.
            .split_once("<svg")
            .map(|(_, rest)| format!("<svg{rest}"))
            .unwrap_or_default(),
        // An otpauth URI is far below a QR code's capacity.
        Err(_) => String::new(),
    }
}

/// The step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code of one step, `digits` long (RFC 4226 section 5.3).
pub fn code_at_step(secret: &TotpSecret, step: i64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(&(step as u64).to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[hash.len() - 1] & 0x0f) as usize;
    let binary = (u32::from(hash[offset] & 0x7f) << 24)
        | (u32::from(hash[offset + 1]) << 16)
        | (u32::from(hash[offset + 2]) << 8)
        | u32::from(hash[offset + 3]);
    let code = binary % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The step `code` belongs to, if it is right at `unix_seconds` (within
/// the drift) and newer than `last_used_step` (a spent code never works
/// again). Compared in constant time per candidate.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    (now - DRIFT_STEPS..=now + DRIFT_STEPS)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|step| {
            constant_time_eq(
                code_at_step(secret, *step, DIGITS).as_bytes(),
                code.as_bytes(),
            )
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 4648 base32, upper case, no padding.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Percent-encodes a label of an `otpauth://` URI.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the secret is the ASCII of "12345678901234567890".
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code_at_step(&secret, step_at(time), 8),
                expected,
                "at {time}"
            );
        }
    }

    #[test]
    fn the_rfc_4226_test_vectors_hold_for_six_digits() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let expected = ["755224", "287082", "359152", "969429", "338314"];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(code_at_step(&secret, counter as i64, 6), *code);
        }
    }

    #[test]
    fn a_code_is_accepted_within_one_step_of_drift_and_once_only() {
        let secret = TotpSecret::random();
        let now = 1_800_000_000;
        let step = step_at(now);
        let code = code_at_step(&secret, step, DIGITS);
        assert_eq!(verify(&secret, &code, now, None), Some(step));
        // The phone's clock 30 s behind or ahead: still accepted.
        assert_eq!(verify(&secret, &code, now + STEP_SECONDS, None), Some(step));
        assert_eq!(verify(&secret, &code, now - STEP_SECONDS, None), Some(step));
        // Two steps off: refused.
        assert_eq!(verify(&secret, &code, now + 2 * STEP_SECONDS, None), None);
        // Spent: the same code (or an older one) is refused in its window.
        assert_eq!(verify(&secret, &code, now, Some(step)), None);
        let next = code_at_step(&secret, step + 1, DIGITS);
        assert_eq!(verify(&secret, &next, now, Some(step)), Some(step + 1));
        // Not a code at all.
        for nonsense in ["", "12345", "1234567", "12a456", "      "] {
            assert_eq!(verify(&secret, nonsense, now, None), None, "{nonsense:?}");
        }
        // Another secret's code.
        let other = TotpSecret::random();
        let theirs = code_at_step(&other, step, DIGITS);
        if theirs != code {
            assert_eq!(verify(&secret, &theirs, now, None), None);
        }
    }

    #[test]
    fn the_secret_reads_as_base32_and_the_uri_as_apps_expect() {
        // RFC 4648 section 10's vectors.
        for (input, expected) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()), expected);
            let read = TotpSecret::from_base32(&expected.to_lowercase()).unwrap();
            assert_eq!(read.as_bytes(), input.as_bytes());
        }
        assert!(TotpSecret::from_base32("MZ1W").is_none(), "1 is not base32");
        let secret = TotpSecret::from_bytes(b"foobar".to_vec());
        assert_eq!(
            secret.otpauth_uri("keydesk Acme", "ada@acme.io"),
            "otpauth://totp/keydesk%20Acme:ada@acme.io?secret=MZXW6YTBOI&issuer=keydesk%20Acme&algorithm=SHA1&digits=6&period=30"
        );
        assert!(!format!("{secret:?}").contains("MZXW"));
    }
}
