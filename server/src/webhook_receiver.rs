//! A real HTTP endpoint that receives keydesk's events, for the tests,
//! journeys and benchmarks that check deliveries end to end: it records
//! each request (headers and exact body) and answers the statuses it is
//! told to (204 once those run out).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: String,
    /// The body parsed (`{type, timestamp, data}`).
    pub json: serde_json::Value,
    /// What the receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn event_type(&self) -> &str {
        self.json["type"].as_str().unwrap_or_default()
    }

    /// Whether a receiver holding `secret` (`whsec_…`) accepts it.
    pub fn verifies_with(&self, secret: &str) -> bool {
        crate::events::signing::SigningSecret::parse(secret).is_some_and(|s| {
            crate::events::signing::verify(
                &s,
                &self.id,
                self.timestamp,
                self.body.as_bytes(),
                &self.signature,
            )
        })
    }
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    answers: Mutex<VecDeque<u16>>,
    arrived: tokio::sync::Notify,
}

pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> Receiver {
        let inner = Arc::new(Inner::default());
        let kept = inner.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let inner = kept.clone();
                async move { inner.take(&headers, &body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("http://{}/hook", listener.local_addr().expect("bound"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, inner, task }
    }

    /// The next requests are answered with these statuses, in order.
    pub fn answer_next(&self, statuses: &[u16]) {
        self.inner
            .answers
            .lock()
            .expect("answers")
            .extend(statuses.iter().copied());
    }

    /// Everything received so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().expect("received").clone()
    }

    /// Waits until at least `count` requests arrived (panics after `within`).
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        self.wait_until(within, |r| r.len() >= count).await
    }

    /// Waits until `enough` holds of what arrived (panics after `within`).
    pub async fn wait_until(
        &self,
        within: Duration,
        enough: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let arrived = self.inner.arrived.notified();
            let now = self.received();
            if enough(&now) {
                return now;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!(
                    "the receiver did not get what was expected within {within:?}; it got: {:?}",
                    now.iter()
                        .map(|r| (r.event_type().to_string(), r.answered))
                        .collect::<Vec<_>>()
                );
            }
        }
    }
}

impl Inner {
    fn take(&self, headers: &HeaderMap, body: &Bytes) -> StatusCode {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let answered = self
            .answers
            .lock()
            .expect("answers")
            .pop_front()
            .unwrap_or(204);
        let body = String::from_utf8_lossy(body).into_owned();
        self.received.lock().expect("received").push(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp").parse().unwrap_or(0),
            signature: header("webhook-signature"),
            json: serde_json::from_str(&body).unwrap_or_default(),
            body,
            answered,
        });
        self.arrived.notify_waiters();
        StatusCode::from_u16(answered).unwrap_or(StatusCode::NO_CONTENT)
    }
}
