//! The platform's key check and what keys are seen to do.

use keydesk_server::storage::Storage;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{code, TestServer};

#[tokio::test]
async fn the_key_check_answers_for_the_calling_key_and_refuses_nonsense() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;
    let system = server.system(&ada.generate(&key.id).await.secret);

    let (status, yes) = system
        .post("/authorize", json!({"permission": "documents.retrieve"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{yes}");
    assert_eq!(yes["allowed"], true);
    assert_eq!(yes["permission"], "documents.retrieve");
    assert_eq!(yes["api_key"], json!({"id": key.id, "name": "Renderer"}));
    assert_eq!(yes["organization"]["name"], "Acme");
    let (_, no) = system
        .post("/authorize", json!({"permission": "documents.delete"}))
        .await;
    assert_eq!(no["allowed"], false);

    let (status, body) = system
        .post("/authorize", json!({"permission": "documents.fly"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["permission"].is_string(), "{body}");
    let bad = server.system("kd_live_00000000000000000000000000000000AAAAAA");
    assert_eq!(
        bad.post("/authorize", json!({"permission": "documents.retrieve"}))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A person's session is not a key.
    let (status, body) = ada
        .post("/authorize", json!({"permission": "documents.retrieve"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "unauthenticated");
    server.stop().await;
}

async fn usage(ada: &crate::harness::Client, key_id: &str, query: &str) -> (StatusCode, Value) {
    ada.get(&format!("/api-keys/{key_id}/usage{query}")).await
}

#[tokio::test]
async fn usage_counts_requests_refusals_and_exercised_permissions_per_day() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada
        .create_key("Renderer", &["document-viewer", "billing-reader"])
        .await;
    let system = server.system(&ada.generate(&key.id).await.secret);
    for _ in 0..3 {
        system
            .post("/authorize", json!({"permission": "documents.retrieve"}))
            .await;
    }
    system
        .post("/authorize", json!({"permission": "documents.delete"}))
        .await; // refused
    system.get("/whoami").await;
    // keydesk's own endpoints count too: listing keys needs a permission it lacks.
    assert_eq!(system.get("/api-keys").await.0, StatusCode::FORBIDDEN);

    let (status, u) = usage(&ada, &key.id, "").await;
    assert_eq!(status, StatusCode::OK, "{u}");
    let days = u["days"].as_array().unwrap();
    assert_eq!(days.len(), 30, "the default window, every day");
    let today = days.last().unwrap();
    assert_eq!(today["requests"], 6);
    assert_eq!(today["refused"], 2);
    assert!(days[..29].iter().all(|d| d["requests"] == 0));
    let uses: Vec<(String, u64)> = u["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["permission"].as_str().unwrap().to_string(),
                p["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    let requests = |id: &str| uses.iter().find(|(p, _)| p == id).map(|(_, n)| *n);
    assert_eq!(requests("documents.retrieve"), Some(3));
    assert_eq!(requests("renders.retrieve"), Some(0), "granted, unused");
    assert_eq!(requests("billing.retrieve"), Some(0));
    assert_eq!(requests("documents.delete"), None, "refused is not used");
    assert_eq!(u["last_used_from"], "127.0.0.1");
    assert!(u["last_used_at"].is_string());

    for bad in ["?days=0", "?days=91", "?days=many"] {
        let (status, _) = usage(&ada, &key.id, bad).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{bad}: {status}"
        );
    }
    assert_eq!(
        usage(&ada, &key.id, "?days=7").await.1["days"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    // Another organization does not see it; a person without the permission neither.
    let bea = server.sign_up("Beta", "bea@beta.io").await;
    assert_eq!(usage(&bea, &key.id, "").await.0, StatusCode::NOT_FOUND);
    let reader = ada.add_person("reader@acme.io", &["billing-reader"]).await;
    assert_eq!(usage(&reader, &key.id, "").await.0, StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn counts_not_yet_written_are_written_at_a_clean_shutdown() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;
    let system = server.system(&ada.generate(&key.id).await.secret);
    for _ in 0..4 {
        system
            .post("/authorize", json!({"permission": "renders.retrieve"}))
            .await;
    }
    let url = server.database_url.clone();
    let _data = server.stop_keeping_data().await;
    let storage = Storage::open(&url).await.unwrap();
    let days = storage.key_days(&key.id, "2000-01-01").await.unwrap();
    assert_eq!(days.iter().map(|d| d.requests).sum::<u64>(), 4);
    let org = storage
        .account_for("ada@acme.io")
        .await
        .unwrap()
        .unwrap()
        .organization_id;
    let used = storage.permissions_used(&org, "2000-01-01").await.unwrap();
    assert_eq!(used[&key.id][0].permission, "renders.retrieve");
    assert_eq!(used[&key.id][0].requests, 4);
}
