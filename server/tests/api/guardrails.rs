//! Guardrails on keys (docs/api.md, "Guardrails on keys"): leak reports
//! anyone may send, answered alike whatever they hold; and decoy keys,
//! whose secrets answer exactly as unknown ones and raise an alarm.

use std::time::Duration;

use keydesk_server::webhook_receiver::Receiver;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{Client, TestServer};

async fn key_with_secret(ada: &Client, name: &str, decoy: bool) -> (String, String) {
    let (status, key) = ada
        .post(
            "/api-keys",
            json!({"name": name, "role_ids": ["developer"], "decoy": decoy}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let id = key["id"].as_str().unwrap().to_string();
    let secret = ada.generate(&id).await.secret;
    (id, secret)
}

/// The raw answer to a request (status, body bytes), to compare answers exactly.
async fn raw(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn report(server: &TestServer, secrets: Value) -> (StatusCode, String) {
    raw(reqwest::Client::new()
        .post(format!("{}/api/v1/leaked-keys", server.base))
        .json(&json!({ "secrets": secrets }))
        .send()
        .await
        .unwrap())
    .await
}

async fn audit_actions(ada: &Client) -> Vec<Value> {
    let (_, page) = ada.get("/audit-events").await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_reported_secret_disables_its_key_at_once_and_the_answer_says_nothing() {
    let server = TestServer::start_with(|c| c.allow_private_destinations = true, None).await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    ada.post(
        "/event-destinations",
        json!({"url": receiver.url, "events": ["api_key.leaked"]}),
    )
    .await;
    let (id, secret) = key_with_secret(&ada, "Billing_Reader", false).await;
    let (_, other) = key_with_secret(&ada, "Render_Bot", false).await;
    let (gone_id, gone) = key_with_secret(&ada, "Removed", false).await;
    ada.delete(&format!("/api-keys/{gone_id}")).await;

    let fake = report(&server, json!([gone, "kd_live_notakey", "hunter2"])).await;
    let real = report(&server, json!([secret, "hunter2"])).await;
    assert_eq!(fake.0, StatusCode::ACCEPTED);
    assert_eq!(real, fake, "the same answer whatever was sent");

    assert_eq!(
        server.system(&secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.system(&other).get("/whoami").await.0,
        StatusCode::OK,
        "only the reported key"
    );
    let (_, key) = ada.get(&format!("/api-keys/{id}")).await;
    assert_eq!(key["status"], "leaked");
    let (_, leaked) = ada.get("/api-keys?status=leaked").await;
    assert_eq!(leaked["items"].as_array().unwrap().len(), 1);
    let event = audit_actions(&ada)
        .await
        .into_iter()
        .find(|e| e["action"] == "api_key.leaked")
        .expect("audited");
    assert_eq!(event["actor"]["type"], "system");
    assert_eq!(event["target"]["id"], id.as_str());
    assert_eq!(event["details"]["client_address"], "127.0.0.1");
    let got = receiver.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(got[0].event_type(), "api_key.leaked");

    // Reported again: nothing new.
    report(&server, json!([secret])).await;
    let leaks = audit_actions(&ada)
        .await
        .into_iter()
        .filter(|e| e["action"] == "api_key.leaked")
        .count();
    assert_eq!(leaks, 1);

    // Enabling would hand the leaked secret back: refused.
    let (status, body) = ada.post(&format!("/api-keys/{id}/enable"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("regenerate"));

    // Regenerate: a new secret that works, the key on again, the leaked one dead at once.
    let fresh = ada.generate(&id).await.secret;
    assert_eq!(server.system(&fresh).get("/whoami").await.0, StatusCode::OK);
    assert_eq!(
        server.system(&secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED,
        "no grace for a leaked secret"
    );
    let (_, key) = ada.get(&format!("/api-keys/{id}")).await;
    assert_eq!(key["status"], "active");
}

#[tokio::test]
async fn reports_are_bounded_in_size_and_per_address() {
    let server = TestServer::start().await;
    let (status, body) = report(&server, json!([])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let many: Vec<String> = (0..101).map(|i| format!("kd_live_{i}")).collect();
    assert_eq!(
        report(&server, json!(many)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // (Two refused above count too.)
    for _ in 2..keydesk_server::http::leaked_keys::REPORTS_PER_MINUTE {
        assert_eq!(
            report(&server, json!(["kd_live_x"])).await.0,
            StatusCode::ACCEPTED
        );
    }
    let (status, body) = report(&server, json!(["kd_live_x"])).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    server.clock.advance(time::Duration::minutes(1));
    assert_eq!(
        report(&server, json!(["kd_live_x"])).await.0,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn a_decoy_answers_as_an_unknown_key_and_raises_the_alarm_with_where_and_what() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (decoy_id, decoy) = key_with_secret(&ada, "Prod_Admin_Backup", true).await;
    let (gone_id, unknown) = key_with_secret(&ada, "Removed", false).await;
    ada.delete(&format!("/api-keys/{gone_id}")).await;

    let ask = |secret: String| {
        let base = server.base.clone();
        async move {
            raw(reqwest::Client::new()
                .get(format!("{base}/api/v1/whoami"))
                .header("Authorization", format!("Bearer {secret}"))
                .header("User-Agent", "curl/8.5.0")
                .send()
                .await
                .unwrap())
            .await
        }
    };
    let as_decoy = ask(decoy.clone()).await;
    let as_unknown = ask(unknown.clone()).await;
    assert_eq!(as_decoy.0, StatusCode::UNAUTHORIZED);
    assert_eq!(as_decoy, as_unknown, "indistinguishable answers");
    let authorize = |secret: String| {
        let base = server.base.clone();
        async move {
            raw(reqwest::Client::new()
                .post(format!("{base}/api/v1/authorize"))
                .header("Authorization", format!("Bearer {secret}"))
                .json(&json!({"permission": "renders.create"}))
                .send()
                .await
                .unwrap())
            .await
        }
    };
    assert_eq!(authorize(decoy.clone()).await, authorize(unknown).await);

    // The alarm is written just after the answer.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let alarm = loop {
        let found = audit_actions(&ada).await.into_iter().find(|e| {
            e["action"] == "api_key.decoy_used" && e["details"]["user_agent"] == "curl/8.5.0"
        });
        if let Some(found) = found {
            break found;
        }
        assert!(tokio::time::Instant::now() < deadline, "no alarm");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(alarm["target"]["id"], decoy_id.as_str());
    assert_eq!(alarm["details"]["client_address"], "127.0.0.1");
    assert_eq!(alarm["actor"]["type"], "system");

    let (_, key) = ada.get(&format!("/api-keys/{decoy_id}")).await;
    assert_eq!(key["status"], "decoy");
    let live = ada.create_key("Live_Key", &["developer"]).await;
    let (status, inventory) = ada.get("/inventory").await;
    assert_eq!(status, StatusCode::OK, "{inventory}");
    assert!(inventory.to_string().contains(&live.id), "{inventory}");
    assert!(
        !inventory.to_string().contains(&decoy_id),
        "a decoy is no part of the inventory: {inventory}"
    );
}

/// The decoy alarms in the audit trail from `address`.
async fn decoy_alarms_from(ada: &Client, address: &str) -> usize {
    audit_actions(ada)
        .await
        .iter()
        .filter(|e| {
            e["action"] == "api_key.decoy_used" && e["details"]["client_address"] == address
        })
        .count()
}

/// Waits until the audit trail holds `count` decoy alarms from `address`.
async fn until_decoy_alarms(ada: &Client, address: &str, count: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while decoy_alarms_from(ada, address).await < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no alarm {count} from {address}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_decoy_hammered_from_one_address_raises_one_alarm_a_minute_and_a_new_address_at_once() {
    let server = TestServer::start_with(
        |c| c.trusted_proxies = vec![keydesk_server::config::parse_range("127.0.0.1").unwrap()],
        None,
    )
    .await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (_, decoy) = key_with_secret(&ada, "Prod_Admin_Backup", true).await;
    let (hammer, newcomer) = ("198.51.100.7", "203.0.113.9");

    for _ in 0..20 {
        let (status, _) = server.system_at(&decoy, hammer).get("/whoami").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    until_decoy_alarms(&ada, hammer, 1).await;
    // Someone else found it too: said at once, in the same minute.
    let (status, _) = server.system_at(&decoy, newcomer).get("/whoami").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    until_decoy_alarms(&ada, newcomer, 1).await;
    assert_eq!(
        decoy_alarms_from(&ada, hammer).await,
        1,
        "twenty uses in a minute from one address: one alarm"
    );

    // A minute later the hammering is news again.
    server.clock.advance(time::Duration::minutes(1));
    server.system_at(&decoy, hammer).get("/whoami").await;
    until_decoy_alarms(&ada, hammer, 2).await;
}
