//! What every response carries, and how slow or broken requests end.

use axum::routing::get;
use axum::Router;
use keydesk_server::http::hardening::{harden, SecurityHeaders, REQUEST_TIMEOUT};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

use crate::harness::{code, TestServer};

fn base64(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // Via the standard library only: encode 3 bytes into 4 characters.
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                write!(out, "{}", ABC[(n >> (18 - 6 * i) & 63) as usize] as char).unwrap();
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn every_page_and_api_answer_carries_the_security_headers() {
    let server = TestServer::start().await;
    let hash = format!(
        "'sha256-{}'",
        base64(&Sha256::digest(server.inline_script.as_bytes()))
    );
    let http = reqwest::Client::new();
    for path in [
        "/",
        "/api-keys/new",
        "/api/v1/me",
        "/api/v1/nope",
        "/healthz",
    ] {
        let res = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "'wasm-unsafe-eval'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: {directive} missing from {csp}"
            );
        }
        assert!(
            csp.contains(&hash),
            "{path}: the page's loader is allowed by its hash: {csp}"
        );
        assert!(
            !csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let policy = h["permissions-policy"].to_str().unwrap();
        assert!(
            policy.contains("camera=()") && policy.contains("geolocation=()"),
            "{policy}"
        );
    }
}

#[tokio::test]
async fn headers_sent_too_slowly_end_the_connection() {
    let server = TestServer::start().await;
    let mut conn = TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // ... and never the blank line that ends the headers.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), conn.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server still holds the connection after 20 s"
    );
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
}

#[tokio::test]
async fn a_body_that_stops_arriving_answers_408_in_the_error_shape() {
    let server = TestServer::start().await;
    let mut conn = TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    conn.write_all(
        b"POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"email\":",
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(20), conn.read(&mut buf))
        .await
        .expect("an answer before 20 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
}

fn hardened(router: Router) -> Router {
    harden(
        router,
        &SecurityHeaders::for_dist(std::path::Path::new("/nonexistent"), true),
    )
}

#[tokio::test(start_paused = true)]
async fn a_request_that_takes_too_long_answers_503_with_retry_after() {
    let slow = hardened(Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(REQUEST_TIMEOUT * 2).await;
            "done"
        }),
    ));
    let res = slow
        .oneshot(
            axum::http::Request::get("/slow")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_handler_that_panics_answers_the_500_shape_and_the_connection_lives_on() {
    let app = hardened(
        Router::new()
            .route(
                "/boom",
                get(|| async {
                    if true {
                        panic!("handler bug");
                    }
                    "unreachable"
                }),
            )
            .route("/fine", get(|| async { "fine" })),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = keydesk_server::serve::Limits {
        max_connections: 16,
        first_request_timeout: keydesk_server::serve::FIRST_REQUEST_TIMEOUT,
    };
    let served = tokio::spawn(keydesk_server::serve::serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    // One client, one kept-alive connection, two requests.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let res = http
        .get(format!("http://{addr}/boom"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&body), "internal");
    assert!(
        !body.to_string().contains("handler bug"),
        "details stay in the log"
    );
    let res = http
        .get(format!("http://{addr}/fine"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let _ = stop.send(());
    served.await.unwrap().unwrap();
}

/// Reads from `stream` until the server closes it (or `within` passes).
async fn closed_by_server(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn a_connection_that_sends_nothing_or_half_a_preface_is_closed() {
    let server = TestServer::start_with(
        |c| c.first_request_timeout = std::time::Duration::from_millis(500),
        None,
    )
    .await;
    let addr = server.addr();
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut half_preface = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half_preface.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    let mut half_headers = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half_headers
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    for (what, stream) in [
        ("nothing", &mut silent),
        ("half an HTTP/2 preface", &mut half_preface),
        ("half a header block", &mut half_headers),
    ] {
        assert!(
            closed_by_server(stream, Duration::from_secs(5)).await,
            "a connection that sent {what} is still open"
        );
    }
    // A client that does send its request is served as ever.
    let (status, _) = server.person().get("/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_ends() {
    let server = TestServer::start_with(
        |c| {
            c.max_connections = 2;
            c.first_request_timeout = std::time::Duration::from_secs(1);
        },
        None,
    )
    .await;
    let addr = server.addr();
    let _a = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let _b = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // A third connection is queued by the kernel, not served: its request
    // gets no answer until a slot frees (the two silent ones are closed at
    // their first-request deadline).
    let mut third = tokio::net::TcpStream::connect(&addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), third.read_to_end(&mut answer))
        .await
        .expect("answered once a slot freed")
        .unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(500),
        "it waited for a slot"
    );
}
