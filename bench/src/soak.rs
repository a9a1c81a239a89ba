//! `scripts/soak`: 200 concurrent clients mix listing, creating, generating,
//! editing and key checks against one release server for 60 seconds, on the
//! database the `KEYDESK_SOAK_DATABASE` URL names (a fresh SQLite file when
//! unset). Then it checks, and fails when one does not hold: no 5xx answer,
//! no acknowledged write lost (every acknowledged key is stored with its last
//! acknowledged description, and its last acknowledged secret works, and
//! nothing unacknowledged was stored), and the server's memory flat (its
//! resident size at the end within 25 % or 16 MiB of what it was after the
//! first quarter). Prints what it measured.

use keydesk_server::spawned::{Log, SpawnedServer};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

const CLIENTS: usize = 200;
const DURATION: Duration = Duration::from_secs(60);

/// What each client saw acknowledged for one of its keys.
#[derive(Default, Clone)]
struct KeyState {
    description: String,
    secret: Option<String>,
    version: u64,
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    server_errors: AtomicU64,
    other_unexpected: AtomicU64,
}

pub async fn run() {
    let root = keydesk_e2e::repo_root();
    let data = tempfile::tempdir().unwrap();
    let (database_url, engine) = match std::env::var("KEYDESK_SOAK_DATABASE") {
        Ok(url) if !url.is_empty() => (url, "PostgreSQL"),
        _ => (
            format!("sqlite://{}", data.path().join("soak.db").display()),
            "SQLite",
        ),
    };
    let secret_key = keydesk_server::server_key::KeyText::random().to_hex();
    let server = SpawnedServer::start(
        &root.join("target/release/keydesk-server"),
        &[
            "--insecure-cookies",
            "--dist",
            data.path().to_str().unwrap(),
            "--database-url",
            &database_url,
        ],
        // Required on PostgreSQL; a fresh one per run is fine for a soak.
        &[("KEYDESK_SECRET_KEY", &secret_key)],
        Log::Inherit("error"),
    );
    let base = server.base.clone();
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = admin
        .post(format!("{base}/api/v1/auth/sign-up"))
        .json(
            &json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io",
                      "password": "correct horse battery staple"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    let tally = Arc::new(Tally::default());
    let keys: Arc<Mutex<HashMap<String, KeyState>>> = Arc::default();
    let started = Instant::now();
    let deadline = started + DURATION;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (admin, base, tally, keys) =
                (admin.clone(), base.clone(), tally.clone(), keys.clone());
            tokio::spawn(async move { client(c, &admin, &base, &tally, &keys, deadline).await })
        })
        .collect();
    // Resident memory after the first quarter, then at the end.
    tokio::time::sleep(DURATION / 4).await;
    let warm = server.resident_bytes() / 1024;
    for client in clients {
        client.await.unwrap();
    }
    let elapsed = started.elapsed();
    let end = server.resident_bytes() / 1024;

    let keys = keys.lock().unwrap().clone();
    let lost = check_nothing_lost(&admin, &base, &keys).await;
    let requests = tally.requests.load(Ordering::Relaxed);
    let server_errors = tally.server_errors.load(Ordering::Relaxed);
    let other = tally.other_unexpected.load(Ordering::Relaxed);
    let memory_flat = end <= (warm + warm / 4).max(warm + 16 * 1024);
    println!(
        "soak on {engine}: {CLIENTS} clients, {:.0} s",
        elapsed.as_secs_f64()
    );
    println!(
        "  requests:                 {requests} ({:.0}/s)",
        requests as f64 / elapsed.as_secs_f64()
    );
    println!("  acknowledged keys:        {}", keys.len());
    println!("  5xx answers:              {server_errors}");
    println!("  other unexpected answers: {other}");
    println!("  acknowledged writes lost: {lost}");
    println!(
        "  server memory (RSS):      {} MiB after 15 s, {} MiB at the end",
        warm / 1024,
        end / 1024
    );
    server.kill();
    assert_eq!(server_errors, 0, "5xx answers");
    assert_eq!(other, 0, "unexpected answers");
    assert_eq!(lost, 0, "lost acknowledged writes");
    assert!(memory_flat, "memory grew from {warm} KiB to {end} KiB");
    println!("  all held");
}

/// One client: its own keys, a random mix of requests until `deadline`.
async fn client(
    c: usize,
    admin: &reqwest::Client,
    base: &str,
    tally: &Tally,
    keys: &Mutex<HashMap<String, KeyState>>,
    deadline: Instant,
) {
    let system = reqwest::Client::new();
    let mut mine: Vec<String> = Vec::new();
    let mut n = 0u64;
    // A cheap, deterministic mix per client.
    let mut roll = (c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while Instant::now() < deadline {
        roll ^= roll << 13;
        roll ^= roll >> 7;
        roll ^= roll << 17;
        n += 1;
        let pick = roll % 100;
        let key = (!mine.is_empty()).then(|| mine[(roll >> 8) as usize % mine.len()].clone());
        let (expected, request) = match key {
            // About a fifth creates (each client up to 40 keys), the rest
            // lists, generates, edits and checks keys.
            None => (StatusCode::CREATED, create(admin, base, c, n)),
            Some(_) if pick < 20 && mine.len() < 40 => {
                (StatusCode::CREATED, create(admin, base, c, n))
            }
            Some(_) if pick < 35 => (
                StatusCode::OK,
                admin.get(format!("{base}/api/v1/api-keys?limit=50&sort=name")),
            ),
            Some(id) if pick < 50 => (
                StatusCode::OK,
                write(admin.post(format!("{base}/api/v1/api-keys/{id}/generate"))).json(&json!({})),
            ),
            Some(id) if pick < 70 => {
                let version = keys.lock().unwrap()[&id].version;
                (
                    StatusCode::OK,
                    write(admin.patch(format!("{base}/api/v1/api-keys/{id}")))
                        .header("If-Match", format!("\"{version}\""))
                        .json(&json!({"description": format!("edit {n} by client {c}")})),
                )
            }
            Some(id) => match keys.lock().unwrap()[&id].secret.clone() {
                Some(secret) => (
                    StatusCode::OK,
                    system
                        .get(format!("{base}/api/v1/whoami"))
                        .bearer_auth(secret),
                ),
                None => (
                    StatusCode::OK,
                    admin.get(format!("{base}/api/v1/api-keys/{id}")),
                ),
            },
        };
        tally.requests.fetch_add(1, Ordering::Relaxed);
        let Ok(res) = request.send().await else {
            tally.other_unexpected.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status.is_server_error() {
            tally.server_errors.fetch_add(1, Ordering::Relaxed);
            eprintln!("5xx: {status} {body}");
            continue;
        }
        if status != expected {
            tally.other_unexpected.fetch_add(1, Ordering::Relaxed);
            eprintln!("unexpected: {status} {body}");
            continue;
        }
        // Acknowledged: remember what must now be stored.
        let mut keys = keys.lock().unwrap();
        if let Some(secret) = body["secret"].as_str() {
            let state = keys
                .get_mut(body["api_key"]["id"].as_str().unwrap())
                .unwrap();
            state.secret = Some(secret.to_string());
            state.version = body["api_key"]["version"].as_u64().unwrap_or(state.version);
        } else if expected == StatusCode::CREATED {
            let id = body["id"].as_str().unwrap().to_string();
            let version = body["version"].as_u64().unwrap_or(1);
            keys.insert(
                id.clone(),
                KeyState {
                    version,
                    ..Default::default()
                },
            );
            mine.push(id);
        } else if let (Some(id), Some(description)) =
            (body["id"].as_str(), body["description"].as_str())
        {
            if let Some(state) = keys.get_mut(id) {
                if description.starts_with("edit ") {
                    state.description = description.to_string();
                }
                state.version = body["version"].as_u64().unwrap_or(state.version);
            }
        }
    }
}

fn create(admin: &reqwest::Client, base: &str, c: usize, n: u64) -> reqwest::RequestBuilder {
    write(admin.post(format!("{base}/api/v1/api-keys")))
        .json(&json!({"name": format!("Soak_{c}_{n}"), "role_ids": ["billing-reader"]}))
}

fn write(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request.header("X-Requested-With", "keydesk")
}

/// How many acknowledged writes are not as acknowledged in the database.
async fn check_nothing_lost(
    admin: &reqwest::Client,
    base: &str,
    keys: &HashMap<String, KeyState>,
) -> usize {
    let mut lost = 0;
    let (_, page) = get(admin, &format!("{base}/api/v1/api-keys?limit=1")).await;
    let stored = page["total"].as_u64().unwrap_or(0) as usize;
    if stored != keys.len() {
        eprintln!("stored keys: {stored}, acknowledged: {}", keys.len());
        lost += stored.abs_diff(keys.len());
    }
    for (id, state) in keys {
        let (status, key) = get(admin, &format!("{base}/api/v1/api-keys/{id}")).await;
        if status != StatusCode::OK || key["description"].as_str() != Some(&state.description) {
            eprintln!(
                "key {id}: {status}, description {:?} ≠ {:?}",
                key["description"], state.description
            );
            lost += 1;
            continue;
        }
        if let Some(secret) = &state.secret {
            let res = reqwest::Client::new()
                .get(format!("{base}/api/v1/whoami"))
                .bearer_auth(secret)
                .send()
                .await
                .unwrap();
            if res.status() != StatusCode::OK {
                eprintln!(
                    "key {id}: its last acknowledged secret answers {}",
                    res.status()
                );
                lost += 1;
            }
        }
    }
    lost
}

async fn get(http: &reqwest::Client, url: &str) -> (StatusCode, Value) {
    let res = http.get(url).send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}
