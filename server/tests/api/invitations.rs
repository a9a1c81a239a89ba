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
    let (status, _) = server.person().sign_in("dev@acme.io", "").await;
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
    let (status, _) = ada.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let third = link(&ada, &id).await;
    assert_eq!(
        accept(&server, &third, DEV_PASSWORD).await.0,
        StatusCode::OK
    );
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
}

/// A person who may add and invite people, and read two things: Hank, who
/// holds far less than an Admin. Returns his client.
async fn hank_the_hiring_manager(ada: &Client) -> Client {
    ada.create_role(
        "Hiring",
        &[
            "users.create",
            "users.retrieve",
            "documents.retrieve",
            "renders.retrieve",
        ],
    )
    .await;
    let (_, roles) = ada.get("/roles").await;
    let hiring = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Hiring")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ada.add_person("hank@acme.io", &[&hiring]).await
}

#[tokio::test]
async fn a_link_kept_by_its_issuer_stops_working_once_the_person_holds_more_than_the_issuer() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let hank = hank_the_hiring_manager(&ada).await;
    // Hank invites Eve as a Document Viewer and keeps the link he was shown.
    let eve = hank
        .invite_person("Eve", "eve@acme.io", &["document-viewer"])
        .await;
    let kept = hank.invitation_token(&eve).await;
    // An admin then makes the still-invited Eve an Admin.
    let (status, body) = ada
        .patch(&format!("/users/{eve}"), json!({"role_ids": ["admin"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, _) = accept(&server, &kept, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Made a viewer again: the voided link stays void.
    ada.patch(
        &format!("/users/{eve}"),
        json!({"role_ids": ["document-viewer"]}),
    )
    .await;
    let (status, _, _) = accept(&server, &kept, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Only someone holding what Eve holds now can let her in.
    ada.patch(&format!("/users/{eve}"), json!({"role_ids": ["admin"]}))
        .await;
    assert_eq!(
        hank.post(&format!("/users/{eve}/invitation"), json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let fresh = ada.invitation_token(&eve).await;
    let (status, body, eve) = accept(&server, &fresh, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(eve.me().await.can("users.deactivate"));
}

#[tokio::test]
async fn widening_a_role_an_invited_person_holds_voids_their_link() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let readers = ada.create_role("Readers", &["documents.retrieve"]).await;
    let eve = ada.invite_person("Eve", "eve@acme.io", &[&readers]).await;
    let kept = ada.invitation_token(&eve).await;
    let (status, body) = ada
        .patch(
            &format!("/roles/{readers}"),
            json!({"permissions": ["documents.retrieve", "users.create"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = accept(&server, &kept, DEV_PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "issued before she held more"
    );
    // Narrowing voids nothing.
    let next = ada.invitation_token(&eve).await;
    ada.patch(
        &format!("/roles/{readers}"),
        json!({"permissions": ["documents.retrieve"]}),
    )
    .await;
    let (status, body, _) = accept(&server, &next, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_password_someone_else_set_only_opens_the_step_of_setting_ones_own() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, body) = ada
        .post(
            "/users",
            json!({"name": "Bo", "email": "bo@acme.io", "password": PASSWORD, "role_ids": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["status"], "invited",
        "not joined until their own password"
    );
    let bo = server.person();
    let (status, me) = bo.sign_in("bo@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["required_step"], "set_password");
    let (status, body) = bo.get("/api-keys").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "password_change_required");
    assert_eq!(bo.get("/me").await.1["required_step"], "set_password");
    let (status, body) = bo
        .post(
            "/me/password",
            json!({"current_password": PASSWORD, "new_password": DEV_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(bo.get("/me").await.1.get("required_step").is_none());
    assert_eq!(bo.get("/api-keys").await.0, StatusCode::OK);
    let (_, person) = ada
        .get(&format!("/users/{}", me["user"]["id"].as_str().unwrap()))
        .await;
    assert_eq!(person["status"], "active");
    // Whoever set the first password cannot use it any more.
    let (status, _) = server.person().sign_in("bo@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_set_by_someone_stops_once_the_person_holds_more_than_its_setter() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let hank = hank_the_hiring_manager(&ada).await;
    let (status, body) = hank
        .post(
            "/users",
            json!({"name": "Eve", "email": "eve@acme.io", "password": DEV_PASSWORD, "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let eve = body["id"].as_str().unwrap().to_string();
    ada.patch(&format!("/users/{eve}"), json!({"role_ids": ["admin"]}))
        .await;
    let (status, body) = server.person().sign_in("eve@acme.io", DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(code(&body), "invalid_credentials");
}

#[tokio::test]
async fn a_key_cannot_make_a_person_whose_password_its_holder_knows() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("People_Sync", &["admin"]).await;
    let secret = ada.generate(&key.id).await.secret;
    let (status, body) = server
        .system(&secret)
        .post(
            "/users",
            json!({"name": "Eve", "email": "eve@acme.io", "password": DEV_PASSWORD, "role_ids": ["admin"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["password"].is_string());
    let (_, people) = ada.get("/users").await;
    assert_eq!(people.as_array().unwrap().len(), 1, "nobody was added");
}

#[tokio::test]
async fn deactivating_an_invited_person_voids_their_link_and_activating_does_not_revive_it() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let eve = ada
        .invite_person("Eve", "eve@acme.io", &["document-viewer"])
        .await;
    let kept = ada.invitation_token(&eve).await;
    assert_eq!(
        ada.post(&format!("/users/{eve}/deactivate"), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    let (status, person) = ada.post(&format!("/users/{eve}/activate"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(person["status"], "invited");
    let (status, _, _) = accept(&server, &kept, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_address_with_an_account_elsewhere_is_added_like_any_other_and_squats_nothing() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let eve = server.sign_up("Evil Corp", "eve@evil.io").await;
    // Evil Corp learns nothing: Ada's address is added as any address is.
    let (taken, _) = eve
        .post(
            "/users",
            json!({"name": "Ada?", "email": "ada@acme.io", "role_ids": ["document-viewer"]}),
        )
        .await;
    let (free, _) = eve
        .post(
            "/users",
            json!({"name": "Nobody", "email": "nobody@acme.io", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!((taken, free), (StatusCode::CREATED, StatusCode::CREATED));
    // Within one organization an address is one person.
    let (status, body) = eve
        .post(
            "/users",
            json!({"name": "Again", "email": "nobody@acme.io", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A placeholder reserves nothing elsewhere: the owner signs up as usual.
    let (status, body) = server
        .person()
        .post(
            "/auth/sign-up",
            json!({"organization": "Nobody Ltd", "name": "No Body", "email": "nobody@acme.io", "password": DEV_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Evil Corp's link for that address now meets the joined account.
    let (_, people) = eve.get("/users?status=invited").await;
    let placeholder = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "nobody@acme.io")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = eve.invitation_token(&placeholder).await;
    let (status, body, _) = accept(&server, &token, DEV_PASSWORD).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Ada still signs in to her own organization.
    assert_eq!(ada.me().await.organization.name, "Acme");
}

#[tokio::test]
async fn adding_people_is_limited_per_organization() {
    use keydesk_server::auth::throttle::PEOPLE_ADDED_PER_HOUR;
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    for n in 0..PEOPLE_ADDED_PER_HOUR {
        ada.invite_person("Someone", &format!("p{n}@acme.io"), &["document-viewer"])
            .await;
    }
    let (status, body) = ada
        .post(
            "/users",
            json!({"name": "One more", "email": "more@acme.io", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // Another organization is not held back by this one.
    let bo = server.sign_up("Bo's", "bo@bo.io").await;
    bo.invite_person("Someone", "x@bo.io", &["document-viewer"])
        .await;
    server.clock.advance(time::Duration::hours(1));
    let (status, _) = ada.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    ada.invite_person("One more", "more@acme.io", &["document-viewer"])
        .await;
}

#[tokio::test]
async fn links_are_built_from_the_public_url_whatever_host_the_request_names() {
    let server = TestServer::start_with(
        |c| c.public_url = Some("https://keys.example.com/".into()),
        None,
    )
    .await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let eve = ada
        .invite_person("Eve", "eve@acme.io", &["document-viewer"])
        .await;
    let res = ada
        .http
        .post(format!("{}/api/v1/users/{eve}/invitation", server.base))
        .header("X-Requested-With", "keydesk")
        .header("Host", "evil.example")
        .header("Origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let url = body["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://keys.example.com/invitation#"),
        "{url}"
    );
}

#[tokio::test]
async fn signing_in_as_someone_who_never_joined_checks_a_password_like_any_other() {
    let hasher = keydesk_server::auth::passwords::PasswordHasher::new(1, 8);
    let server = TestServer::start_with(|_| {}, Some(hasher.clone())).await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    ada.invite_person("Eve", "eve@acme.io", &["document-viewer"])
        .await;
    let before = hasher.checks();
    let (status, _) = server
        .person()
        .sign_in("eve@acme.io", "whatever whatever")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        hasher.checks() - before,
        1,
        "a full password check, not a shortcut"
    );
}
