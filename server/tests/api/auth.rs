use crate::harness::{code, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_person_who_signs_up_is_admin_of_the_new_organization() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let me = ada.me().await;
    assert_eq!(me.organization.name, "Acme");
    assert_eq!(me.user.email, "ada@acme.io");
    assert_eq!(
        me.user
            .roles
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        ["admin"]
    );
    assert_eq!(
        me.permissions.len(),
        keydesk_contract::permissions::CATALOGUE.len()
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let server = TestServer::start().await;
    server.sign_up("Acme", "ada@acme.io").await;
    let c = server.person();
    let (s1, wrong_password) = c.sign_in("ada@acme.io", "not the password").await;
    let (s2, unknown_email) = c.sign_in("nobody@acme.io", PASSWORD).await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(code(&wrong_password), "invalid_credentials");
    assert_eq!(wrong_password, unknown_email);
    let (status, _) = c.get("/me").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a failed sign-in gives no session"
    );
}

#[tokio::test]
async fn sign_in_works_with_any_letter_case_of_the_email() {
    let server = TestServer::start().await;
    server.sign_up("Acme", "ada@acme.io").await;
    let c = server.person();
    let (status, body) = c.sign_in(" ADA@Acme.io ", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(c.me().await.user.email, "ada@acme.io");
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, _) = ada.post("/auth/sign-out", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = ada.get("/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "unauthenticated");
}

#[tokio::test]
async fn an_email_can_sign_up_only_once() {
    let server = TestServer::start().await;
    server.sign_up("Acme", "ada@acme.io").await;
    let (status, body) = server
        .person()
        .post("/auth/sign-up", json!({"organization": "Other", "name": "Ada", "email": "Ada@acme.io", "password": PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["email"].is_string(), "{body}");
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_with_retry_after() {
    let server = TestServer::start().await;
    server.sign_up("Acme", "ada@acme.io").await;
    let c = server.person();
    for _ in 0..keydesk_server::auth::throttle::PAIR_LIMIT {
        let (status, _) = c.sign_in("ada@acme.io", "guess guess guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let res = c
        .http
        .post(format!("{}/api/v1/auth/sign-in", server.base))
        .json(&json!({"email": "ada@acme.io", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&body), "too_many_attempts");
}
