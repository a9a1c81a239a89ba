//! A closed-loop load generator: `connections` clients, each sending its next
//! request as soon as the last is answered, for `duration`. Reports requests
//! per second and latency percentiles; every answer must have the expected
//! status, or the run says how many did not.

use std::time::{Duration, Instant};

pub struct Load {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub unexpected: usize,
}

/// Sends GET `url` (with `headers`) from `connections` keep-alive clients.
pub async fn run(
    url: &str,
    headers: &[(&str, String)],
    expected: u16,
    connections: usize,
    duration: Duration,
) -> Load {
    run_with(None, url, headers, expected, connections, duration).await
}

/// Like [`run`], but POSTs `body` (JSON) when there is one.
pub async fn run_with(
    body: Option<&str>,
    url: &str,
    headers: &[(&str, String)],
    expected: u16,
    connections: usize,
    duration: Duration,
) -> Load {
    let body = body.map(str::to_string);
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let url = url.to_string();
            let body = body.clone();
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            tokio::spawn(async move {
                // One client per connection: each keeps its own socket alive.
                let http = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .unwrap();
                let mut latencies = Vec::new();
                let mut unexpected = 0;
                while Instant::now() < deadline {
                    let mut req = match &body {
                        Some(json) => http
                            .post(&url)
                            .header("content-type", "application/json")
                            .body(json.clone()),
                        None => http.get(&url),
                    };
                    for (k, v) in &headers {
                        req = req.header(k, v);
                    }
                    let sent = Instant::now();
                    match req.send().await {
                        Ok(res) => {
                            let ok = res.status().as_u16() == expected;
                            let _ = res.bytes().await;
                            if !ok {
                                unexpected += 1;
                            }
                        }
                        Err(_) => unexpected += 1,
                    }
                    latencies.push(sent.elapsed());
                }
                (latencies, unexpected)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut unexpected = 0;
    for t in tasks {
        let (l, u) = t.await.unwrap();
        all.extend(l);
        unexpected += u;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Load {
        requests_per_second: all.len() as f64 / elapsed,
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
        unexpected,
    }
}

/// The `q` quantile of sorted durations, in milliseconds.
pub fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}
