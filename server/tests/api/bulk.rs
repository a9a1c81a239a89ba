//! Bulk actions on keys: a preview of each key's week and whether the
//! caller may act on it, then all or nothing, each key audited, and no
//! escalation through a bulk request.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestServer;

#[tokio::test]
async fn a_bulk_disable_is_previewed_then_applied_to_every_key_each_audited() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let a = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let b = ada.create_key("Render_Bot", &["developer"]).await;
    let secret = ada.generate(&a.id).await.secret;
    for _ in 0..3 {
        server.system(&secret).get("/whoami").await;
    }
    let ids = json!([a.id, b.id, a.id]);
    let (status, preview) = ada
        .post(
            "/api-keys/bulk/preview",
            json!({"action": "disable", "ids": ids}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let items = preview["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "each key once");
    assert_eq!(items[0]["api_key"]["name"], "Billing_Reader");
    assert_eq!(items[0]["allowed"], true);
    assert_eq!(items[0]["requests_last_7_days"], 3);
    assert_eq!(items[1]["requests_last_7_days"], 0);

    let (status, done) = ada
        .post("/api-keys/bulk", json!({"action": "disable", "ids": ids}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["status"] == "disabled"));
    assert_eq!(
        server.system(&secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, audit) = ada.get("/audit-events").await;
    let disabled: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "api_key.disabled")
        .collect();
    assert_eq!(disabled.len(), 2, "each key's change audited");

    let (status, _) = ada
        .post(
            "/api-keys/bulk",
            json!({"action": "enable", "ids": [a.id, b.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server.system(&secret).get("/whoami").await.0,
        StatusCode::OK
    );
    let (status, _) = ada
        .post(
            "/api-keys/bulk",
            json!({"action": "delete", "ids": [a.id, b.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = ada.get("/api-keys").await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn one_unknown_foreign_or_forbidden_key_and_nothing_changes_and_the_answer_names_it() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let mine = ada.create_key("Render_Bot", &["developer"]).await;
    let wide = ada.create_key("Admin_Bot", &["admin"]).await;
    let grace = server.sign_up("Globex", "grace@globex.io").await;
    let foreign = grace.create_key("Globex_Key", &["developer"]).await;

    for ids in [
        json!([mine.id, "key_doesnotexist"]),
        json!([mine.id, foreign.id]),
    ] {
        let (status, body) = ada
            .post("/api-keys/bulk", json!({"action": "delete", "ids": ids}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let named = ids[1].as_str().unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(named),
            "{body}"
        );
    }
    let (status, _) = grace.get(&format!("/api-keys/{}", foreign.id)).await;
    assert_eq!(status, StatusCode::OK, "the foreign key is untouched");

    // A developer may switch keys but holds less than Admin_Bot grants.
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let (status, preview) = dev
        .post(
            "/api-keys/bulk/preview",
            json!({"action": "disable", "ids": [mine.id, wide.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["items"][0]["allowed"], true);
    assert_eq!(preview["items"][1]["allowed"], false);
    assert!(preview["items"][1]["reason"].is_string());
    let (status, body) = dev
        .post(
            "/api-keys/bulk",
            json!({"action": "disable", "ids": [mine.id, wide.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Admin_Bot"));
    let (_, key) = ada.get(&format!("/api-keys/{}", mine.id)).await;
    assert_eq!(
        key["status"], "not_generated",
        "nothing changed, not even the allowed key"
    );

    let (status, body) = ada
        .post("/api-keys/bulk", json!({"action": "delete", "ids": []}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = ada
        .post(
            "/api-keys/bulk",
            json!({"action": "explode", "ids": [mine.id]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an unreadable body, as everywhere"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("explode"),
        "{body}"
    );
    let viewer_only = ada.add_person("viewer@acme.io", &["document-viewer"]).await;
    let (status, _) = viewer_only
        .post(
            "/api-keys/bulk/preview",
            json!({"action": "delete", "ids": [mine.id]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the action's permission first"
    );
}
