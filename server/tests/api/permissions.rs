use crate::harness::{code, TestServer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_key_can_do_exactly_what_its_roles_grant() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let viewer = ada.create_key("Viewer", &["document-viewer"]).await;
    let viewer = server.system(&ada.generate(&viewer.id).await.secret);
    let (status, body) = viewer.get("/api-keys").await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));

    let developer = ada.create_key("Deployer", &["developer"]).await;
    let developer = server.system(&ada.generate(&developer.id).await.secret);
    assert_eq!(developer.get("/api-keys").await.0, StatusCode::OK);
    // A key needs no CSRF header, and acts as itself in the audit trail.
    let (status, body) = developer
        .post(
            "/api-keys",
            json!({"name": "Made by a key", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["created_by"]["name"], "Deployer");
}

#[tokio::test]
async fn a_person_without_create_permission_cannot_create_keys() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let manager = ada
        .add_person("dgm@acme.io", &["document-generation-manager"])
        .await;
    let (status, body) = manager
        .post(
            "/api-keys",
            json!({"name": "Nope", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let (_, list) = ada.get("/api-keys").await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn nobody_can_give_a_key_more_than_they_hold() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;

    // Create: Admin grants roles.create etc., which a Developer lacks.
    let (status, body) = dev
        .post(
            "/api-keys",
            json!({"name": "Sneaky", "role_ids": ["admin"]}),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("roles.create"),
        "{body}"
    );

    // Edit: turning an own key into an Admin key is refused too.
    let own = dev.create_key("Deploy bot", &["document-viewer"]).await;
    let (status, _) = dev
        .patch(
            &format!("/api-keys/{}", own.id),
            json!({"role_ids": ["admin"]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, after) = dev.get(&format!("/api-keys/{}", own.id)).await;
    assert_eq!(
        after["roles"][0]["id"], "document-viewer",
        "nothing changed"
    );

    // A key that already holds more than the caller cannot be edited or re-keyed by them.
    let admin_key = ada.create_key("Root", &["admin"]).await;
    let (status, _) = dev
        .patch(
            &format!("/api-keys/{}", admin_key.id),
            json!({"description": "mine now"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = dev
        .post(&format!("/api-keys/{}/generate", admin_key.id), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.get("secret").is_none());

    // Within their powers it works.
    let (status, _) = dev
        .patch(
            &format!("/api-keys/{}", own.id),
            json!({"role_ids": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // People: the same rule applies when adding users.
    let (status, _) = dev.post("/users", json!({"name": "X", "email": "x@acme.io", "password": "long enough password", "role_ids": ["admin"]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn roles_are_visible_to_those_who_pick_them_and_to_role_readers() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, roles) = ada.get("/roles").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        roles.as_array().unwrap().len(),
        keydesk_contract::roles::BUILT_IN_ROLES.len()
    );
    let (_, permissions) = ada.get("/permissions").await;
    assert_eq!(
        permissions.as_array().unwrap().len(),
        keydesk_contract::permissions::CATALOGUE.len()
    );
    assert!(permissions[0]["description"].is_string());

    let billing = ada.add_person("bill@acme.io", &["billing-reader"]).await;
    assert_eq!(billing.get("/roles").await.0, StatusCode::FORBIDDEN);
    assert_eq!(billing.get("/permissions").await.0, StatusCode::OK);
    assert_eq!(billing.get("/users").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        server.person().get("/permissions").await.0,
        StatusCode::UNAUTHORIZED
    );
}
