//! My account: changing the password ends every other session of the
//! person; signing out everywhere ends all of them.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{code, TestServer, PASSWORD};

const NEW_PASSWORD: &str = "marble otter quietly folds umbrellas";

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_keeps_this_one() {
    let server = TestServer::start().await;
    let laptop = server.sign_up("Acme", "ada@acme.io").await;
    let phone = server.person();
    let (status, _) = phone.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = laptop
        .post(
            "/me/password",
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        laptop.get("/me").await.0,
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        phone.get("/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the other one ended"
    );

    let old = server.person().sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(old.0, StatusCode::UNAUTHORIZED);
    let new = server.person().sign_in("ada@acme.io", NEW_PASSWORD).await;
    assert_eq!(new.0, StatusCode::OK);
    let (_, trail) = laptop.get("/audit-events").await;
    assert!(trail.to_string().contains("user.password_changed"));
}

#[tokio::test]
async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, body) = ada
        .post(
            "/me/password",
            json!({"current_password": "not my password at all", "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["current_password"].is_string(),
        "{body}"
    );
    let (status, body) = ada
        .post(
            "/me/password",
            json!({"current_password": PASSWORD, "new_password": "password1234"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["new_password"]
        .as_str()
        .unwrap()
        .contains("too easy to guess"));
    let (status, _) = ada
        .post(
            "/me/password",
            json!({"current_password": PASSWORD, "new_password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The password is still the old one.
    let (status, _) = server.person().sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn guessing_the_current_password_through_a_session_is_throttled() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let limit = keydesk_server::auth::throttle::PAIR_LIMIT;
    for n in 0..limit {
        let (status, body) = ada
            .post("/me/password", json!({"current_password": format!("guess {n} guess guess"), "new_password": NEW_PASSWORD}))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "guess {n}: {body}"
        );
    }
    // The next guess is not checked, and neither is the right password now.
    for current in ["one more guess guess", PASSWORD] {
        let (status, body) = ada
            .post(
                "/me/password",
                json!({"current_password": current, "new_password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    let server = TestServer::start().await;
    let laptop = server.sign_up("Acme", "ada@acme.io").await;
    let phone = server.person();
    phone.sign_in("ada@acme.io", PASSWORD).await;
    let (status, _) = laptop.post("/auth/sign-out-everywhere", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for c in [&laptop, &phone] {
        let (status, body) = c.get("/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(code(&body), "unauthenticated");
    }
}

#[tokio::test]
async fn a_key_has_no_password_to_change() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Deploy_Bot", &["admin"]).await;
    let secret = ada.generate(&key.id).await.secret;
    let (status, _) = server
        .system(&secret)
        .post(
            "/me/password",
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
