//! Sessions: an idle timeout renewed by activity, an absolute lifetime, only
//! a digest of the token in the database, and a cookie browsers keep to
//! this host and HTTPS (or loopback).

use keydesk_server::auth::sessions::{ABSOLUTE_LIFETIME, IDLE_TIMEOUT};
use reqwest::StatusCode;
use time::Duration;

use crate::harness::{code, TestServer, PASSWORD};

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_and_activity_renews_it() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    // Requests every 29 minutes keep it alive well past 30 minutes in total.
    for _ in 0..4 {
        server.clock.advance(IDLE_TIMEOUT - Duration::minutes(1));
        assert_eq!(ada.get("/me").await.0, StatusCode::OK);
    }
    server.clock.advance(IDLE_TIMEOUT + Duration::seconds(1));
    let (status, body) = ada.get("/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "unauthenticated");
    // Ended for good: no later request brings it back.
    assert_eq!(ada.get("/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_sign_in_however_busy() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let step = Duration::minutes(20);
    let mut elapsed = Duration::ZERO;
    while elapsed + step < ABSOLUTE_LIFETIME {
        server.clock.advance(step);
        elapsed += step;
        assert_eq!(ada.get("/me").await.0, StatusCode::OK, "after {elapsed}");
    }
    server.clock.advance(ABSOLUTE_LIFETIME - elapsed);
    assert_eq!(ada.get("/me").await.0, StatusCode::UNAUTHORIZED);
    // Signing in again starts a fresh twelve hours.
    let (status, _) = ada.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ada.get("/me").await.0, StatusCode::OK);
}

/// The session cookie of a response.
fn session_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.contains("keydesk_session="))
        .expect("a session cookie is set")
}

fn token_of(cookie: &str) -> String {
    cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

#[tokio::test]
async fn a_copy_of_the_database_holds_no_usable_session() {
    let server = TestServer::start().await;
    let res = server.sign_up_response().await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let token = token_of(&session_cookie(&res));
    assert!(token.len() >= 43, "at least 256 bits: {token}");

    // What the database holds for that session is not the token ...
    let path = server.database_url.trim_start_matches("sqlite://");
    let pool = crate::harness::database(&server.database_url).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT digest FROM sessions")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    pool.close().await;
    // (On PostgreSQL the files are the server's; the query above is the check.)
    for file in [path.to_string(), format!("{path}-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&token), "the token is in {file}");
        }
    }
    // ... and presenting what it holds signs nobody in.
    let replay = reqwest::Client::new()
        .get(format!("{}/api/v1/me", server.base))
        .header("cookie", format!("__Host-keydesk_session={}", stored[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    let real = reqwest::Client::new()
        .get(format!("{}/api/v1/me", server.base))
        .header("cookie", format!("__Host-keydesk_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_cookie_is_host_only_secure_http_only_and_strict_with_hsts() {
    let server = TestServer::start().await;
    let res = server.sign_up_response().await;
    let cookie = session_cookie(&res);
    assert!(cookie.starts_with("__Host-keydesk_session="), "{cookie}");
    for part in ["; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"] {
        assert!(cookie.contains(part), "{part} missing: {cookie}");
    }
    assert!(!cookie.to_lowercase().contains("domain="), "{cookie}");
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
}

#[tokio::test]
async fn an_operator_serving_plain_http_elsewhere_opts_out_explicitly() {
    let server = TestServer::start_with(|c| c.insecure_cookies = true, None).await;
    let res = server.sign_up_response().await;
    let cookie = session_cookie(&res);
    assert!(cookie.starts_with("keydesk_session="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(res.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn sign_out_removes_the_cookie_and_the_session() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let res = server.sign_up_response().await;
    let token = token_of(&session_cookie(&res));
    let cookie = format!("__Host-keydesk_session={token}");
    let out = http
        .post(format!("{}/api/v1/auth/sign-out", server.base))
        .header("cookie", &cookie)
        .header("X-Requested-With", "keydesk")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(session_cookie(&out).contains("Max-Age=0"));
    // A copy of the old cookie is worth nothing now.
    let again = http
        .get(format!("{}/api/v1/me", server.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}
