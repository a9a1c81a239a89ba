//! The `keydesk-server` binary as an operator runs it: flags, the printed
//! address, start-up errors, graceful shutdown, and logs that never hold a
//! secret or a password (even at debug level).

use keydesk_server::spawned::{Log, SpawnedServer};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_keydesk-server");

/// Starts the server on a free port with `extra` flags, collecting its log
/// at `level`.
fn start(dir: &std::path::Path, extra: &[&str], level: &'static str) -> SpawnedServer {
    let database = format!("sqlite://{}", dir.join("k.db").display());
    let mut args = vec!["--dist", dir.to_str().unwrap(), "--database-url", &database];
    args.extend_from_slice(extra);
    SpawnedServer::start(Path::new(BIN), &args, &[], Log::Collect(level))
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

#[test]
fn an_unreachable_postgresql_is_a_clear_start_error_without_its_password() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--database-url"])
        .arg(format!(
            "postgres://keydesk:Hunter2-DB-pass@127.0.0.1:{port}/keydesk"
        ))
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot open database"), "{stderr}");
    assert!(
        stderr.contains("postgres://keydesk:***@127.0.0.1"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Hunter2") && !stdout.contains("Hunter2"),
        "{stderr}"
    );
}

#[tokio::test]
async fn logs_never_contain_secrets_or_passwords_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], "debug");
    let base = format!("{}/api/v1", server.base);
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

    let (logs, clean) = server.stop();
    assert!(clean, "SIGTERM is a clean exit");
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

#[tokio::test]
async fn every_refusal_is_one_security_log_line_with_who_and_from_where() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], "info");
    let base = server.base.clone();
    let api = format!("{base}/api/v1");
    let ada = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let password = "a very distinctive password 7731";
    let res = ada
        .post(format!("{api}/auth/sign-up"))
        .json(&serde_json::json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let post = |path: &str, body: serde_json::Value| {
        ada.post(format!("{api}{path}"))
            .header("X-Requested-With", "keydesk")
            .json(&body)
            .send()
    };
    // A developer who tries to make an Admin key (escalation).
    let res = post("/users", serde_json::json!({"name": "Dev", "email": "dev@acme.io", "password": password, "role_ids": ["developer"]}))
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let dev = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    dev.post(format!("{api}/auth/sign-in"))
        .json(&serde_json::json!({"email": "dev@acme.io", "password": password}))
        .send()
        .await
        .unwrap();
    // A password someone else set: Dev sets one of his own first.
    let res = dev
        .post(format!("{api}/me/password"))
        .header("X-Requested-With", "keydesk")
        .json(&serde_json::json!({"current_password": password, "new_password": "dev's own distinctive password 5521"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = dev
        .post(format!("{api}/api-keys"))
        .header("X-Requested-With", "keydesk")
        .json(&serde_json::json!({"name": "Sneaky", "role_ids": ["admin"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A key that may not list keys (forbidden), and one that is made up.
    let key: serde_json::Value = post(
        "/api-keys",
        serde_json::json!({"name": "Billing_Reader", "role_ids": ["billing-reader"]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let generated: serde_json::Value = post(
        &format!("/api-keys/{}/generate", key["id"].as_str().unwrap()),
        serde_json::json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let secret = generated["secret"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{api}/api-keys"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = http
        .get(format!("{api}/whoami"))
        .bearer_auth("kd_live_0000000000000000000000000000000000000A")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // CSRF: a cookie write without the header.
    let res = ada
        .post(format!("{api}/api-keys"))
        .json(&serde_json::json!({"name": "Forged", "role_ids": ["admin"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Wrong passwords until throttled.
    let wrong = "wrong distinctive password 9911";
    for _ in 0..6 {
        http.post(format!("{api}/auth/sign-in"))
            .json(&serde_json::json!({"email": "ada@acme.io", "password": wrong}))
            .send()
            .await
            .unwrap();
    }

    let (logs, _) = server.stop();
    let security: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("keydesk::security"))
        .collect();
    for event in [
        "escalation",
        "forbidden",
        "invalid_key",
        "csrf",
        "sign_in_failed",
        "sign_in_throttled",
    ] {
        let line = security
            .iter()
            .find(|l| l.contains(&format!("\"{event}\"")))
            .unwrap_or_else(|| panic!("no {event} line in:\n{}", security.join("\n")));
        assert!(line.contains("client=127.0.0.1"), "{line}");
        assert!(line.contains("reason="), "{line}");
    }
    for event in ["escalation", "forbidden", "csrf", "sign_in_failed"] {
        let line = security
            .iter()
            .find(|l| l.contains(&format!("\"{event}\"")))
            .unwrap();
        assert!(line.contains("organization=\"org_"), "{line}");
        assert!(line.contains("actor_id=\""), "{line}");
    }
    for leak in [password, wrong, secret.as_str(), &secret[..20]] {
        assert!(!logs.contains(leak), "the log holds {leak}");
    }
}

/// Resident memory of a process, in bytes (Linux).
#[tokio::test]
async fn a_repeated_refusal_is_written_once_and_then_counted() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], "info");
    let base = server.base.clone();
    let http = reqwest::Client::new();
    for _ in 0..50 {
        let res = http
            .get(format!("{base}/api/v1/whoami"))
            .bearer_auth("kd_live_0000000000000000000000000000000000000A")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    let (logs, _) = server.stop();
    let refusals: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("keydesk::security") && l.contains("invalid_key"))
        .collect();
    assert_eq!(
        refusals.len(),
        2,
        "one line, then one count:\n{}",
        refusals.join("\n")
    );
    assert!(
        refusals[1].contains("refused again") && refusals[1].contains("repeated=49"),
        "{}",
        refusals[1]
    );
}

#[test]
fn a_second_process_on_the_same_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path(), &[], "info");
    let second = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.path().join("k.db").display()))
        .output()
        .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("another keydesk process"), "{stderr}");
    first.stop();
    // Once the first has stopped, the file is free again.
    start(dir.path(), &[], "info").stop();
}

/// After any burst of sign-ins the server stays small: hashing memory is a
/// fixed block per worker, reused. (Before: 200 failed sign-ins from 8
/// clients left it at 1.7 GB; now about 40 MiB on two cores.)
pub const FOOTPRINT_AFTER_BURST: u64 = 96 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_failed_sign_ins_leaves_the_server_small() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--trusted-proxies", "127.0.0.1"], "info");
    let base = server.base.clone();
    let api = format!("{base}/api/v1");
    let before = server.resident_bytes();
    let clients: Vec<_> = (0..8u32)
        .map(|c| {
            let api = api.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut answered = Vec::new();
                for i in 0..25u32 {
                    let res = http
                        .post(format!("{api}/auth/sign-in"))
                        .header("X-Forwarded-For", format!("10.0.{c}.{i}"))
                        .json(&serde_json::json!({"email": format!("nobody{c}-{i}@acme.io"), "password": "wrong password wrong"}))
                        .send()
                        .await
                        .unwrap();
                    answered.push(res.status().as_u16());
                }
                answered
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for c in clients {
        statuses.extend(c.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 503),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|s| **s == 401).count() >= 100,
        "most were checked"
    );
    let after = server.resident_bytes();
    server.stop();
    eprintln!(
        "resident memory: {} MiB before, {} MiB after 200 failed sign-ins",
        before >> 20,
        after >> 20
    );
    assert!(
        after < FOOTPRINT_AFTER_BURST,
        "{} MiB after the burst",
        after >> 20
    );
}

#[test]
fn the_database_password_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--dist",
            dir.path().to_str().unwrap(),
        ])
        .args([
            "--database-url",
            "postgres://keydesk:hunter2-very-secret@127.0.0.1:1/keydesk",
        ])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stderr.contains("cannot open database"), "{stderr}");
    assert!(stderr.contains("keydesk:***@"), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stdout.contains("hunter2"),
        "{stderr}"
    );
}
