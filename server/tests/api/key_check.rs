//! The key check remembers keys it has seen; every change that could alter
//! its answer is honoured on the very next request all the same.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestServer;

#[tokio::test]
async fn a_remembered_key_is_refused_or_changed_at_once_after_each_change() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;
    let first = server.system(&ada.generate(&key.id).await.secret);
    // Seen twice: the second answer may come from memory.
    for _ in 0..2 {
        assert_eq!(first.get("/whoami").await.0, StatusCode::OK);
    }

    // Regenerated without a grace period: the old secret stops now.
    let second = server.system(&ada.generate(&key.id).await.secret);
    assert_eq!(first.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(second.get("/whoami").await.0, StatusCode::OK);

    // Edited: the next call has the new roles and the new name.
    let (status, _) = ada
        .patch(
            &format!("/api-keys/{}", key.id),
            json!({"name": "Renderer_Two", "role_ids": ["billing-reader"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, who) = second.get("/whoami").await;
    assert_eq!(who["api_key"]["name"], "Renderer_Two");
    assert_eq!(
        who["permissions"],
        json!(["accounts.retrieve", "billing.retrieve"])
    );

    // A custom role it holds is edited: the next call reflects it.
    let (_, role) = ada
        .post(
            "/roles",
            json!({"name": "Narrow", "permissions": ["documents.retrieve"]}),
        )
        .await;
    let role_id = role["id"].as_str().unwrap();
    ada.patch(
        &format!("/api-keys/{}", key.id),
        json!({"role_ids": [role_id]}),
    )
    .await;
    assert_eq!(
        second.get("/whoami").await.1["permissions"],
        json!(["documents.retrieve"])
    );
    ada.patch(
        &format!("/roles/{role_id}"),
        json!({"permissions": ["renders.retrieve"]}),
    )
    .await;
    assert_eq!(
        second.get("/whoami").await.1["permissions"],
        json!(["renders.retrieve"])
    );

    // Removed: refused at once.
    assert_eq!(
        ada.delete(&format!("/api-keys/{}", key.id)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(second.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_remembered_key_stops_at_its_expiry_and_an_old_secret_at_the_end_of_its_grace() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, key) = ada
        .post(
            "/api-keys",
            json!({"name": "Short_Lived", "role_ids": ["document-viewer"], "expires_in_days": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let id = key["id"].as_str().unwrap();
    let old = server.system(&ada.generate(id).await.secret);
    assert_eq!(old.get("/whoami").await.0, StatusCode::OK);

    // Regenerated with a minute's grace: the old secret works, then stops.
    let (status, body) = ada
        .post(
            &format!("/api-keys/{id}/generate"),
            json!({"grace_period_seconds": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = server.system(body["secret"].as_str().unwrap());
    assert_eq!(
        old.get("/whoami").await.0,
        StatusCode::OK,
        "within the grace"
    );
    assert_eq!(new.get("/whoami").await.0, StatusCode::OK);
    server.clock.advance(time::Duration::seconds(61));
    assert_eq!(
        old.get("/whoami").await.0,
        StatusCode::UNAUTHORIZED,
        "grace over"
    );
    assert_eq!(new.get("/whoami").await.0, StatusCode::OK);

    // A day on, the key itself has expired.
    server.clock.advance(time::Duration::days(1));
    assert_eq!(
        new.get("/whoami").await.0,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
}
