//! Rules every text field shares. Invisible characters are refused because
//! they let two different values look the same (a key named "Billing" and
//! "Bill\u{200B}ing"), reorder what a reader sees (bidi overrides), or break
//! logs and terminals (control characters). Text is NFC-normalized first,
//! so "é" typed as one character or as "e" + accent is one name.

/// Is `c` a control, bidirectional-formatting or invisible character?
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // bidi marks, embeddings, overrides and isolates
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // zero-width and invisible formatting
            | '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180E}'
            | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{206A}'..='\u{206F}'
            | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
            // tag characters
            | '\u{E0000}'..='\u{E007F}')
}

/// The first character `text` may not contain, if any. `newlines` allows
/// line breaks (descriptions).
pub fn first_hidden(text: &str, newlines: bool) -> Option<char> {
    text.chars()
        .find(|&c| is_hidden(c) && !(newlines && c == '\n'))
}

/// The message for a field holding such a character.
pub fn hidden_message(what: &str, c: char) -> String {
    format!(
        "{what} contains an invisible or control character (U+{:04X}), which is not allowed.",
        c as u32
    )
}

/// `text` in Unicode Normalization Form C.
#[cfg(not(target_arch = "wasm32"))]
pub fn nfc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}

/// `text` in Unicode Normalization Form C (the browser's own tables).
#[cfg(target_arch = "wasm32")]
pub fn nfc(text: &str) -> String {
    js_sys::JsString::from(text).normalize("NFC").into()
}

/// `text` in lower case (Unicode's default case mapping), for comparing
/// names and e-mail addresses regardless of case.
#[cfg(not(target_arch = "wasm32"))]
pub fn lowercase(text: &str) -> String {
    text.to_lowercase()
}

/// `text` in lower case, by the browser's own tables: the same Unicode
/// mapping as `str::to_lowercase`, without ~15 KB of case tables in the wasm.
#[cfg(target_arch = "wasm32")]
pub fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_found() {
        for bad in [
            "a\u{202E}b",
            "a\u{200B}b",
            "a\u{0007}b",
            "a\u{FEFF}",
            "\u{2066}x",
            "x\u{E0041}",
        ] {
            assert!(first_hidden(bad, false).is_some(), "{bad:?}");
        }
        assert_eq!(first_hidden("line one\nline two", true), None);
        assert_eq!(first_hidden("line one\nline two", false), Some('\n'));
        assert_eq!(first_hidden("Fakturering Å – ok", false), None);
    }

    #[test]
    fn nfc_joins_a_letter_and_its_accent() {
        assert_eq!(nfc("e\u{0301}"), "\u{00E9}");
        assert_eq!(nfc("plain"), "plain");
    }
}
