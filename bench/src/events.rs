//! Signed events: how many a destination receives per second (a replay of
//! many events to a receiver on this machine: signed, posted, recorded one
//! after the other, as a destination gets one at a time), and the key
//! check while events flow to 5 destinations, beside the same load with
//! none attached.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use keydesk_server::webhook_receiver::Receiver;
use serde_json::json;

use crate::load;
use crate::setup::{seed_keys, Running, EMAIL, PASSWORD};
use crate::table::{Row, Target};

const EVENTS: usize = 1000;
const CONNECTIONS: usize = 32;
const DURATION: Duration = Duration::from_secs(8);

pub async fn measure(dist: &Path) -> Vec<Row> {
    let mut rows = vec![delivered_per_second(dist).await];
    rows.push(key_check_with_destinations(dist).await);
    rows
}

async fn delivered_per_second(dist: &Path) -> Row {
    let server = Running::start_with(dist, |c| c.allow_private_destinations = true).await;
    let since = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let me = server.me().await;
    seed_keys(server.storage(), &me, 0..EVENTS).await;
    let receiver = Receiver::start().await;
    let created = server
        .post(
            "/event-destinations",
            json!({"url": receiver.url, "events": ["api_key.created"]}),
        )
        .await;
    let id = created["destination"]["id"].as_str().unwrap();
    let started = Instant::now();
    let since = since
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    server
        .post(
            &format!("/event-destinations/{id}/replay"),
            json!({ "since": since }),
        )
        .await;
    receiver.wait_for(EVENTS, Duration::from_secs(600)).await;
    let per_second = EVENTS as f64 / started.elapsed().as_secs_f64();
    server.stop().await;
    Row {
        what: format!("events delivered to one local receiver, in order ({EVENTS} replayed)"),
        figure: per_second,
        floor: None,
        unit: "events/s",
        target: Target::None,
    }
}

/// `/whoami` under load while a key is created every 20 ms (each an event),
/// with and without 5 destinations receiving them.
async fn key_check_with_destinations(dist: &Path) -> Row {
    let mut figures = Vec::new();
    for destinations in [0, 5] {
        let server = Running::start_with(dist, |c| c.allow_private_destinations = true).await;
        let secret = server.key_secret().await;
        let mut receivers = Vec::new();
        for _ in 0..destinations {
            let receiver = Receiver::start().await;
            server
                .post(
                    "/event-destinations",
                    json!({"url": receiver.url, "events": ["*"]}),
                )
                .await;
            receivers.push(receiver);
        }
        let writing = Arc::new(AtomicBool::new(true));
        let writer = {
            let writing = writing.clone();
            let admin = keydesk_e2e::http::Person::sign_in(&server.base, EMAIL, PASSWORD).await;
            tokio::spawn(async move {
                let mut n = 0;
                while writing.load(Ordering::Relaxed) {
                    admin
                        .post(
                            "/api-keys",
                            json!({"name": format!("Written_{n}"), "role_ids": ["developer"]}),
                        )
                        .await;
                    n += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        let check = load::run(
            &format!("{}/api/v1/whoami", server.base),
            &[("Authorization", format!("Bearer {secret}"))],
            200,
            CONNECTIONS,
            DURATION,
        )
        .await;
        writing.store(false, Ordering::Relaxed);
        writer.await.unwrap();
        assert_eq!(check.unexpected, 0, "every answer must be 200");
        figures.push(check.requests_per_second);
        server.stop().await;
    }
    Row {
        what: format!(
            "key check with 5 event destinations receiving (beside none; keys written every 20 ms; {CONNECTIONS} connections, {}s)",
            DURATION.as_secs()
        ),
        figure: figures[1],
        floor: Some(figures[0]),
        unit: "req/s",
        target: Target::RatioAtLeast(0.95),
    }
}
