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
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_keydesk-server");
const CLIENTS: usize = 8;

/// Starts the server binary; returns it (its base URL inside).
fn start(database_url: &str, dist: &std::path::Path) -> SpawnedServer {
    SpawnedServer::start(
        std::path::Path::new(BIN),
        &[
            "--insecure-cookies",
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

/// A cookie-keeping client signed in as Ada.
async fn ada(base: &str, sign_up: bool) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let (path, body) = if sign_up {
        (
            "sign-up",
            json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": harness::PASSWORD}),
        )
    } else {
        (
            "sign-in",
            json!({"email": "ada@acme.io", "password": harness::PASSWORD}),
        )
    };
    let res = http
        .post(format!("{base}/api/v1/auth/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    http
}

/// What the server acknowledged: created keys, and the secret each was generated with.
#[derive(Default)]
struct Acknowledged {
    created: Vec<String>,
    generated: Vec<(String, String)>,
}

async fn post(http: &reqwest::Client, url: String, body: Value) -> Option<(StatusCode, Value)> {
    let res = http
        .post(url)
        .header("X-Requested-With", "keydesk")
        .json(&body)
        .send()
        .await
        .ok()?;
    let status = res.status();
    Some((status, res.json().await.ok()?))
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
            let (http, base) = (http.clone(), base.clone());
            let (acknowledged, progress) = (acknowledged.clone(), progress.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    if Instant::now() > stop_at {
                        return;
                    }
                    let body =
                        json!({"name": format!("Key_{c}_{n}"), "role_ids": ["billing-reader"]});
                    let Some((StatusCode::CREATED, key)) =
                        post(&http, format!("{base}/api/v1/api-keys"), body).await
                    else {
                        return; // the server is gone
                    };
                    let id = key["id"].as_str().unwrap().to_string();
                    acknowledged.lock().unwrap().created.push(id.clone());
                    let url = format!("{base}/api/v1/api-keys/{id}/generate");
                    let Some((StatusCode::OK, generated)) = post(&http, url, json!({})).await
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
        let res = http
            .get(format!("{base}/api/v1/api-keys/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "acknowledged key {id} is lost"
        );
    }
    for (id, secret) in &acknowledged.generated {
        let res = reqwest::Client::new()
            .get(format!("{base}/api/v1/whoami"))
            .bearer_auth(secret)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
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
