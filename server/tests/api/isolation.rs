use crate::harness::{code, TestServer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn another_organization_cannot_see_or_touch_a_key() {
    let server = TestServer::start().await;
    let a = server.sign_up("Org A", "a@a.io").await;
    let b = server.sign_up("Org B", "b@b.io").await;
    let key = a.create_key("Billing_Reader", &["billing-reader"]).await;
    let path = format!("/api-keys/{}", key.id);

    let answers = [
        b.get(&path).await,
        b.patch(&path, json!({"description": "taken over"})).await,
        b.post(&format!("{path}/generate"), json!({})).await,
        b.delete(&path).await,
    ];
    for (status, body) in &answers {
        assert_eq!((*status, code(body)), (StatusCode::NOT_FOUND, "not_found"));
    }
    // Same answer as for a key that never existed.
    assert_eq!(b.get("/api-keys/key_doesnotexist").await, answers[0]);

    let (_, list) = b.get("/api-keys").await;
    assert_eq!(list["total"], 0);
    let (_, audit) = b.get("/audit-events").await;
    assert!(!audit.to_string().contains(&key.id));

    // Names are unique per organization only.
    b.create_key("Billing_Reader", &["billing-reader"]).await;

    // A's key still exists, untouched.
    let (status, still) = a.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(still["description"], "");

    // A key of B cannot reach A's key either.
    let b_key = b.create_key("B admin", &["admin"]).await;
    let b_system = server.system(&b.generate(&b_key.id).await.secret);
    assert_eq!(b_system.get(&path).await.0, StatusCode::NOT_FOUND);
}
