//! The `keydesk-server` binary as an operator runs it: flags, the printed
//! address, start-up errors, graceful shutdown, and logs that never hold a
//! secret or a password (even at debug level).

#[allow(dead_code)]
#[path = "api/harness.rs"]
mod harness;

#[allow(dead_code)]
#[path = "api/mail_server.rs"]
mod mail_server;

use harness::{Client, PASSWORD};
use keydesk_server::spawned::{Log, SpawnedServer};
use serde_json::json;
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
    // On a loopback address the printed address is localhost's, where
    // browsers allow passkeys (never an IP address).
    assert!(
        server.base.starts_with("http://localhost:"),
        "{}",
        server.base
    );
    let ada = Client::person_at_base(&server.base);
    let password = "a very distinctive password 7731";
    let (status, _) = ada
        .post("/auth/sign-up", json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": password}))
        .await;
    assert_eq!(status, 201);
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    assert_eq!(ada.with_key(&secret).get("/whoami").await.0, 200);
    // A wrong password on sign-in must not be logged either.
    Client::person_at_base(&server.base)
        .post(
            "/auth/sign-in",
            json!({"email": "ada@acme.io", "password": "wrong distinctive password 9911"}),
        )
        .await;

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
async fn second_factor_secrets_codes_and_recovery_codes_never_reach_the_logs() {
    use keydesk_server::auth::totp::{code_at_step, step_at, TotpSecret, DIGITS};
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], "debug");
    let ada = Client::person_at_base(&server.base);
    ada.post("/auth/sign-up", json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": PASSWORD}))
        .await;
    let (_, begun) = ada.post("/me/totp", json!({"password": PASSWORD})).await;
    let shown = begun["secret"].as_str().unwrap().to_string();
    let secret = TotpSecret::from_base32(&shown).unwrap();
    let code = |steps: i64| {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        code_at_step(&secret, step_at(now) + steps, DIGITS)
    };
    let first = code(0);
    let (status, codes) = ada.post("/me/totp/confirm", json!({"code": first})).await;
    assert_eq!(status, 200, "{codes}");
    let recovery: Vec<String> = serde_json::from_value(codes["recovery_codes"].clone()).unwrap();
    let (status, _) = ada
        .call(
            reqwest::Method::PUT,
            "/organization/security",
            Some(json!({"require_second_factor": true})),
        )
        .await;
    assert_eq!(status, 200);
    let browser = Client::person_at_base(&server.base);
    browser.sign_in("ada@acme.io", PASSWORD).await;
    let wrong = code(7);
    assert_eq!(
        browser
            .post("/auth/second-factor", json!({"code": wrong}))
            .await
            .0,
        401
    );
    let (status, _) = browser
        .post("/auth/second-factor", json!({"recovery_code": recovery[0]}))
        .await;
    assert_eq!(status, 200);

    let (logs, _) = server.stop();
    assert!(
        logs.contains("second_step_failed"),
        "the wrong code is a refusal line: {logs}"
    );
    assert!(!logs.contains(&shown), "the app's secret reached the logs");
    for code in &recovery {
        assert!(!logs.contains(code.as_str()) && !logs.contains(&code.replace('-', "")));
    }
    // A six-digit code may occur inside a timestamp's digits; alone, never.
    for code in [&first, &wrong] {
        let alone = logs.match_indices(code.as_str()).any(|(at, _)| {
            let before = logs[..at].chars().last().unwrap_or(' ');
            let after = logs[at + code.len()..].chars().next().unwrap_or(' ');
            !before.is_ascii_digit() && before != '.' && !after.is_ascii_digit()
        });
        assert!(!alone, "the code {code} reached the logs");
    }
}

#[tokio::test]
async fn every_refusal_is_one_security_log_line_with_who_and_from_where() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], "info");
    let ada = Client::person_at_base(&server.base);
    let password = "a very distinctive password 7731";
    let (status, _) = ada
        .post("/auth/sign-up", json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": password}))
        .await;
    assert_eq!(status, 201);
    // A developer who tries to make an Admin key (escalation).
    ada.add_person("dev@acme.io", &["developer"]).await;
    let dev = Client::person_at_base(&server.base);
    let (status, _) = dev
        .post(
            "/auth/sign-in",
            json!({"email": "dev@acme.io", "password": harness::PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = dev
        .post(
            "/api-keys",
            json!({"name": "Sneaky", "role_ids": ["admin"]}),
        )
        .await;
    assert_eq!(status, 403);
    // A key that may not list keys (forbidden), and one that is made up.
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    assert_eq!(ada.with_key(&secret).get("/api-keys").await.0, 403);
    let made_up = ada.with_key("kd_live_0000000000000000000000000000000000000A");
    assert_eq!(made_up.get("/whoami").await.0, 401);
    // CSRF: a cookie write without the header.
    let (status, _) = ada
        .without_csrf_header()
        .post(
            "/api-keys",
            json!({"name": "Forged", "role_ids": ["admin"]}),
        )
        .await;
    assert_eq!(status, 403);
    // Wrong passwords until throttled.
    let wrong = "wrong distinctive password 9911";
    let stranger = Client::person_at_base(&server.base);
    for _ in 0..6 {
        stranger
            .post(
                "/auth/sign-in",
                json!({"email": "ada@acme.io", "password": wrong}),
            )
            .await;
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
    for leak in [
        password,
        harness::PASSWORD,
        wrong,
        secret.as_str(),
        &secret[..20],
    ] {
        assert!(!logs.contains(leak), "the log holds {leak}");
    }
}

#[tokio::test]
async fn a_repeated_refusal_is_written_once_and_then_counted() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], "info");
    let made_up = Client::person_at_base(&server.base)
        .with_key("kd_live_0000000000000000000000000000000000000A");
    for _ in 0..50 {
        assert_eq!(made_up.get("/whoami").await.0, 401);
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
    let before = server.resident_bytes();
    let anyone = Client::person_at_base(&server.base);
    let clients: Vec<_> = (0..8u32)
        .map(|c| {
            let anyone = anyone.clone();
            tokio::spawn(async move {
                let mut answered = Vec::new();
                for i in 0..25u32 {
                    let (status, _) = anyone
                        .stranger_at(&format!("10.0.{c}.{i}"))
                        .post("/auth/sign-in", json!({"email": format!("nobody{c}-{i}@acme.io"), "password": "wrong password wrong"}))
                        .await;
                    answered.push(status.as_u16());
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

/// A self-signed certificate for `localhost`, and its key, in `dir`.
fn test_certificate(dir: &Path) -> (String, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let text = |p: std::path::PathBuf| p.to_str().unwrap().to_string();
    (text(cert), text(key))
}

/// A server with a key 5 days from expiry mails about it through `url`
/// (`{port}` replaced by the mail server's), trusting the test certificate
/// (OpenSSL reads SSL_CERT_FILE). Answers its logs once the mail arrived,
/// or once the first attempt failed when `arrives` is false.
async fn mail_about_an_expiring_key(
    dir: &Path,
    mail: &mail_server::MailServer,
    cert: &str,
    url: &str,
    arrives: bool,
) -> String {
    // The key, noticed when the server next starts.
    let first = start(dir, &[], "warn");
    let ada = Client::person_at_base(&first.base);
    ada.post(
        "/auth/sign-up",
        json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": PASSWORD}),
    )
    .await;
    let (_, created) = ada
        .post(
            "/api-keys",
            json!({"name": "Billing_Reader", "role_ids": ["billing-reader"], "expires_in_days": 5}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    ada.post(&format!("/api-keys/{id}/generate"), json!({}))
        .await;
    first.stop();

    let database = format!("sqlite://{}", dir.join("k.db").display());
    let smtp_url = url.replace("{port}", &mail.port.to_string());
    let second = SpawnedServer::start(
        Path::new(BIN),
        &[
            "--dist",
            dir.to_str().unwrap(),
            "--database-url",
            &database,
            "--smtp-url",
            &smtp_url,
            "--mail-from",
            "keydesk@acme.io",
        ],
        &[("SSL_CERT_FILE", cert)],
        Log::Collect("warn"),
    );
    if arrives {
        let got = mail.wait_for(1).await;
        assert!(
            got[0].contains("Subject: [keydesk] API key Billing_Reader expires in 7 days"),
            "{}",
            got[0]
        );
    } else {
        let outbox = sqlx::SqlitePool::connect(&database).await.unwrap();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let tried: Option<i64> = sqlx::query_scalar("SELECT MAX(attempt) FROM mail_outbox")
                .fetch_one(&outbox)
                .await
                .unwrap();
            if tried.unwrap_or(0) >= 1 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "no attempt to mail");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        outbox.close().await;
    }
    second.stop().0
}

#[tokio::test]
async fn mail_goes_over_tls_when_the_smtp_url_says_smtps() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = test_certificate(dir.path());
    let mail = mail_server::MailServer::start(&["--smtpscert", &cert, "--smtpskey", &key]).await;
    let logs =
        mail_about_an_expiring_key(dir.path(), &mail, &cert, "smtps://localhost:{port}", true)
            .await;
    assert!(!logs.contains("could not send"), "{logs}");
}

#[tokio::test]
async fn mail_goes_over_starttls_when_the_smtp_url_requires_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = test_certificate(dir.path());
    // The mail server refuses anything before STARTTLS (its default).
    let mail = mail_server::MailServer::start(&["--tlscert", &cert, "--tlskey", &key]).await;
    let url = "smtp://localhost:{port}?tls=required";
    let logs = mail_about_an_expiring_key(dir.path(), &mail, &cert, url, true).await;
    assert!(!logs.contains("could not send"), "{logs}");
}

#[tokio::test]
async fn a_mail_server_without_starttls_gets_nothing_when_tls_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = test_certificate(dir.path());
    // A server (or someone in the middle) that offers no STARTTLS: the mail
    // is not sent in the clear instead.
    let mail = mail_server::MailServer::start(&[]).await;
    let url = "smtp://localhost:{port}?tls=required";
    let logs = mail_about_an_expiring_key(dir.path(), &mail, &cert, url, false).await;
    assert!(logs.contains("could not send a mail"), "{logs}");
    assert!(mail.messages().is_empty(), "nothing in the clear");
}

#[test]
fn a_mail_setting_without_its_partner_or_a_url_that_is_not_smtp_is_a_clear_start_error() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("k.db").display());
    for (args, says) in [
        (vec!["--smtp-url", "smtps://mail.acme.io"], "--mail-from"),
        (
            vec![
                "--smtp-url",
                "ftp://user:hunter2@mail.acme.io",
                "--mail-from",
                "keydesk@acme.io",
            ],
            "is not an SMTP URL",
        ),
        (
            vec![
                "--smtp-url",
                "smtps://mail.acme.io",
                "--mail-from",
                "not an address",
            ],
            "is not a mail address",
        ),
    ] {
        let out = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--database-url", &database])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("hunter2"),
            "the password stays out: {stderr}"
        );
    }
}
