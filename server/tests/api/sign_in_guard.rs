//! Guessing is bounded, atomically, without letting a stranger lock a person
//! out; hashing cannot take the server down; guessable passwords are refused.

use keydesk_server::auth::passwords::PasswordHasher;
use keydesk_server::auth::throttle::{
    ACCOUNT_SLOW_AFTER, ACCOUNT_SPACING, PAIR_LIMIT, SIGN_UPS_PER_ADDRESS,
};
use keydesk_server::config::parse_range;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

use crate::harness::{code, TestServer, PASSWORD};

/// A server that believes 127.0.0.1 about client addresses (as behind a proxy).
async fn behind_proxy() -> TestServer {
    TestServer::start_with(
        |c| c.trusted_proxies = vec![parse_range("127.0.0.1").unwrap()],
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_count_before_any_password_is_checked() {
    // Room for every guess to wait for a hashing worker (no 503): only the
    // throttle can keep a password from being checked.
    let hasher = PasswordHasher::new(2, 64);
    let server = TestServer::start_with(
        |c| c.trusted_proxies = vec![parse_range("127.0.0.1").unwrap()],
        Some(hasher.clone()),
    )
    .await;
    let checked_at_sign_up = hasher.checks();
    server.sign_up("Acme", "ada@acme.io").await;
    let attacker = Arc::new(server.person_at("203.0.113.66"));
    let guesses: Vec<_> = (0..20)
        .map(|i| {
            let attacker = attacker.clone();
            tokio::spawn(async move {
                attacker
                    .post(
                        "/auth/sign-in",
                        json!({"email": "ada@acme.io", "password": format!("guess number {i} xyz")}),
                    )
                    .await
            })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        let (status, body) = g.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => assert_eq!(code(&body), "too_many_attempts"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        checked, PAIR_LIMIT as usize,
        "{checked} guesses answered 401"
    );
    assert_eq!(
        hasher.checks() - checked_at_sign_up,
        u64::from(PAIR_LIMIT),
        "passwords actually checked"
    );
    // Even the right password waits now, from the attacker's address ...
    let (status, _) = attacker.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // ... but Ada, elsewhere, is not locked out.
    let (status, body) = server
        .person_at("198.51.100.7")
        .sign_in("ada@acme.io", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn guesses_from_many_addresses_slow_the_account_but_never_lock_it() {
    let server = behind_proxy().await;
    server.sign_up("Acme", "ada@acme.io").await;
    for n in 0..ACCOUNT_SLOW_AFTER {
        let (status, _) = server
            .person_at(&format!("203.0.113.{n}"))
            .sign_in("ada@acme.io", "wrong wrong wrong")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let ada = server.person_at("198.51.100.7");
    let res = ada
        .http
        .post(format!("{}/api/v1/auth/sign-in", server.base))
        .header("X-Forwarded-For", "198.51.100.7")
        .json(&json!({"email": "ada@acme.io", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        wait >= 1 && wait <= ACCOUNT_SPACING.whole_seconds(),
        "slowed, not locked: {wait}"
    );
    server.clock.advance(ACCOUNT_SPACING);
    let (status, _) = ada.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn strangers_slowing_an_account_do_not_keep_out_a_browser_that_signed_in_before() {
    let server = behind_proxy().await;
    // Ada's browser signed in before: it holds a known-device cookie.
    let ada = server.person_at("198.51.100.7");
    let (status, _) = ada
        .post(
            "/auth/sign-up",
            json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // A stranger spends a guess every 10 s, each from a fresh address ...
    for n in 0..30u32 {
        let (status, _) = server
            .person_at(&format!("203.0.{}.{}", n / 200, n % 200 + 1))
            .sign_in("ada@acme.io", "wrong wrong wrong")
            .await;
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
        // ... and Ada, between two of them, gets in every time.
        let (status, body) = ada.sign_in("ada@acme.io", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "attempt {n}: {body}");
        server.clock.advance(ACCOUNT_SPACING);
    }
    // Without the cookie (another browser), the slowing applies as before.
    let (status, _) = server
        .person_at("198.51.100.8")
        .sign_in("ada@acme.io", "wrong again wrong")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = server
        .person_at("198.51.100.9")
        .sign_in("ada@acme.io", PASSWORD)
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "slowed without the cookie"
    );
}

#[tokio::test]
async fn ipv6_guesses_count_by_the_64_block_they_come_from() {
    let server = behind_proxy().await;
    server.sign_up("Acme", "ada@acme.io").await;
    // One subscriber's /64 rotating through addresses, one per guess.
    let mut refused = 0;
    for n in 0..PAIR_LIMIT * 2 {
        let (status, _) = server
            .person_at(&format!("2001:db8:7:7::{:x}", n + 1))
            .sign_in("ada@acme.io", "wrong wrong wrong")
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert_eq!(refused, PAIR_LIMIT, "the block is one address");
}

#[tokio::test]
async fn over_long_emails_are_refused_before_anything_is_remembered() {
    let server = TestServer::start().await;
    server.sign_up("Acme", "ada@acme.io").await;
    let c = server.person();
    for n in 0..3 * PAIR_LIMIT {
        let email = format!("{}{n}@acme.io", "a".repeat(10_000));
        let (status, body) = c.sign_in(&email, "whatever whatever").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["email"]
            .as_str()
            .unwrap()
            .contains("at most 254"));
    }
    // None of them counted against this address.
    let (status, _) = c.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn busy_hashing_answers_503_with_retry_after_and_keys_keep_working() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    let database_url = server.database_url.clone();
    let _data = server.stop_keeping_data().await;
    // The same database, served by a server whose hashing slots are all taken.
    let busy = TestServer::start_with(
        |c| c.database_url = database_url.clone(),
        Some(PasswordHasher::saturated()),
    )
    .await;
    let sign_in = || {
        reqwest::Client::new()
            .post(format!("{}/api/v1/auth/sign-in", busy.base))
            .json(&json!({"email": "ada@acme.io", "password": PASSWORD}))
            .send()
    };
    // More busy answers than a pair may fail: none of them is a guess.
    for _ in 0..PAIR_LIMIT * 2 {
        assert_eq!(
            sign_in().await.unwrap().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
    let res = sign_in().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(code(&res.json().await.unwrap()), "unavailable");
    let (status, _) = busy
        .person()
        .post(
            "/auth/sign-up",
            json!({"organization": "B", "name": "Bo", "email": "bo@b.io", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // A key check needs no hashing: it still answers.
    assert_eq!(busy.system(&secret).get("/whoami").await.0, StatusCode::OK);
    busy.stop().await;
    // Hashing free again, Ada signs in: the busy answers locked nothing.
    let server = TestServer::start_with(|c| c.database_url = database_url.clone(), None).await;
    let (status, body) = server.person().sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn sign_ups_are_limited_per_address() {
    let server = TestServer::start().await;
    for n in 0..SIGN_UPS_PER_ADDRESS {
        server
            .sign_up(&format!("Org {n}"), &format!("p{n}@acme.io"))
            .await;
    }
    let (status, body) = server
        .person()
        .post("/auth/sign-up", json!({"organization": "One more", "name": "Eve", "email": "eve@x.io", "password": PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn guessable_passwords_are_refused_with_advice_at_the_field() {
    let server = TestServer::start().await;
    for weak in [
        "password1234",
        "qwertyuiop123",
        "acme acme acme",
        "ada@acme.io-2026",
    ] {
        let (status, body) = server
            .person()
            .post("/auth/sign-up", json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": weak}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        let message = body["error"]["fields"]["password"].as_str().unwrap();
        assert!(
            message.starts_with("This password is too easy to guess."),
            "{weak}: {message}"
        );
    }
    let (status, body) = server
        .person()
        .post("/auth/sign-up", json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": "x".repeat(129)}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["password"]
        .as_str()
        .unwrap()
        .contains("128"));
    server.sign_up("Acme", "ada@acme.io").await;
}

#[tokio::test]
async fn sign_ins_and_lock_outs_are_in_the_audit_trail() {
    let server = behind_proxy().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let thief = server.person_at("203.0.113.66");
    for _ in 0..PAIR_LIMIT {
        thief.sign_in("ada@acme.io", "guess guess guess").await;
    }
    let (status, _) = server
        .person_at("198.51.100.7")
        .sign_in("ada@acme.io", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, trail) = ada.get("/audit-events").await;
    let events: Vec<(String, String)> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["details"]["client_address"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    assert!(
        events.contains(&("user.locked_out".into(), "203.0.113.66".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&("user.signed_in".into(), "198.51.100.7".into())),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_failed_sign_in_does_not_wait_for_the_global_write_lock() {
    if !crate::harness::on_postgres() {
        return; // SQLite has one writer whatever is locked; replicas share PostgreSQL
    }
    let server = TestServer::start().await;
    server.sign_up("Acme", "ada@acme.io").await;
    let pool = crate::harness::database(&server.database_url).await;
    // Another replica's long write holds the global lock.
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
        .bind(keydesk_server::storage::WRITE_LOCK)
        .execute(&mut *holder)
        .await
        .unwrap();
    let stranger = server.person();
    let attempt = stranger.sign_in("ada@acme.io", "wrong wrong wrong");
    let (status, _) = tokio::time::timeout(std::time::Duration::from_secs(10), attempt)
        .await
        .expect("counted and answered while another write holds the lock");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    holder.rollback().await.unwrap();
    pool.close().await;
}
