use crate::harness::{code, TestServer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_generate_use_regenerate_delete() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;

    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    assert_eq!(key.status.as_str(), "not_generated");
    assert_eq!(key.display_prefix, None);
    assert_eq!(key.permissions, ["accounts.retrieve", "billing.retrieve"]);

    let first = ada.generate(&key.id).await;
    assert_eq!(first.api_key.status.as_str(), "active");
    assert!(first.secret.starts_with("kd_live_"));
    let prefix = first.api_key.display_prefix.clone().unwrap();
    assert!(first.secret.starts_with(&prefix) && prefix.len() < first.secret.len() / 2);

    // Both headers work.
    let (status, who) = server.system(&first.secret).get("/whoami").await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["api_key"]["name"], "Billing_Reader");
    assert_eq!(
        who["permissions"],
        json!(["accounts.retrieve", "billing.retrieve"])
    );
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/whoami", server.base))
        .header("X-API-Key", &first.secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // The secret never appears again.
    for path in [
        "/api-keys",
        &format!("/api-keys/{}", key.id),
        "/audit-events",
    ] {
        let (status, body) = ada.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !body.to_string().contains(&first.secret),
            "{path} leaked the secret"
        );
    }
    let (_, listed) = ada.get("/api-keys").await;
    assert!(
        listed["items"][0]["last_used_at"].is_string(),
        "use is recorded"
    );

    // Regenerate: the old secret stops at once, the new one works.
    let second = ada.generate(&key.id).await;
    assert_ne!(second.secret, first.secret);
    let (status, body) = server.system(&first.secret).get("/whoami").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "unauthenticated");
    assert_eq!(
        server.system(&second.secret).get("/whoami").await.0,
        StatusCode::OK
    );

    // Delete: the key stops working and its name is free again.
    let (status, _) = ada.delete(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.system(&second.secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ada.get(&format!("/api-keys/{}", key.id)).await.0,
        StatusCode::NOT_FOUND
    );
    ada.create_key("billing_reader", &["billing-reader"]).await;
}

#[tokio::test]
async fn a_grace_period_keeps_the_old_secret_working_for_a_while() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("CRM sync", &["document-viewer"]).await;
    let first = ada.generate(&key.id).await;
    let (status, body) = ada
        .post(
            &format!("/api-keys/{}/generate", key.id),
            json!({"grace_period_seconds": 3600}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["secret"].as_str().unwrap();
    assert_eq!(
        server.system(&first.secret).get("/whoami").await.0,
        StatusCode::OK
    );
    assert_eq!(server.system(second).get("/whoami").await.0, StatusCode::OK);
    // A later regeneration without grace ends every earlier secret.
    let third = ada.generate(&key.id).await;
    assert_eq!(
        server.system(&first.secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.system(second).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.system(&third.secret).get("/whoami").await.0,
        StatusCode::OK
    );
    let (status, body) = ada
        .post(
            &format!("/api-keys/{}/generate", key.id),
            json!({"grace_period_seconds": 90_000}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["grace_period_seconds"].is_string());
}

#[tokio::test]
async fn mistyped_and_unknown_keys_are_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    let mut typo = secret.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'a' { 'b' } else { 'a' });
    let unknown = keydesk_contract::key_format::generate(&mut rand::rngs::OsRng);
    for bad in [typo.as_str(), unknown.expose(), "kd_live_short", "hello"] {
        let (status, body) = server.system(bad).get("/whoami").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}");
        assert!(
            !body.to_string().contains(bad),
            "an error message echoed the key"
        );
    }
}

#[tokio::test]
async fn edit_changes_name_description_and_roles() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    let (status, body) = ada
        .patch(
            &format!("/api-keys/{}", key.id),
            json!({"name": "Docs_Reader", "description": "reads documents", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Docs_Reader");
    assert_eq!(body["description"], "reads documents");
    assert_eq!(
        body["permissions"],
        json!(["renders.retrieve", "documents.retrieve"])
    );
    // The key's powers change at once, without a new secret.
    let (_, who) = server.system(&secret).get("/whoami").await;
    assert_eq!(
        who["permissions"],
        json!(["renders.retrieve", "documents.retrieve"])
    );
}

#[tokio::test]
async fn list_searches_filters_sorts_and_pages() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    for (name, role) in [
        ("Billing_Reader", "billing-reader"),
        ("Docs one", "document-viewer"),
        ("docs two", "document-viewer"),
    ] {
        ada.create_key(name, &[role]).await;
    }
    let generated = ada.create_key("Active docs", &["document-viewer"]).await;
    ada.generate(&generated.id).await;

    let names = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, body) = ada.get("/api-keys?search=DOCS&sort=name").await;
    assert_eq!(names(&body), ["Active docs", "Docs one", "docs two"]);
    let (_, body) = ada.get("/api-keys?role=billing-reader").await;
    assert_eq!(names(&body), ["Billing_Reader"]);
    // A role filter's total counts this organization's keys holding the
    // role, with the other filters, however the page is cut; another
    // organization's keys with the same built-in role are not among them.
    let bob = server.sign_up("Globex", "bob@globex.io").await;
    bob.create_key("Docs elsewhere", &["document-viewer"]).await;
    let (_, body) = ada
        .get("/api-keys?role=document-viewer&sort=name&limit=2")
        .await;
    assert_eq!(names(&body), ["Active docs", "Docs one"]);
    assert_eq!(body["total"], 3);
    let (_, body) = ada
        .get("/api-keys?role=document-viewer&search=docs&status=not_generated")
        .await;
    assert_eq!(body["total"], 2);
    assert_eq!(names(&body).len(), 2);
    let (_, body) = ada.get("/api-keys?status=active").await;
    assert_eq!(names(&body), ["Active docs"]);
    let (_, body) = ada.get("/api-keys?status=not_generated&sort=-name").await;
    assert_eq!(names(&body), ["docs two", "Docs one", "Billing_Reader"]);
    let (_, body) = ada.get("/api-keys?search=%25").await;
    assert_eq!(body["total"], 0, "% is matched literally");

    let (_, page1) = ada.get("/api-keys?sort=name&limit=3").await;
    assert_eq!(page1["total"], 4);
    assert_eq!(names(&page1).len(), 3);
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = ada
        .get(&format!("/api-keys?sort=name&limit=3&cursor={cursor}"))
        .await;
    assert_eq!(names(&page2), ["docs two"]);
    assert!(page2["next_cursor"].is_null());

    let (status, body) = ada.get("/api-keys?sort=sideways").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
}

#[tokio::test]
async fn a_key_can_be_given_a_lifetime() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, key) = ada
        .post(
            "/api-keys",
            json!({"name": "Short_Lived", "role_ids": ["document-viewer"], "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let expires = key["expires_at"].as_str().unwrap();
    assert!(expires > key["created_at"].as_str().unwrap());
    assert_eq!(key["status"], "not_generated");
    let (status, body) = ada
        .post(
            "/api-keys",
            json!({"name": "Forever_Ish", "role_ids": ["document-viewer"], "expires_in_days": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["expires_in_days"].is_string());
}

#[tokio::test]
async fn the_database_holds_the_secrets_sha256_and_nothing_else_of_it() {
    use sha2::{Digest, Sha256};
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    let expected: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let pool = crate::harness::database(&server.database_url).await;
    let stored: Vec<(String,)> = sqlx::query_as("SELECT digest FROM api_key_secrets")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored, [(expected,)]);
    pool.close().await;
}

#[tokio::test]
async fn one_clock_the_list_the_key_check_and_the_usage_days_agree_when_it_moves() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, key) = ada
        .post(
            "/api-keys",
            json!({"name": "Short_Lived", "role_ids": ["document-viewer"], "expires_in_days": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let id = key["id"].as_str().unwrap().to_string();
    let created = key["created_at"].as_str().unwrap().to_string();
    let secret = ada.generate(&id).await.secret;
    let system = server.system(&secret);
    assert_eq!(system.get("/whoami").await.0, StatusCode::OK);

    // A day and a minute on, by the server's clock only.
    server
        .clock
        .advance(time::Duration::days(1) + time::Duration::minutes(1));
    let ada = server.person();
    ada.sign_in("ada@acme.io", crate::harness::PASSWORD).await;
    assert_eq!(
        system.get("/whoami").await.0,
        StatusCode::UNAUTHORIZED,
        "the key check"
    );
    let (_, listed) = ada.get(&format!("/api-keys/{id}")).await;
    assert_eq!(listed["status"], "expired", "the list: {listed}");
    let (_, page) = ada.get("/api-keys?status=expired").await;
    assert_eq!(page["total"], 1, "the filter");
    // Stamps written now are the server clock's too.
    let (_, edited) = ada
        .patch(
            &format!("/api-keys/{id}"),
            json!({"description": "renamed later"}),
        )
        .await;
    let updated = edited["updated_at"].as_str().unwrap();
    use keydesk_server::clock::Clock;
    let expected_day = server.clock.now().date().to_string();
    assert!(updated.starts_with(&expected_day), "{updated} vs {created}");
    let (_, usage) = ada.get(&format!("/api-keys/{id}/usage")).await;
    let days = usage["days"].as_array().unwrap();
    assert_eq!(days.last().unwrap()["date"], expected_day, "the usage days");
    let (_, trail) = ada.get("/audit-events").await;
    assert!(
        trail["items"][0]["at"]
            .as_str()
            .unwrap()
            .starts_with(&expected_day),
        "the audit trail: {}",
        trail["items"][0]
    );
}
