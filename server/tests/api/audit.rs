use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn every_key_change_is_in_the_trail_with_actor_and_target() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let me = ada.me().await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    ada.patch(
        &format!("/api-keys/{}", key.id),
        json!({"role_ids": ["billing-reader", "document-viewer"]}),
    )
    .await;
    let secret = ada.generate(&key.id).await.secret;
    ada.generate(&key.id).await;
    ada.delete(&format!("/api-keys/{}", key.id)).await;

    let (_, page) = ada.get("/audit-events").await;
    assert!(
        !page.to_string().contains(&secret),
        "the trail never holds a secret"
    );
    let events: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"]["id"] == key.id.as_str())
        .collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "api_key.deleted",
            "api_key.generated",
            "api_key.generated",
            "api_key.updated",
            "api_key.created"
        ]
    );
    for e in &events {
        assert_eq!(e["actor"]["type"], "user");
        assert_eq!(e["actor"]["id"], me.user.id.as_str());
        assert_eq!(e["actor"]["name"], "Ada Admin");
        assert_eq!(e["target"]["type"], "api_key");
        assert_eq!(e["target"]["name"], "Billing_Reader");
        assert!(e["at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(events[1]["details"]["regenerated"], true);
    assert_eq!(events[2]["details"]["regenerated"], false);
    assert_eq!(
        events[3]["details"]["role_ids"]["to"],
        json!(["billing-reader", "document-viewer"])
    );
}

#[tokio::test]
async fn the_trail_pages_with_a_cursor() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    for i in 0..5 {
        ada.create_key(&format!("Key {i}"), &["document-viewer"])
            .await;
    }
    let mut seen = Vec::new();
    let mut path = "/audit-events?limit=2".to_string();
    loop {
        let (_, page) = ada.get(&path).await;
        for e in page["items"].as_array().unwrap() {
            seen.push(e["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/audit-events?limit=2&cursor={}", urlencode(c)),
            None => break,
        }
    }
    // organization.created + 5 creates, each once.
    assert_eq!(seen.len(), 6);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_trail_exports_as_ndjson_oldest_first_from_a_time_on_with_details_only_for_who_may_read_them(
) {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    for name in ["Billing_Reader", "CRM_Sync", "Render_Bot"] {
        ada.create_key(name, &["billing-reader"]).await;
        server.clock.advance(time::Duration::seconds(1));
    }
    let res = ada.get_response("/audit-events/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let text = res.text().await.unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.len() >= 4, "{text}");
    let times: Vec<&str> = events.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "oldest first");
    assert_eq!(events.last().unwrap()["target"]["name"], "Render_Bot");

    // A SIEM polls from the last time it has.
    let since = events[events.len() - 2]["at"].as_str().unwrap();
    let later = ada
        .get_response(&format!("/audit-events/export?since={since}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(later.lines().count(), 2, "{later}");
    assert_eq!(
        ada.get_response("/audit-events/export?since=yesterday")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    // A reader who may not read keys sees the events, not their details.
    let role = ada.create_role("Auditor", &["audit-events.retrieve"]).await;
    let auditor = ada.add_person("audit@acme.io", &[&role]).await;
    let seen = auditor
        .get_response("/audit-events/export")
        .await
        .text()
        .await
        .unwrap();
    assert!(!seen.contains("Render_Bot"), "key names hidden: {seen}");
    assert!(seen.lines().count() >= 4);
    let viewer = ada.add_person("viewer@acme.io", &["document-viewer"]).await;
    assert_eq!(
        viewer.get_response("/audit-events/export").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_export_longer_than_a_page_streams_every_event_once() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let storage = server.storage();
    let me = ada.me().await;
    let actor = keydesk_contract::types::Actor {
        kind: keydesk_contract::types::ActorKind::User,
        id: me.user.id.clone(),
        name: me.user.name.clone(),
    };
    for _ in 0..1_234 {
        storage
            .append_audit(keydesk_server::storage::AuditEntry {
                organization_id: &me.organization.id,
                actor: &actor,
                action: keydesk_contract::audit::AuditAction::UserSignedIn {
                    client_address: None,
                },
                target: keydesk_contract::types::AuditTarget::user(
                    me.user.id.clone(),
                    me.user.name.clone(),
                ),
            })
            .await
            .unwrap();
    }
    let text = ada
        .get_response("/audit-events/export")
        .await
        .text()
        .await
        .unwrap();
    let ids: std::collections::BTreeSet<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), text.lines().count(), "no event twice");
    assert!(ids.len() >= 1_235, "{}", ids.len());
}
