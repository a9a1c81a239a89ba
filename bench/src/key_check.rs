//! The key check under load: `GET /api/v1/whoami` with a valid key, beside a
//! trivial handler on the same server (`/healthz`: no database, no key) with
//! the same connections and duration.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::load;
use crate::setup::{Running, EMAIL, PASSWORD};
use crate::table::{Row, Target};

const CONNECTIONS: usize = 32;
const DURATION: Duration = Duration::from_secs(8);

pub async fn measure(server: &Running) -> Vec<Row> {
    let secret = server.key_secret().await;
    let floor = load::run(
        &format!("{}/healthz", server.base),
        &[],
        200,
        CONNECTIONS,
        DURATION,
    )
    .await;
    let check = load::run(
        &format!("{}/api/v1/whoami", server.base),
        &[("Authorization", format!("Bearer {secret}"))],
        200,
        CONNECTIONS,
        DURATION,
    )
    .await;
    // The platform's key check: the same path, plus a permission and a usage count.
    let authorize = load::run_with(
        Some(r#"{"permission":"renders.create"}"#),
        &format!("{}/api/v1/authorize", server.base),
        &[("Authorization", format!("Bearer {secret}"))],
        200,
        CONNECTIONS,
        DURATION,
    )
    .await;
    assert_eq!(
        floor.unexpected + check.unexpected + authorize.unexpected,
        0,
        "every answer must be 200"
    );
    let label = format!("{CONNECTIONS} connections, {}s", DURATION.as_secs());
    vec![
        Row {
            what: format!("key check: /whoami requests/s ({label})"),
            figure: check.requests_per_second,
            floor: Some(floor.requests_per_second),
            unit: "req/s",
            target: Target::RatioAtLeast(0.5),
        },
        Row {
            what: format!("platform key check: POST /authorize requests/s ({label})"),
            figure: authorize.requests_per_second,
            floor: Some(floor.requests_per_second),
            unit: "req/s",
            target: Target::RatioAtLeast(0.5),
        },
        Row {
            what: "platform key check: /authorize p99 (beside /whoami p99)".into(),
            figure: authorize.p99_ms,
            floor: Some(check.p99_ms),
            unit: "ms",
            target: Target::None,
        },
        Row {
            what: "key check: /whoami p50".into(),
            figure: check.p50_ms,
            floor: Some(floor.p50_ms),
            unit: "ms",
            target: Target::None,
        },
        Row {
            what: "key check: /whoami p99".into(),
            figure: check.p99_ms,
            floor: Some(floor.p99_ms),
            unit: "ms",
            target: Target::None,
        },
    ]
}

const SIGN_INS: usize = 50;

/// The key check's p99 while 50 clients sign in, each again as soon as it is
/// answered (or when `Retry-After` says, when the hashing pool is full), each
/// attempt from its own forwarded address so the sign-in throttle lets them
/// through to password hashing; beside the key check's p99 alone.
pub async fn measure_under_sign_ins(dist: &Path) -> Vec<Row> {
    let server = Running::start_with(dist, |c| {
        c.trusted_proxies = vec![keydesk_server::config::parse_range("127.0.0.1").unwrap()]
    })
    .await;
    let secret = server.key_secret().await;
    let whoami = format!("{}/api/v1/whoami", server.base);
    let key = [("Authorization", format!("Bearer {secret}"))];
    let alone = load::run(&whoami, &key, 200, CONNECTIONS, DURATION).await;

    let stop = Arc::new(AtomicBool::new(false));
    let (signed_in, turned_away) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let next_address = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..SIGN_INS)
        .map(|_| {
            let (stop, signed_in, turned_away) =
                (stop.clone(), signed_in.clone(), turned_away.clone());
            let (next_address, base) = (next_address.clone(), server.base.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                while !stop.load(Ordering::Relaxed) {
                    let n = next_address.fetch_add(1, Ordering::Relaxed);
                    let address = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                    let answer = http
                        .post(format!("{base}/api/v1/auth/sign-in"))
                        .header("X-Forwarded-For", address)
                        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
                        .send()
                        .await;
                    let Ok(answer) = answer else {
                        turned_away.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    if answer.status().is_success() {
                        signed_in.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    turned_away.fetch_add(1, Ordering::Relaxed);
                    // As a browser would: come back when the server says to.
                    let wait = answer
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
            })
        })
        .collect();
    let loaded = load::run(&whoami, &key, 200, CONNECTIONS, DURATION).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        let _ = c.await;
    }
    server.stop().await;
    assert_eq!(
        alone.unexpected + loaded.unexpected,
        0,
        "every key check must be 200"
    );
    vec![Row {
        what: format!(
            "key check p99 during {SIGN_INS} concurrent sign-ins ({} signed in, {} turned away)",
            signed_in.load(Ordering::Relaxed),
            turned_away.load(Ordering::Relaxed)
        ),
        figure: loaded.p99_ms,
        floor: Some(alone.p99_ms),
        unit: "ms",
        target: Target::RatioAtMost(2.0),
    }]
}

/// `/whoami` with a key allowed from 100 networks (the caller's the last
/// one looked at), beside the same key allowed from anywhere, on one server.
pub async fn measure_with_allowlist(server: &Running) -> Vec<Row> {
    let key = server
        .post(
            "/api-keys",
            serde_json::json!({"name": "Allowlisted_Key", "role_ids": ["developer"]}),
        )
        .await;
    let id = key["id"].as_str().unwrap().to_string();
    let generated = server
        .post(&format!("/api-keys/{id}/generate"), serde_json::json!({}))
        .await;
    let secret = generated["secret"].as_str().unwrap().to_string();
    let run = || {
        let (url, secret) = (format!("{}/api/v1/whoami", server.base), secret.clone());
        async move {
            load::run(
                &url,
                &[("Authorization", format!("Bearer {secret}"))],
                200,
                CONNECTIONS,
                DURATION,
            )
            .await
        }
    };
    let anywhere = run().await;
    let mut networks: Vec<String> = (0..99).map(|i| format!("10.{i}.0.0/16")).collect();
    networks.push("127.0.0.0/8".into());
    let (status, answer) = server
        .admin
        .patch(
            &format!("/api-keys/{id}"),
            serde_json::json!({"allowed_networks": networks, "network_mode": "enforce"}),
        )
        .await;
    assert!(status.is_success(), "{answer}");
    let allowlisted = run().await;
    assert_eq!(
        anywhere.unexpected + allowlisted.unexpected,
        0,
        "every answer must be 200"
    );
    vec![Row {
        what: format!(
            "key check with a 100-network allowlist (beside none; {CONNECTIONS} connections, {}s)",
            DURATION.as_secs()
        ),
        figure: allowlisted.requests_per_second,
        floor: Some(anywhere.requests_per_second),
        unit: "req/s",
        target: Target::RatioAtLeast(0.95),
    }]
}
