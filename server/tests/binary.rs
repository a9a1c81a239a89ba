//! The `keydesk-server` binary as an operator runs it: flags, the printed
//! address, start-up errors, graceful shutdown, and logs that never hold a
//! secret or a password (even at debug level).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_keydesk-server");

fn start(dir: &std::path::Path, extra: &[&str]) -> Child {
    Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--dist", dir.to_str().unwrap()])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.join("k.db").display()))
        .args(extra)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads stdout until the "running at" line; returns the base URL.
fn address(child: &mut Child) -> String {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines
        .next()
        .expect("the server prints its address")
        .unwrap();
    let url = line
        .strip_prefix("keydesk is running at ")
        .unwrap_or_else(|| panic!("unexpected: {line}"));
    url.trim_end_matches('/').to_string()
}

#[test]
fn help_lists_every_setting_with_its_environment_variable() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen",
        "KEYDESK_LISTEN",
        "--database-url",
        "KEYDESK_DATABASE_URL",
        "--dist",
        "KEYDESK_DIST",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn a_taken_port_exits_non_zero_with_a_clear_message() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--listen", &taken.local_addr().unwrap().to_string()])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.path().join("k.db").display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot listen on"), "{stderr}");
}

#[test]
fn an_unreadable_database_exits_non_zero_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--database-url"])
        .arg(format!(
            "sqlite://{}/missing-folder/k.db",
            dir.path().display()
        ))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot open database"), "{stderr}");
}

#[tokio::test]
async fn logs_never_contain_secrets_or_passwords_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start(dir.path(), &[]);
    // Drain stderr while the server runs so a full pipe can never block it.
    let mut stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    let base = format!("{}/api/v1", address(&mut child));
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let password = "a very distinctive password 7731";
    let res = http
        .post(format!("{base}/auth/sign-up"))
        .json(&serde_json::json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let key: serde_json::Value = http
        .post(format!("{base}/api-keys"))
        .header("X-Requested-With", "keydesk")
        .json(&serde_json::json!({"name": "Billing_Reader", "role_ids": ["billing-reader"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let generated: serde_json::Value = http
        .post(format!(
            "{base}/api-keys/{}/generate",
            key["id"].as_str().unwrap()
        ))
        .header("X-Requested-With", "keydesk")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = generated["secret"].as_str().unwrap().to_string();
    let res = http
        .get(format!("{base}/whoami"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A wrong password on sign-in must not be logged either.
    http.post(format!("{base}/auth/sign-in"))
        .json(&serde_json::json!({"email": "ada@acme.io", "password": "wrong distinctive password 9911"}))
        .send()
        .await
        .unwrap();

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(status.success(), "SIGTERM is a clean exit, got {status}");
    let logs = logs.join().unwrap();
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(
        logs.contains("/api/v1/whoami"),
        "debug logs show requests, so the check below means something"
    );
    assert!(!logs.contains(&secret), "a secret reached the logs");
    assert!(
        !logs.contains(&secret[..20]),
        "part of a secret reached the logs"
    );
    assert!(
        !logs.contains(password) && !logs.contains("wrong distinctive password"),
        "a password reached the logs"
    );
}
