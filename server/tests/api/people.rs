//! People: listing with status, deactivation that ends sessions at once and
//! keeps their keys working, activation, and the rules that keep an
//! organization administrable.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{code, TestServer, PASSWORD};

#[tokio::test]
async fn people_are_listed_with_status_and_last_sign_in_and_found_by_id() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let dev_id = dev.me().await.user.id;
    let (status, list) = ada.get("/users").await;
    assert_eq!(status, StatusCode::OK);
    let people = list.as_array().unwrap();
    assert_eq!(people.len(), 2);
    assert!(people.iter().all(|p| p["status"] == "active"));
    let dev_row = people.iter().find(|p| p["id"] == dev_id.as_str()).unwrap();
    assert!(dev_row["last_signed_in_at"].is_string(), "{dev_row}");

    let (status, one) = ada.get(&format!("/users/{dev_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["email"], "dev@acme.io");
    let (_, none) = ada.get("/users?status=deactivated").await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    let (status, _) = ada.get("/users?status=gone").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another organization's person is as absent as no one.
    let eve = server.sign_up("Evil Corp", "eve@evil.io").await;
    assert_eq!(
        eve.get(&format!("/users/{dev_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        eve.post(&format!("/users/{dev_id}/deactivate"), json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn deactivation_ends_sessions_at_once_and_keeps_their_keys_working() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let dev_id = dev.me().await.user.id;
    let key = dev.create_key("Renderer", &["document-viewer"]).await;
    let secret = dev.generate(&key.id).await.secret;

    let (status, body) = ada
        .post(&format!("/users/{dev_id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "deactivated");
    // Their open tab's next request is signed out.
    let (status, body) = dev.get("/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "unauthenticated");
    // Signing in answers exactly as a wrong password does.
    let c = server.person();
    let deactivated = c.sign_in("dev@acme.io", PASSWORD).await;
    let wrong = c.sign_in("ada@acme.io", "not the password at all").await;
    assert_eq!(deactivated, wrong);
    // The key belongs to the organization: it still works and names its creator.
    assert_eq!(
        server.system(&secret).get("/whoami").await.0,
        StatusCode::OK
    );
    let (_, listed) = ada.get(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(listed["created_by"]["name"], "Second Person");

    let (status, body) = ada
        .post(&format!("/users/{dev_id}/activate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "active");
    let (status, _) = server.person().sign_in("dev@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let (_, trail) = ada.get("/audit-events").await;
    let trail = trail.to_string();
    assert!(trail.contains("user.deactivated") && trail.contains("user.activated"));
}

#[tokio::test]
async fn nobody_deactivates_themselves_and_the_last_full_admin_stays() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let ada_id = ada.me().await.user.id;
    let (status, body) = ada
        .post(&format!("/users/{ada_id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "conflict");

    // An Admin key holds everything too, but the organization must keep a person who does.
    let key = ada.create_key("Ops_Bot", &["admin"]).await;
    let bot = server.system(&ada.generate(&key.id).await.secret);
    let (status, body) = bot
        .post(&format!("/users/{ada_id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no active person holding every permission"));
    assert_eq!(ada.get("/me").await.0, StatusCode::OK, "nothing changed");

    // With a second admin, either may be deactivated by the other.
    let bob = ada.add_person("bob@acme.io", &["admin"]).await;
    let bob_id = bob.me().await.user.id;
    let (status, _) = bob
        .post(&format!("/users/{ada_id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = bob
        .post(&format!("/users/{bob_id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn deactivating_needs_the_permission() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let ada_id = ada.me().await.user.id;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let (status, body) = dev
        .post(&format!("/users/{ada_id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(dev.get("/users").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn changing_roles_applies_on_the_next_request_and_never_removes_the_last_full_admin() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let ada_id = ada.me().await.user.id;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let dev_id = dev.me().await.user.id;
    assert_eq!(dev.get("/api-keys").await.0, StatusCode::OK);

    let (status, body) = ada
        .patch(
            &format!("/users/{dev_id}"),
            json!({"role_ids": ["billing-reader"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["roles"][0]["id"], "billing-reader");
    // Their very next request has the new permissions.
    assert_eq!(dev.get("/api-keys").await.0, StatusCode::FORBIDDEN);
    assert!(!dev
        .me()
        .await
        .permissions
        .contains(&"service-accounts.retrieve".to_string()));

    // The only Admin cannot be demoted, by anyone.
    let (status, body) = ada
        .patch(
            &format!("/users/{ada_id}"),
            json!({"role_ids": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(ada.me().await.user.roles.iter().any(|r| r.id == "admin"));
    // With a second Admin, it is allowed.
    ada.patch(&format!("/users/{dev_id}"), json!({"role_ids": ["admin"]}))
        .await;
    let (status, _) = ada
        .patch(
            &format!("/users/{ada_id}"),
            json!({"role_ids": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, trail) = dev.get("/audit-events").await;
    assert!(trail.to_string().contains("user.updated"));
    // Unknown roles are a 422 naming the field.
    let (status, body) = dev
        .patch(
            &format!("/users/{ada_id}"),
            json!({"role_ids": ["superuser"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["role_ids"].is_string());
}

#[tokio::test]
async fn nobody_changes_someone_who_holds_more_than_they_do() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let ada_id = ada.me().await.user.id;
    // A developer holds no people permissions, and much less than an Admin.
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let (status, _) = dev
        .patch(&format!("/users/{ada_id}"), json!({"name": "Hijacked"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(ada.me().await.user.name, "Ada Admin");
}

#[tokio::test]
async fn a_session_ended_by_deactivation_stays_ended_after_activation() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let id = dev.me().await.user.id;
    ada.post(&format!("/users/{id}/deactivate"), json!({}))
        .await;
    let (status, _) = ada.post(&format!("/users/{id}/activate"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        dev.get("/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the old session does not come back"
    );
}

#[tokio::test]
async fn people_edits_are_decided_on_a_version_and_a_stale_one_answers_409() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let id = dev.me().await.user.id;
    let (_, shown) = ada.get(&format!("/users/{id}")).await;
    let version = shown["version"].as_u64().unwrap();
    let edit = |if_match: String, body: serde_json::Value| {
        let ada = ada.clone();
        let id = id.clone();
        async move {
            let res = ada
                .http
                .patch(format!("{}/api/v1/users/{id}", server_base(&ada)))
                .header("X-Requested-With", "keydesk")
                .header("If-Match", if_match)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = edit(format!("\"{version}\""), json!({"name": "Dev One"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"].as_u64().unwrap(), version + 1);
    // Someone decided on what they saw before that change.
    let (status, body) = edit(format!("\"{version}\""), json!({"role_ids": ["admin"]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, now) = ada.get(&format!("/users/{id}")).await;
    assert_eq!(now["roles"][0]["id"], "developer", "nothing was written");
    // `*` matches whatever version there is (RFC 9110).
    let (status, _) = edit("*".into(), json!({"name": "Dev Two"})).await;
    assert_eq!(status, StatusCode::OK);
    // Deactivation is guarded the same way.
    let res = ada
        .http
        .post(format!(
            "{}/api/v1/users/{id}/deactivate",
            server_base(&ada)
        ))
        .header("X-Requested-With", "keydesk")
        .header("If-Match", format!("\"{version}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

fn server_base(c: &crate::harness::Client) -> String {
    c.base().to_string()
}

#[tokio::test]
async fn deactivating_someone_says_which_keys_carry_a_secret_they_generated() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let id = dev.me().await.user.id;
    let theirs = dev.create_key("Billing_Reader", &["document-viewer"]).await;
    dev.generate(&theirs.id).await;
    let replaced = dev.create_key("Renderer", &["document-viewer"]).await;
    dev.generate(&replaced.id).await;
    ada.generate(&replaced.id).await; // Ada replaced that one since.
    let (status, list) = ada.get(&format!("/users/{id}/generated-secrets")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["api_key"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Billing_Reader"]);
    // Someone who may not read keys learns nothing about them.
    let hr = ada.add_person("hr@acme.io", &["billing-reader"]).await;
    assert_eq!(
        hr.get(&format!("/users/{id}/generated-secrets")).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_status_that_is_none_of_the_three_cannot_be_stored() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let id = ada.me().await.user.id;
    let pool = crate::harness::database(&server.database_url).await;
    let written = sqlx::query("UPDATE users SET status = 'admin' WHERE id = $1")
        .bind(&id)
        .execute(&pool)
        .await;
    assert!(written.is_err(), "the schema refuses an unknown status");
    pool.close().await;
    assert_eq!(
        keydesk_server::storage::stored_status("admin"),
        keydesk_contract::types::UserStatus::Deactivated,
        "and an unknown one read anyway counts as deactivated"
    );
}
