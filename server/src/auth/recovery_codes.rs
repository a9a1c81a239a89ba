//! Recovery codes: ten one-time codes that stand in for a second factor
//! when the phone or the passkey is lost. Each is 50 random bits, shown once
//! as `xxxxx-xxxxx`; the database keeps only a MAC under the server key
//! (bound to the person), so a copy of it cannot be searched offline.

use rand::Rng;

use crate::server_key::ServerKey;

/// How many codes a set holds.
pub const SET_SIZE: usize = 10;

/// Letters and digits no one confuses when reading aloud (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const LENGTH: usize = 10;

/// A fresh set: the codes to show once, and their digests to store.
pub fn new_set(key: &ServerKey, user_id: &str) -> (Vec<String>, Vec<String>) {
    let mut rng = rand::rngs::OsRng;
    let codes: Vec<String> = (0..SET_SIZE)
        .map(|_| {
            let raw: String = (0..LENGTH)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &raw[..LENGTH / 2], &raw[LENGTH / 2..])
        })
        .collect();
    let digests = codes.iter().map(|c| digest(key, user_id, c)).collect();
    (codes, digests)
}

/// What is stored for `code` (as typed: spaces, dashes and case ignored).
pub fn digest(key: &ServerKey, user_id: &str, code: &str) -> String {
    let typed = keydesk_contract::second_factors::typed_code(code);
    key.mac_hex("recovery-code", format!("{user_id}\0{typed}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server_key::KeyText;

    #[test]
    fn a_set_is_ten_distinct_codes_stored_only_as_digests_bound_to_the_person() {
        let key = ServerKey::new(KeyText::random());
        let (codes, digests) = new_set(&key, "usr_1");
        assert_eq!(codes.len(), SET_SIZE);
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), SET_SIZE);
        for (code, stored) in codes.iter().zip(&digests) {
            assert_eq!(code.len(), 11);
            assert!(!stored.contains(&code.replace('-', "")));
            assert_eq!(
                &digest(&key, "usr_1", &code.to_uppercase().replace('-', " ")),
                stored
            );
            assert_ne!(&digest(&key, "usr_2", code), stored);
        }
    }
}
