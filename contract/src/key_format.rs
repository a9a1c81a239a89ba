//! The API-key secret format:
//! `kd_live_` + 32 random base62 characters (≈190 bits) + 6-character base62
//! CRC32 of the random part.
//!
//! The fixed prefix lets secret scanners recognise a leaked key; the checksum
//! lets the server reject a mistyped key without touching the database. Only
//! the SHA-256 [`digest`] and the non-secret [`display_prefix`] are stored.

use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

pub const PREFIX: &str = "kd_live_";
pub const RANDOM_LEN: usize = 32;
pub const CHECKSUM_LEN: usize = 6;
pub const SECRET_LEN: usize = PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;
/// Random characters revealed in the display prefix (24 bits, leaving ≈166 secret).
pub const DISPLAY_RANDOM_CHARS: usize = 4;

/// The alphabet of secrets, checksums and keydesk's ids.
pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A full secret. Its `Debug` output is redacted so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself: to be shown once, then dropped.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({}…)", display_prefix(&self.0))
    }
}

/// Why a presented key was refused before any look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    Prefix,
    Length,
    Character,
    Checksum,
}

/// Generates a new secret from a cryptographically secure generator.
pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Secret {
    let mut random = String::with_capacity(RANDOM_LEN);
    while random.len() < RANDOM_LEN {
        let mut byte = [0u8; 1];
        rng.fill_bytes(&mut byte);
        // Rejection sampling: 248 = 4 × 62, so every character is equally likely.
        if byte[0] < 248 {
            random.push(BASE62[(byte[0] % 62) as usize] as char);
        }
    }
    let checksum = checksum(&random);
    Secret(format!("{PREFIX}{random}{checksum}"))
}

/// The six base62 characters encoding the CRC32 of `random`.
fn checksum(random: &str) -> String {
    let mut n = crc32fast::hash(random.as_bytes()) as u64;
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out.to_vec()).expect("base62 is ASCII")
}

/// Checks that `candidate` is a well-formed keydesk secret (prefix, length,
/// alphabet, checksum) without any database look-up.
pub fn parse(candidate: &str) -> Result<Secret, FormatError> {
    let rest = candidate.strip_prefix(PREFIX).ok_or(FormatError::Prefix)?;
    if rest.len() != RANDOM_LEN + CHECKSUM_LEN {
        return Err(FormatError::Length);
    }
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FormatError::Character);
    }
    let (random, sum) = rest.split_at(RANDOM_LEN);
    if checksum(random) != sum {
        return Err(FormatError::Checksum);
    }
    Ok(Secret(candidate.to_string()))
}

/// The non-secret start shown in lists, e.g. `kd_live_4fQa`.
pub fn display_prefix(secret: &str) -> String {
    secret
        .chars()
        .take(PREFIX.len() + DISPLAY_RANDOM_CHARS)
        .collect()
}

/// Hex SHA-256 of the secret: the only form in which it is stored.
pub fn digest(secret: &Secret) -> String {
    Sha256::digest(secret.0.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{rngs::StdRng, SeedableRng};

    fn key(seed: u64) -> Secret {
        generate(&mut StdRng::seed_from_u64(seed))
    }

    #[test]
    fn a_key_has_the_documented_shape() {
        let k = key(1);
        let s = k.expose();
        assert!(s.starts_with("kd_live_"));
        assert_eq!(s.len(), SECRET_LEN);
        assert_eq!(display_prefix(s).len(), PREFIX.len() + 4);
        assert!(s.starts_with(&display_prefix(s)));
    }

    #[test]
    fn debug_output_does_not_contain_the_secret() {
        let k = key(2);
        let shown = format!("{k:?}");
        assert!(!shown.contains(k.expose()));
        assert!(shown.contains(&display_prefix(k.expose())));
    }

    #[test]
    fn digest_is_sha256_hex() {
        let k = key(3);
        let d = digest(&k);
        assert_eq!(d.len(), 64);
        assert_ne!(d, digest(&key(4)));
        assert_eq!(d, digest(&parse(k.expose()).unwrap()));
    }

    #[test]
    fn wrong_prefix_length_and_alphabet_are_refused() {
        let s = key(5).expose().to_string();
        assert_eq!(
            parse(&s.replacen("kd_live_", "kd_test_", 1)),
            Err(FormatError::Prefix)
        );
        assert_eq!(parse(&s[..s.len() - 1]), Err(FormatError::Length));
        let mut with_dash = s.clone();
        with_dash.replace_range(10..11, "-");
        assert_eq!(parse(&with_dash), Err(FormatError::Character));
        assert_eq!(parse(""), Err(FormatError::Prefix));
    }

    proptest! {
        #[test]
        fn every_generated_key_parses(seed in any::<u64>()) {
            let k = key(seed);
            prop_assert_eq!(parse(k.expose()), Ok(k.clone()));
        }

        #[test]
        fn every_single_character_change_is_refused(seed in any::<u64>(), pos in 0usize..(RANDOM_LEN + CHECKSUM_LEN), replacement in 0usize..62) {
            let original = key(seed).expose().to_string();
            let index = PREFIX.len() + pos;
            let new_char = BASE62[replacement] as char;
            prop_assume!(original.as_bytes()[index] as char != new_char);
            let mut changed = original.clone();
            changed.replace_range(index..index + 1, &new_char.to_string());
            prop_assert_eq!(parse(&changed), Err(FormatError::Checksum));
        }

    }
}
