//! Disable and enable: a reversible off switch for a key.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{code, TestServer};

#[tokio::test]
async fn a_disabled_key_answers_401_at_once_until_enabled_and_nothing_else_changes() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;
    let system = server.system(&ada.generate(&key.id).await.secret);
    // Seen twice: the second answer may come from memory.
    for _ in 0..2 {
        assert_eq!(system.get("/whoami").await.0, StatusCode::OK);
    }
    let (_, before) = ada.get(&format!("/api-keys/{}", key.id)).await;

    let (status, disabled) = ada
        .post(&format!("/api-keys/{}/disable", key.id), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{disabled}");
    assert_eq!(disabled["status"], "disabled");
    let (status, body) = system.get("/whoami").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Nothing else changed: name, roles, permissions, prefix.
    for field in [
        "name",
        "roles",
        "permissions",
        "display_prefix",
        "description",
    ] {
        assert_eq!(disabled[field], before[field], "{field}");
    }
    let listed = |status: &'static str| {
        let ada = &ada;
        async move {
            let (_, page) = ada.get(&format!("/api-keys?status={status}")).await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["name"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("disabled").await, vec![json!("Renderer")]);
    assert!(listed("active").await.is_empty());

    // Switching it off again changes nothing and records nothing.
    let (status, again) = ada
        .post(&format!("/api-keys/{}/disable", key.id), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["version"], disabled["version"]);

    let (status, enabled) = ada
        .post(&format!("/api-keys/{}/enable", key.id), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{enabled}");
    assert_eq!(enabled["status"], "active");
    assert_eq!(
        system.get("/whoami").await.0,
        StatusCode::OK,
        "the same secret works again"
    );

    let (_, events) = ada.get("/audit-events").await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| a.starts_with("api_key.") && (a.ends_with("abled")))
        .collect();
    assert_eq!(
        actions,
        ["api_key.enabled", "api_key.disabled"],
        "newest first, once each"
    );
}

#[tokio::test]
async fn only_someone_holding_the_keys_powers_may_switch_it_and_stale_reads_are_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let admin_key = ada.create_key("Everything", &["admin"]).await;
    let small_key = ada.create_key("Small", &["document-viewer"]).await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let reader = ada.add_person("reader@acme.io", &["billing-reader"]).await;

    let (status, body) = dev
        .post(&format!("/api-keys/{}/disable", admin_key.id), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = reader
        .post(&format!("/api-keys/{}/disable", small_key.id), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        dev.post(&format!("/api-keys/{}/disable", small_key.id), json!({}))
            .await
            .0,
        StatusCode::OK
    );

    // Decided on the version before that: refused, not silently applied.
    let res = ada
        .http
        .post(format!(
            "{}/api/v1/api-keys/{}/enable",
            server.base, small_key.id
        ))
        .header("X-Requested-With", "keydesk")
        .header("If-Match", format!("\"{}\"", small_key.version))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Another organization's key does not exist for Bea.
    let bea = server.sign_up("Beta", "bea@beta.io").await;
    let (status, body) = bea
        .post(&format!("/api-keys/{}/enable", small_key.id), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "not_found");
}
