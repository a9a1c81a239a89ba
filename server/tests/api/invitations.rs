//! Adding a person without a password ends with a one-time invitation link:
//! shown once, valid seven days, stored as a digest, voided by a newer one.

use reqwest::StatusCode;
use serde_json::{json, Value};
use time::Duration;

use crate::harness::{code, Client, TestServer, PASSWORD};

const DEV_PASSWORD: &str = "marble otter quietly folds umbrellas";

/// Adds Dev as invited; returns their id.
async fn invite_dev(ada: &Client) -> String {
    let (status, body) = ada
        .post(
            "/users",
            json!({"name": "Dev Eloper", "email": "dev@acme.io", "role_ids": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "invited");
    body["id"].as_str().unwrap().to_string()
}

/// Issues an invitation; returns the token from its link.
async fn link(ada: &Client, id: &str) -> String {
    let (status, body) = ada
        .post(&format!("/users/{id}/invitation"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["expires_at"].is_string());
    let url = body["url"].as_str().unwrap();
    let (_, token) = url
        .split_once("/invitation#")
        .expect("the token is in the fragment");
    token.to_string()
}

async fn accept(server: &TestServer, token: &str, password: &str) -> (StatusCode, Value, Client) {
    let c = server.person();
    let (status, body) = c
        .post(
            "/auth/accept-invitation",
            json!({"token": token, "password": password}),
        )
        .await;
    (status, body, c)
}

#[tokio::test]
async fn an_invited_person_sets_a_password_once_and_lands_signed_in() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let id = invite_dev(&ada).await;
    // Until they accept, they cannot sign in.
    let (status, _) = server
        .person()
        .post(
            "/auth/sign-in",
            json!({"email": "dev@acme.io", "password": ""}),
        )
        .await;
    assert_ne!(status, StatusCode::OK);
    let token = link(&ada, &id).await;

    let (status, body, _) = accept(&server, &token, "password1234").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the same password rules as sign-up"
    );
    assert!(body["error"]["fields"]["password"].is_string());

    let (status, body, dev) = accept(&server, &token, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "dev@acme.io");
    assert_eq!(dev.me().await.user.email, "dev@acme.io", "signed in");
    let (_, person) = ada.get(&format!("/users/{id}")).await;
    assert_eq!(person["status"], "active");

    let (status, body, _) = accept(&server, &token, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a used link is spent");
    assert_eq!(code(&body), "unauthenticated");
    let (status, _) = ada
        .post(&format!("/users/{id}/invitation"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "they have joined");
    let (_, trail) = ada.get("/audit-events").await;
    let trail = trail.to_string();
    assert!(trail.contains("user.invited") && trail.contains("user.joined"));
    server.stop().await;
}

#[tokio::test]
async fn a_new_link_voids_the_old_and_links_expire_after_seven_days() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let id = invite_dev(&ada).await;
    let first = link(&ada, &id).await;
    let second = link(&ada, &id).await;
    assert_ne!(first, second);
    assert_eq!(
        accept(&server, &first, DEV_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );

    server
        .clock
        .advance(Duration::days(7) + Duration::seconds(1));
    assert_eq!(
        accept(&server, &second, DEV_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    // A week on, Ada's own session has ended too: she signs in again.
    let (status, _) = ada
        .post(
            "/auth/sign-in",
            json!({"email": "ada@acme.io", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let third = link(&ada, &id).await;
    assert_eq!(
        accept(&server, &third, DEV_PASSWORD).await.0,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn only_those_who_may_add_people_issue_links_and_tokens_are_stored_as_digests() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let id = invite_dev(&ada).await;
    let dev = ada.add_person("someone@acme.io", &["developer"]).await;
    assert_eq!(
        dev.post(&format!("/users/{id}/invitation"), json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let token = link(&ada, &id).await;
    let pool = crate::harness::database(&server.database_url).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT digest FROM invitations")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert_eq!(
        accept(&server, "not-a-token", DEV_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}

#[tokio::test]
async fn an_invited_person_deactivated_and_activated_again_can_still_join() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let id = invite_dev(&ada).await;
    let token = link(&ada, &id).await;
    let (status, _) = ada
        .post(&format!("/users/{id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        accept(&server, &token, DEV_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = ada.post(&format!("/users/{id}/activate"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["status"], "invited",
        "no password yet: back to invited, not active"
    );
    let fresh = link(&ada, &id).await;
    assert_eq!(
        accept(&server, &fresh, DEV_PASSWORD).await.0,
        StatusCode::OK
    );
    server.stop().await;
}
