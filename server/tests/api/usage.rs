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
    // Another key of the organization, using what Renderer does not hold.
    let deployer = ada.create_key("Deployer", &["developer"]).await;
    server
        .system(&ada.generate(&deployer.id).await.secret)
        .post("/authorize", json!({"permission": "templates.create"}))
        .await;

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
    assert_eq!(requests("templates.create"), None, "another key's use");
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
    let storage = Storage::open(
        &url,
        std::sync::Arc::new(keydesk_server::clock::SystemClock),
    )
    .await
    .unwrap();
    let days = storage.key_days(&key.id, "2000-01-01").await.unwrap();
    assert_eq!(days.iter().map(|d| d.requests).sum::<u64>(), 4);
    let org = storage
        .account_for("ada@acme.io")
        .await
        .unwrap()
        .unwrap()
        .organization_id;
    let used = storage
        .permissions_used(&org, None, "2000-01-01")
        .await
        .unwrap();
    assert_eq!(used[&key.id][0].permission, "renders.retrieve");
    assert_eq!(used[&key.id][0].requests, 4);
}

#[tokio::test]
async fn the_inventory_marks_each_cell_used_unused_or_empty_also_as_csv() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let busy = ada.create_key("Busy_Renderer", &["document-viewer"]).await;
    let idle = ada.create_key("Idle_Reader", &["billing-reader"]).await;
    let system = server.system(&ada.generate(&busy.id).await.secret);
    system
        .post("/authorize", json!({"permission": "renders.retrieve"}))
        .await;

    let (status, inv) = ada.get("/inventory").await;
    assert_eq!(status, StatusCode::OK, "{inv}");
    let columns = inv["permissions"].as_array().unwrap();
    let (_, catalogue) = ada.get("/permissions").await;
    let catalogue: Vec<Value> = catalogue
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(*columns, catalogue, "every permission, in catalogue order");
    let names: Vec<&str> = inv["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["api_key"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Busy_Renderer", "Idle_Reader"]);
    let row = &inv["items"][0];
    assert_eq!(row["used"], json!(["renders.retrieve"]));
    assert_eq!(row["granted"], json!(busy.permissions));
    assert_eq!(inv["items"][1]["used"], json!([]));

    let res = ada.get_response("/inventory.csv").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let header = &lines[0];
    assert_eq!(&header[..4], ["key", "key_id", "status", "last_used_at"]);
    assert_eq!(header.len(), 4 + columns.len());
    let cell = |line: &Vec<&str>, permission: &str| {
        line[header.iter().position(|h| *h == permission).unwrap()].to_string()
    };
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1][0], "Busy_Renderer");
    assert_eq!(cell(&lines[1], "renders.retrieve"), "used");
    assert_eq!(cell(&lines[1], "documents.retrieve"), "unused");
    assert_eq!(cell(&lines[1], "billing.retrieve"), "");
    assert_eq!(cell(&lines[2], "billing.retrieve"), "unused");
    assert_eq!(lines[2][1], idle.id);

    let reader = ada.add_person("reader@acme.io", &["billing-reader"]).await;
    assert_eq!(reader.get("/inventory").await.0, StatusCode::FORBIDDEN);
    // Another organization's inventory holds only its own keys.
    let bea = server.sign_up("Beta", "bea@beta.io").await;
    let (_, theirs) = bea.get("/inventory").await;
    assert_eq!(theirs["items"], json!([]));
    let csv = bea
        .get_response("/inventory.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1, "the header alone: {csv}");
}

#[tokio::test]
async fn a_key_is_offered_the_smallest_set_of_roles_covering_what_it_used() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    // A developer key that only ever reads documents and renders.
    let key = ada.create_key("Renderer", &["developer"]).await;
    let system = server.system(&ada.generate(&key.id).await.secret);
    for p in ["documents.retrieve", "renders.retrieve"] {
        system.post("/authorize", json!({"permission": p})).await;
    }
    let (status, s) = ada.get(&format!("/api-keys/{}/suggestion", key.id)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["suggested_role_ids"], json!(["document-viewer"]));
    let unused = s["unused"].as_array().unwrap();
    assert!(unused.contains(&json!("service-accounts.delete")));
    assert!(!unused.contains(&json!("documents.retrieve")));

    // A custom role narrower than any built-in one is preferred when it covers.
    ada.post(
        "/roles",
        json!({"name": "Docs only", "permissions": ["documents.retrieve", "renders.retrieve"]}),
    )
    .await;
    let (_, s) = ada.get(&format!("/api-keys/{}/suggestion", key.id)).await;
    let (_, roles) = ada.get("/roles").await;
    let docs_only = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Docs only")
        .unwrap()["id"]
        .clone();
    // Both grant exactly these two: the earlier role in the list wins the tie.
    assert_eq!(s["suggested_role_ids"].as_array().unwrap().len(), 1);
    assert!(
        s["suggested_role_ids"][0] == "document-viewer" || s["suggested_role_ids"][0] == docs_only
    );

    // A key that used nothing: everything is unused, no role is needed.
    let idle = ada.create_key("Idle", &["billing-reader"]).await;
    let (_, s) = ada.get(&format!("/api-keys/{}/suggestion", idle.id)).await;
    assert_eq!(s["suggested_role_ids"], json!([]));
    assert_eq!(
        s["unused"],
        json!(["accounts.retrieve", "billing.retrieve"])
    );
}

#[tokio::test]
async fn a_key_older_than_the_window_says_in_the_list_how_many_permissions_it_did_not_use() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;
    let system = server.system(&ada.generate(&key.id).await.secret);
    let unused = |person: &crate::harness::Client| {
        let person = person.clone();
        async move {
            let (_, page) = person.get("/api-keys").await;
            page["items"][0]["unused_permissions"].clone()
        }
    };
    // A new key is not judged: it has not had the window to use anything.
    assert_eq!(unused(&ada).await, Value::Null);

    // A month on (Ada signs in again: her session ended meanwhile).
    server.clock.advance(time::Duration::days(31));
    let ada = server.person();
    let (status, _) = ada.sign_in("ada@acme.io", crate::harness::PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        unused(&ada).await,
        json!(2),
        "nothing used in the last 30 days"
    );
    system
        .post("/authorize", json!({"permission": "documents.retrieve"}))
        .await;
    assert_eq!(
        unused(&ada).await,
        json!(1),
        "counted at once, before it is written"
    );
}

#[tokio::test]
async fn least_privilege_never_offers_a_role_granting_what_the_key_does_not_hold() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    // Document Viewer + Billing Reader, one permission of each used.
    let key = ada
        .create_key("Mixed", &["document-viewer", "billing-reader"])
        .await;
    let system = server.system(&ada.generate(&key.id).await.secret);
    for p in ["documents.retrieve", "billing.retrieve"] {
        system.post("/authorize", json!({"permission": p})).await;
    }
    // An insider planted a broad role that covers both in one.
    ada.create_role(
        "Everything Reader",
        &[
            "documents.retrieve",
            "billing.retrieve",
            "users.create",
            "audit-events.retrieve",
        ],
    )
    .await;
    let (status, s) = ada.get(&format!("/api-keys/{}/suggestion", key.id)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let picked: Vec<&str> = s["suggested_role_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        picked,
        ["document-viewer", "billing-reader"],
        "never Admin, never the planted role"
    );
    assert_eq!(
        s["narrower"], false,
        "no set of roles is narrower than what it holds"
    );
    assert_eq!(
        s["custom_role_permissions"],
        json!(["billing.retrieve", "documents.retrieve"]),
        "instead: a custom role with exactly what it used"
    );
    // The usage view carries the same answer: the dialog needs one request.
    let (_, u) = usage(&ada, &key.id, "").await;
    assert_eq!(u["suggestion"], s);
}

#[tokio::test]
async fn reading_usage_writes_nothing_and_sees_counts_not_yet_written() {
    let server = TestServer::start_with(
        |c| c.usage_flush_every = std::time::Duration::from_secs(3600),
        None,
    )
    .await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;
    let system = server.system(&ada.generate(&key.id).await.secret);
    system
        .post("/authorize", json!({"permission": "documents.retrieve"}))
        .await;
    let (status, u) = usage(&ada, &key.id, "").await;
    assert_eq!(status, StatusCode::OK, "{u}");
    let today = u["days"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(today["requests"], 1, "{u}");
    let used = u["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["permission"] == "documents.retrieve")
        .unwrap()
        .clone();
    assert_eq!(used["requests"], 1);
    assert!(u["last_used_from"].is_string());
    let (_, s) = ada.get(&format!("/api-keys/{}/suggestion", key.id)).await;
    assert!(!s["unused"]
        .as_array()
        .unwrap()
        .contains(&json!("documents.retrieve")));
    let (_, inventory) = ada.get("/inventory").await;
    assert_eq!(inventory["items"][0]["used"], json!(["documents.retrieve"]));
    assert_eq!(
        usage(&ada, "key_unknown", "").await.0,
        StatusCode::NOT_FOUND
    );
    // None of those reads wrote the counts: the database has none yet.
    let pool = crate::harness::database(&server.database_url).await;
    let written: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM key_usage_days")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(written, 0);
    pool.close().await;
}
