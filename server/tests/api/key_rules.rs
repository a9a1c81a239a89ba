//! Rules added by the security review: removal cannot escalate, a key check
//! never waits for a write, the audit trail shows each reader only what
//! they may see, and the database is set up to lose no acknowledged write.

use keydesk_server::storage::Storage;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

use crate::harness::TestServer;

#[tokio::test]
async fn removing_a_key_that_holds_more_than_the_caller_is_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let admin_key = ada.create_key("Deploy_Bot", &["admin"]).await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let (status, body) = dev.delete(&format!("/api-keys/{}", admin_key.id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("remove this key"));
    assert_eq!(
        ada.get(&format!("/api-keys/{}", admin_key.id)).await.0,
        StatusCode::OK
    );
    // A key within the developer's own permissions they may remove.
    let own = dev.create_key("Renderer", &["document-viewer"]).await;
    assert_eq!(
        dev.delete(&format!("/api-keys/{}", own.id)).await.0,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_check_never_waits_for_the_last_used_write() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;

    // Another process holds the database's write lock, as a long write would.
    let pool = crate::harness::database(&server.database_url).await;
    let mut blocker = pool.acquire().await.unwrap();
    if crate::harness::on_postgres() {
        sqlx::query("BEGIN").execute(&mut *blocker).await.unwrap();
        // The lock every keydesk write takes first.
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
            .bind(keydesk_server::storage::WRITE_LOCK)
            .execute(&mut *blocker)
            .await
            .unwrap();
    } else {
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *blocker)
            .await
            .unwrap();
    }

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    for _ in 0..3 {
        let res = http
            .get(format!("{}/api/v1/whoami", server.base))
            .bearer_auth(&secret)
            .send()
            .await
            .expect("answered while the database is locked for writing");
        assert_eq!(res.status(), StatusCode::OK);
    }
    sqlx::query("ROLLBACK")
        .execute(&mut *blocker)
        .await
        .unwrap();
    drop(blocker);
    pool.close().await;

    // The use shows at once, and is written in the background.
    let (_, listed) = ada.get(&format!("/api-keys/{}", key.id)).await;
    assert!(listed["last_used_at"].is_string(), "{listed}");
    let database_url = server.database_url.clone();
    let _data = server.stop_keeping_data().await;
    let storage = Storage::open(
        &database_url,
        std::sync::Arc::new(keydesk_server::clock::SystemClock),
    )
    .await
    .unwrap();
    let org = storage
        .identity_for_user(&ada_id(&storage).await, false)
        .await
        .unwrap()
        .unwrap()
        .organization
        .id;
    let stored = storage.get_key(&org, &key.id).await.unwrap().unwrap();
    assert!(
        stored.last_used_at.is_some(),
        "flushed at the latest on shutdown"
    );
}

async fn ada_id(storage: &Storage) -> String {
    storage
        .account_for("ada@acme.io")
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn the_audit_trail_shows_details_only_to_readers_who_may_see_them() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let (status, _) = ada
        .patch(
            &format!("/api-keys/{}", key.id),
            json!({"description": "Reads invoices for finance", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Audit-only reader: the Document Generation Manager role reads the trail,
    // but neither people nor keys.
    let reader = ada
        .add_person("auditor@acme.io", &["document-generation-manager"])
        .await;
    let (status, seen) = reader.get("/audit-events").await;
    assert_eq!(status, StatusCode::OK);
    let text = seen.to_string();
    assert!(
        !text.contains("auditor@acme.io"),
        "no emails without users.retrieve: {text}"
    );
    assert!(
        !text.contains("Reads invoices"),
        "no key details without service-accounts.retrieve"
    );
    assert!(
        !text.contains("127.0.0.1"),
        "no addresses without users.retrieve"
    );
    let key_name = &key.name;
    assert!(
        !text.contains(key_name.as_str()),
        "no key names without service-accounts.retrieve: {text}"
    );
    assert!(
        !text.contains("Ada Admin") && !text.contains("Second Person"),
        "no people's names without users.retrieve: {text}"
    );
    let actions: Vec<&str> = seen["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"api_key.updated") && actions.contains(&"user.created"));
    // The admin sees everything.
    let (_, full) = ada.get("/audit-events").await;
    let full = full.to_string();
    assert!(full.contains("auditor@acme.io") && full.contains("Reads invoices"));
}

#[tokio::test]
async fn sqlite_runs_with_wal_and_full_synchronous_writes() {
    if crate::harness::on_postgres() {
        return; // a SQLite setting; PostgreSQL's durability is the operator's
    }
    let server = TestServer::start().await;
    // Read through the server's own connections, where it matters.
    assert_eq!(
        server.storage().durability().await.unwrap(),
        ("wal".to_string(), "full".to_string())
    );
}
