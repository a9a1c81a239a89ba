//! A big organization: 10,000 keys, listed a page of 50 at a time with
//! search and sort, beside a trivial handler on the same server.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::load::percentile;
use crate::setup::{seed_keys, Running};
use crate::table::{Row, Target};

pub const KEYS: usize = 10_000;
const REQUESTS: usize = 300;

pub async fn measure(dist: &Path) -> Vec<Row> {
    let server = Running::start(dist).await;
    let seeding = Instant::now();
    seed_keys(server.storage(), &server.me().await, 0..KEYS).await;
    eprintln!(
        "seeded {KEYS} keys in {:.1}s",
        seeding.elapsed().as_secs_f64()
    );
    let queries = [
        "search=Ledger&sort=name",
        "search=er_0&sort=-created_at",
        "search=Billing_01&sort=-name",
        "sort=created_at",
        "role=developer&sort=name",
        "search=nothing-matches&sort=name",
    ];
    let mut lists = Vec::with_capacity(REQUESTS);
    let mut floor = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS {
        let q = queries[i % queries.len()];
        lists.push(timed(&server, &format!("/api/v1/api-keys?{q}&limit=50")).await);
        floor.push(timed(&server, "/healthz").await);
    }
    lists.sort();
    floor.sort();
    server.stop().await;
    vec![
        Row {
            what: format!("{KEYS} keys: list a page of 50, p50 (search, filter, sort)"),
            figure: percentile(&lists, 0.50),
            floor: Some(percentile(&floor, 0.50)),
            unit: "ms",
            target: Target::None,
        },
        Row {
            what: format!("{KEYS} keys: list a page of 50, p99"),
            figure: percentile(&lists, 0.99),
            floor: Some(percentile(&floor, 0.99)),
            unit: "ms",
            target: Target::AtMost(20.0),
        },
    ]
}

async fn timed(server: &Running, path: &str) -> Duration {
    let started = Instant::now();
    let res = server
        .admin
        .http()
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    let _ = res.bytes().await.unwrap();
    started.elapsed()
}
