//! The secret-scanning rule published in docs/secret-scanning.md finds
//! every generated key and rejects near misses: its pattern (the same one
//! in the gitleaks and TruffleHog blocks) and its checksum code are taken
//! from the document and run as written, with Python.

use std::io::Write;
use std::process::{Command, Stdio};

use keydesk_contract::key_format::{generate, BASE62};

fn document() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/secret-scanning.md"
    ))
    .expect("docs/secret-scanning.md")
}

/// The text of the fenced block of `language` (the first one).
fn block(doc: &str, language: &str) -> String {
    let start = doc
        .find(&format!("```{language}\n"))
        .unwrap_or_else(|| panic!("no {language} block"))
        + language.len()
        + 4;
    let end = start + doc[start..].find("```").expect("closed block");
    doc[start..end].to_string()
}

/// For each line of `candidates`: whether the document's pattern finds a
/// key in it and its checksum code accepts what was found.
fn verdicts(candidates: &[String]) -> Vec<bool> {
    let doc = document();
    let program = format!(
        "{}\nimport sys\nfor line in sys.stdin.read().splitlines():\n    found = PATTERN.findall(line)\n    print(bool(found) and all(is_keydesk_key(f) for f in found))\n",
        block(&doc, "python")
    );
    let mut child = Command::new("python3")
        .args(["-c", &program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(candidates.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "True")
        .collect()
}

#[test]
fn every_block_of_the_document_carries_the_same_pattern() {
    let doc = document();
    let pattern = block(&doc, "").trim().to_string();
    assert!(block(&doc, "toml").contains(&format!("'''{pattern}'''")));
    assert!(block(&doc, "yaml").contains(&format!("'{pattern}'")));
    assert!(block(&doc, "python").contains(&format!("r\"{pattern}\"")));
}

#[test]
fn the_rule_finds_generated_keys_and_rejects_near_misses() {
    let mut rng = rand::rngs::OsRng;
    let keys: Vec<String> = (0..200)
        .map(|_| generate(&mut rng).expose().to_string())
        .collect();
    let in_context: Vec<String> = keys
        .iter()
        .map(|k| format!("KEYDESK_API_KEY=\"{k}\" # prod"))
        .collect();
    assert!(verdicts(&in_context).iter().all(|v| *v), "every key found");

    let key = &keys[0];
    let other = |c: u8| *BASE62.iter().find(|b| **b != c).unwrap() as char;
    let last = key.as_bytes()[key.len() - 1];
    let near_misses = vec![
        key.replacen("kd_live_", "kd_test_", 1), // another prefix
        key[..key.len() - 1].to_string(),        // one short
        format!("{key}A"),                       // one long
        format!("{}{}", &key[..key.len() - 1], other(last)), // checksum off by one character
        format!("{}-{}", &key[..20], &key[21..]), // a character outside the alphabet
        "kd_live_".to_string() + &"x".repeat(38), // a placeholder
    ];
    assert_eq!(
        verdicts(&near_misses),
        vec![false; near_misses.len()],
        "{near_misses:?}"
    );
}
