use crate::harness::TestServer;
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
