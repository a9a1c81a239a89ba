//! The contract's text rules as the browser runs them: on wasm, NFC and
//! lower-casing come from the browser's own Unicode tables rather than
//! Rust's, and must give the server's answers.

use keydesk_contract::validation::{email, name_key};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn names_differing_in_case_or_composition_are_one_name() {
    for (a, b) in [
        ("Billing_READER", "billing_reader"),
        // É as one character, and as E + combining acute.
        ("\u{C9}cole", "e\u{301}COLE"),
        // Greek capital sigma lower-cases to final ς at the end of a word.
        (
            "\u{39F}\u{394}\u{39F}\u{3A3}",
            "\u{3BF}\u{3B4}\u{3BF}\u{3C2}",
        ),
        ("  Stra\u{DF}e ", "STRA\u{DF}E"),
    ] {
        assert_eq!(name_key(a), name_key(b), "{a:?} and {b:?}");
    }
    assert_eq!(name_key("\u{C9}cole"), "\u{E9}cole");
    assert_ne!(name_key("Reader"), name_key("Readers"));
}

#[wasm_bindgen_test]
fn emails_are_lower_cased() {
    assert_eq!(email(" Ada@Acme.IO ").unwrap(), "ada@acme.io");
    assert_eq!(email("\u{C5}SA@Example.SE").unwrap(), "\u{E5}sa@example.se");
}
