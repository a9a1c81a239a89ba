//! Nothing acknowledged is lost when the server dies mid-write: concurrent
//! clients create and generate keys, the server is killed with SIGKILL, and
//! after a restart every key whose creation was acknowledged is there and
//! every secret whose generation was acknowledged works. Runs on SQLite, and
//! on PostgreSQL when `scripts/with-postgres` provides a cluster.

#[allow(dead_code)]
#[path = "api/harness.rs"]
mod harness;

use keydesk_server::spawned::{Log, SpawnedServer};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_keydesk-server");
const CLIENTS: usize = 8;

/// Starts the server binary; returns it (its base URL inside).
fn start(database_url: &str, dist: &std::path::Path) -> SpawnedServer {
    SpawnedServer::start(
        std::path::Path::new(BIN),
        &[
            "--insecure-cookies",
            "--allow-private-destinations",
            "--dist",
            dist.to_str().unwrap(),
            "--database-url",
            database_url,
        ],
        // Required on PostgreSQL (replicas share it); harmless on SQLite.
        &[("KEYDESK_SECRET_KEY", harness::TEST_SECRET_KEY)],
        Log::Discard,
    )
}

/// Ada's client, signed up (first) or signed in (after the restart).
async fn ada(base: &str, sign_up: bool) -> harness::Client {
    let ada = harness::Client::person_at_base(base);
    let (status, body) = if sign_up {
        ada.post(
            "/auth/sign-up",
            json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": harness::PASSWORD}),
        )
        .await
    } else {
        ada.post(
            "/auth/sign-in",
            json!({"email": "ada@acme.io", "password": harness::PASSWORD}),
        )
        .await
    };
    assert!(status.is_success(), "{status}: {body}");
    ada
}

/// What the server acknowledged: created keys, and the secret each was generated with.
#[derive(Default)]
struct Acknowledged {
    created: Vec<String>,
    generated: Vec<(String, String)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_key_and_secret_survives_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match harness::postgres_admin_url() {
        Some(admin) => harness::fresh_postgres_database(&admin).await,
        None => format!("sqlite://{}", dir.path().join("k.db").display()),
    };
    let server = start(&database_url, dir.path());
    let base = server.base.clone();
    let http = ada(&base, true).await;

    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let (progress, mut generated) = tokio::sync::mpsc::unbounded_channel::<()>();
    let stop_at = Instant::now() + Duration::from_secs(30);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let http = http.clone();
            let (acknowledged, progress) = (acknowledged.clone(), progress.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    if Instant::now() > stop_at {
                        return;
                    }
                    let body =
                        json!({"name": format!("Key_{c}_{n}"), "role_ids": ["billing-reader"]});
                    let Some((StatusCode::CREATED, key)) = http.try_post("/api-keys", body).await
                    else {
                        return; // the server is gone
                    };
                    let id = key["id"].as_str().unwrap().to_string();
                    acknowledged.lock().unwrap().created.push(id.clone());
                    let generate = format!("/api-keys/{id}/generate");
                    let Some((StatusCode::OK, generated)) =
                        http.try_post(&generate, json!({})).await
                    else {
                        return;
                    };
                    let secret = generated["secret"].as_str().unwrap().to_string();
                    acknowledged.lock().unwrap().generated.push((id, secret));
                    let _ = progress.send(());
                }
            })
        })
        .collect();

    // Killed while the clients are writing, once a good number is acknowledged.
    drop(progress);
    for _ in 0..40 {
        generated
            .recv()
            .await
            .expect("the clients made enough progress");
    }
    server.kill(); // SIGKILL: no shutdown, no flush
    for client in clients {
        client.await.unwrap();
    }

    let restarted = start(&database_url, dir.path());
    let base = restarted.base.clone();
    let http = ada(&base, false).await;
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    for id in &acknowledged.created {
        let (status, _) = http.get(&format!("/api-keys/{id}")).await;
        assert_eq!(status, StatusCode::OK, "acknowledged key {id} is lost");
    }
    for (id, secret) in &acknowledged.generated {
        let system = harness::Client::person_at_base(&base).with_key(secret);
        let (status, _) = system.get("/whoami").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "acknowledged secret of {id} is lost"
        );
    }
    println!(
        "after SIGKILL: {} acknowledged keys and {} secrets all there",
        acknowledged.created.len(),
        acknowledged.generated.len()
    );
    restarted.kill();

    if !harness::on_postgres() {
        let pool = harness::database(&database_url).await;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(check, "ok");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_committed_before_a_kill_are_delivered_after_the_restart() {
    use keydesk_server::webhook_receiver::Receiver;
    let dir = tempfile::tempdir().unwrap();
    let database_url = match harness::postgres_admin_url() {
        Some(admin) => harness::fresh_postgres_database(&admin).await,
        None => format!("sqlite://{}", dir.path().join("k.db").display()),
    };
    let receiver = Receiver::start().await;
    // The first attempt fails, so the first event is still pending when
    // the server dies; the second may be delivered before, or be in flight
    // (leased) when the server is killed, or never be tried.
    receiver.answer_next(&[503]);
    let server = start(&database_url, dir.path());
    let http = ada(&server.base, true).await;
    let (status, body) = http
        .post(
            "/event-destinations",
            json!({"url": receiver.url, "events": ["api_key.created"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    http.create_key("Before_The_Kill", &["developer"]).await;
    receiver.wait_for(1, Duration::from_secs(20)).await;
    http.create_key("At_The_Kill", &["developer"]).await;
    server.kill(); // SIGKILL right after the commit was acknowledged

    let restarted = start(&database_url, dir.path());
    // The pending retry is due 5 s after the failed attempt. On SQLite the
    // restarted server releases the dead one's leases at once; replicas on
    // PostgreSQL wait for a lease to run out, so the deadline allows one.
    let patience = match harness::postgres_admin_url() {
        Some(_) => keydesk_server::events::deliverer::LEASE_SECONDS as u64 + 30,
        None => 30,
    };
    let delivered = |got: &[keydesk_server::webhook_receiver::Received]| {
        got.iter()
            .filter(|r| r.answered == 204)
            .map(|r| {
                r.json["data"]["target"]["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect::<std::collections::BTreeSet<String>>()
    };
    let got = receiver
        .wait_until(Duration::from_secs(patience), |got| {
            delivered(got).len() >= 2
        })
        .await;
    // At least once each; after a failure, order is not promised.
    assert_eq!(
        delivered(&got),
        ["At_The_Kill", "Before_The_Kill"].map(String::from).into(),
    );
    drop(restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_a_killed_server_had_taken_goes_out_when_it_restarts_on_sqlite() {
    use keydesk_server::webhook_receiver::Receiver;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("k.db").display());
    let receiver = Receiver::start().await;
    receiver.answer_next(&[503]);
    let server = start(&database_url, dir.path());
    let http = ada(&server.base, true).await;
    http.post(
        "/event-destinations",
        json!({"url": receiver.url, "events": ["api_key.created"]}),
    )
    .await;
    http.create_key("In_Flight", &["developer"]).await;
    receiver.wait_for(1, Duration::from_secs(20)).await;
    server.kill();
    // As if it died mid-delivery: the delivery is taken (leased) for good.
    let outbox = sqlx::SqlitePool::connect(&database_url).await.unwrap();
    sqlx::query("UPDATE event_deliveries SET lease_until = '9999-12-31T00:00:00.000000Z'")
        .execute(&outbox)
        .await
        .unwrap();
    outbox.close().await;

    // The restarted server holds the file's lock: that lease was the dead
    // one's, and the retry (due 5 s after the failed attempt) goes out.
    let restarted = start(&database_url, dir.path());
    let got = receiver
        .wait_until(Duration::from_secs(30), |got| {
            got.iter().any(|r| r.answered == 204)
        })
        .await;
    assert_eq!(
        got.last().unwrap().json["data"]["target"]["name"],
        "In_Flight"
    );
    drop(restarted);
}
