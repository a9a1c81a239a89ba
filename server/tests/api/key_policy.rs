//! The key policy (docs/api.md, "Key policy and expiry"): a preview of what
//! a change affects, keys outside it working until the announced date and
//! then refused, create and regenerate held to it, and the lifetime
//! belonging to the secret (regenerating renews an expired key).

use reqwest::{Method, StatusCode};
use serde_json::json;
use time::Duration;

use crate::harness::{Client, TestServer, PASSWORD};

async fn key_with_secret(ada: &Client, name: &str, days: Option<u32>) -> (String, String) {
    let (status, key) = ada
        .post(
            "/api-keys",
            json!({"name": name, "role_ids": ["billing-reader"], "expires_in_days": days}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let id = key["id"].as_str().unwrap().to_string();
    let secret = ada.generate(&id).await.secret;
    (id, secret)
}

#[tokio::test]
async fn a_tightened_policy_is_previewed_announced_and_then_enforced_until_a_key_is_renewed() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (forever, forever_secret) = key_with_secret(&ada, "Forever_Key", None).await;
    let (long, long_secret) = key_with_secret(&ada, "Long_Lived", Some(400)).await;
    let (_short, short_secret) = key_with_secret(&ada, "Short_Lived", Some(30)).await;
    for _ in 0..3 {
        assert_eq!(
            server.system(&forever_secret).get("/whoami").await.0,
            StatusCode::OK
        );
    }
    let policy =
        json!({"require_expiry": true, "max_lifetime_days": 90, "default_lifetime_days": 30});

    let (status, preview) = ada
        .post("/organization/key-policy/preview", policy.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["total"], 2);
    let items = preview["items"].as_array().unwrap();
    let of = |id: &str| {
        items
            .iter()
            .find(|i| i["api_key"]["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(of(&forever)["reason"], "no_expiry");
    assert_eq!(of(&forever)["requests_last_7_days"], 3);
    assert_eq!(of(&long)["reason"], "too_long");

    let (status, saved) = ada
        .call(Method::PUT, "/organization/key-policy", Some(policy))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let enforce_from = saved["enforce_from"].as_str().unwrap().to_string();
    let (_, listed) = ada.get(&format!("/api-keys/{forever}")).await;
    assert_eq!(listed["policy_violation"]["reason"], "no_expiry");
    assert_eq!(
        listed["policy_violation"]["enforce_from"],
        enforce_from.as_str()
    );

    // Announced, not yet enforced: the keys keep working for 14 days.
    server.clock.advance(Duration::days(13));
    assert_eq!(
        server.system(&forever_secret).get("/whoami").await.0,
        StatusCode::OK
    );
    server
        .clock
        .advance(Duration::days(1) + Duration::seconds(1));
    assert_eq!(
        server.system(&forever_secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.system(&long_secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.system(&short_secret).get("/whoami").await.0,
        StatusCode::OK,
        "inside the policy"
    );

    // Regenerating renews it within the policy (the default lifetime).
    ada.sign_in("ada@acme.io", PASSWORD).await; // weeks later: a new session
    let renewed = ada.generate(&forever).await;
    assert_eq!(
        server.system(&renewed.secret).get("/whoami").await.0,
        StatusCode::OK
    );
    assert!(renewed.api_key.expires_at.is_some());
    assert!(renewed.api_key.policy_violation.is_none());
}

#[tokio::test]
async fn create_and_regenerate_are_held_to_the_policy_and_its_default_lifetime_fills_in() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, _) = ada
        .call(
            Method::PUT,
            "/organization/key-policy",
            Some(json!({"require_expiry": true, "max_lifetime_days": 90})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = ada
        .post(
            "/api-keys",
            json!({"name": "No_Expiry", "role_ids": ["billing-reader"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["error"]["fields"]["expires_at"]
        .as_str()
        .unwrap()
        .contains("requires an expiry"));
    let (status, refused) = ada
        .post(
            "/api-keys",
            json!({"name": "Too_Long", "role_ids": ["billing-reader"], "expires_in_days": 400}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["error"]["fields"]["expires_at"]
        .as_str()
        .unwrap()
        .contains("90 days"));

    let (_, _) = ada
        .call(Method::PUT, "/organization/key-policy", Some(json!({"require_expiry": true, "max_lifetime_days": 90, "default_lifetime_days": 30})))
        .await;
    let (status, key) = ada
        .post(
            "/api-keys",
            json!({"name": "Defaulted", "role_ids": ["billing-reader"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        key["expires_at"].is_string(),
        "the default lifetime applies: {key}"
    );
    let id = key["id"].as_str().unwrap();
    let (status, refused) = ada
        .post(
            &format!("/api-keys/{id}/generate"),
            json!({"expires_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = ada
        .post(
            &format!("/api-keys/{id}/generate"),
            json!({"expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "in the past");

    // Only accounts.update sets it; anyone who reads keys may read it.
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    assert_eq!(
        dev.get("/organization/key-policy").await.1["max_lifetime_days"],
        90
    );
    let (status, _) = dev
        .call(
            Method::PUT,
            "/organization/key-policy",
            Some(json!({"require_expiry": false})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, trail) = ada.get("/audit-events").await;
    assert!(trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "organization.key_policy_updated"));
}

#[tokio::test]
async fn an_expired_key_is_renewed_by_regenerating_it_with_the_lifetime_it_had() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, secret) = key_with_secret(&ada, "Nightly_Job", Some(7)).await;
    server.clock.advance(Duration::days(8));
    assert_eq!(
        server.system(&secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = ada.sign_in("ada@acme.io", PASSWORD).await; // days later: a new session
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, key) = ada.get(&format!("/api-keys/{id}")).await;
    assert_eq!(key["status"], "expired", "{key}");
    let renewed = ada.generate(&id).await;
    assert_eq!(
        server.system(&renewed.secret).get("/whoami").await.0,
        StatusCode::OK
    );
    assert_eq!(
        renewed.api_key.status,
        keydesk_contract::types::ApiKeyStatus::Active
    );
    // Seven days again, from now.
    server.clock.advance(Duration::days(6));
    assert_eq!(
        server.system(&renewed.secret).get("/whoami").await.0,
        StatusCode::OK
    );
    server
        .clock
        .advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(
        server.system(&renewed.secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_tab_warns_of_keys_expiring_within_a_week_and_of_expired_keys_still_called_from_where()
{
    let server = TestServer::start_with(
        |c| c.trusted_proxies = vec![keydesk_server::config::parse_range("127.0.0.1").unwrap()],
        None,
    )
    .await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (soon, _) = key_with_secret(&ada, "Weekly_Job", Some(5)).await;
    let (_later, _) = key_with_secret(&ada, "Quarterly_Job", Some(90)).await;
    let (gone, gone_secret) = key_with_secret(&ada, "Old_Cron", Some(1)).await;
    let (_, warnings) = ada.get("/api-keys/expiry-warnings").await;
    let soon_ids: Vec<&str> = warnings["expiring_soon"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        soon_ids,
        [gone.as_str(), soon.as_str()],
        "within 7 days, soonest first"
    );
    assert!(warnings["expired_but_used"].as_array().unwrap().is_empty());

    server.clock.advance(Duration::days(2));
    let old_cron = server.system_at(&gone_secret, "203.0.113.9");
    assert_eq!(old_cron.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = ada.sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, warnings) = ada.get("/api-keys/expiry-warnings").await;
    let used = &warnings["expired_but_used"][0];
    assert_eq!(used["id"], gone.as_str());
    assert_eq!(used["last_call_from"], "203.0.113.9");

    // Renewed: no longer a warning.
    ada.generate(&gone).await;
    let (_, warnings) = ada.get("/api-keys/expiry-warnings").await;
    assert!(warnings["expired_but_used"].as_array().unwrap().is_empty());
}
