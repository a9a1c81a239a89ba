//! Allowed networks per key: IPv4 and IPv6 ranges, enforced or only
//! reported, the client's address as the operator's trusted proxies define
//! it (a forged X-Forwarded-For from elsewhere is ignored), and the
//! platform's key check deciding with its caller's address.

use std::time::Duration;

use keydesk_server::config::parse_range;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{code, Client, TestServer};

async fn behind_a_proxy() -> TestServer {
    TestServer::start_with(
        |c| c.trusted_proxies = vec![parse_range("127.0.0.1").unwrap()],
        None,
    )
    .await
}

async fn key_with_secret(ada: &Client) -> (String, String) {
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    (key.id, secret)
}

/// Waits for the audit trail to hold a `network_refused` from `address`.
async fn alarm_from(ada: &Client, address: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, page) = ada.get("/audit-events").await;
        let found = page["items"].as_array().unwrap().iter().find(|e| {
            e["action"] == "api_key.network_refused" && e["details"]["client_address"] == address
        });
        if let Some(found) = found {
            return found.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no alarm from {address}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_enforced_allowlist_serves_inside_in_both_families_and_refuses_outside() {
    let server = behind_a_proxy().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, secret) = key_with_secret(&ada).await;
    let (status, key) = ada
        .patch(
            &format!("/api-keys/{id}"),
            json!({"allowed_networks": ["203.0.113.7/24", "2001:db8::1/32"], "network_mode": "enforce"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{key}");
    assert_eq!(
        key["allowed_networks"],
        json!(["203.0.113.0/24", "2001:db8::/32"])
    );
    assert_eq!(key["network_mode"], "enforce");

    for inside in ["203.0.113.9", "2001:db8::5"] {
        let (status, body) = server.system_at(&secret, inside).get("/whoami").await;
        assert_eq!(status, StatusCode::OK, "{inside}: {body}");
    }
    for outside in ["198.51.100.7", "2001:db9::1"] {
        let (status, body) = server.system_at(&secret, outside).get("/whoami").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{outside}: {body}");
        assert_eq!(code(&body), "network_refused");
    }
    let alarm = alarm_from(&ada, "198.51.100.7").await;
    assert_eq!(alarm["details"]["enforced"], true);
    assert_eq!(alarm["target"]["id"], id.as_str());

    // `[]`: anywhere again.
    ada.patch(&format!("/api-keys/{id}"), json!({"allowed_networks": []}))
        .await;
    let (status, _) = server
        .system_at(&secret, "198.51.100.7")
        .get("/whoami")
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_address_is_ignored() {
    // No trusted proxies: X-Forwarded-For is whatever a client wrote.
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, secret) = key_with_secret(&ada).await;
    ada.patch(
        &format!("/api-keys/{id}"),
        json!({"allowed_networks": ["203.0.113.0/24"]}),
    )
    .await;
    let (status, body) = server
        .system_at(&secret, "203.0.113.9")
        .get("/whoami")
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the peer, 127.0.0.1, decides: {body}"
    );
    let (status, answer) = server
        .system(&secret)
        .post(
            "/authorize",
            json!({"permission": "billing.retrieve", "client_address": "203.0.113.9"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["allowed"], false,
        "client_address from an untrusted peer is not believed"
    );
    assert_eq!(answer["reason"], "network");
}

#[tokio::test]
async fn report_only_serves_and_reports_and_the_key_check_decides_with_its_callers_address() {
    let server = behind_a_proxy().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, secret) = key_with_secret(&ada).await;
    ada.patch(
        &format!("/api-keys/{id}"),
        json!({"allowed_networks": ["203.0.113.0/24"], "network_mode": "report"}),
    )
    .await;
    let (status, _) = server
        .system_at(&secret, "198.51.100.7")
        .get("/whoami")
        .await;
    assert_eq!(status, StatusCode::OK, "report only: served");
    let alarm = alarm_from(&ada, "198.51.100.7").await;
    assert_eq!(alarm["details"]["enforced"], false);

    ada.patch(
        &format!("/api-keys/{id}"),
        json!({"network_mode": "enforce"}),
    )
    .await;
    // The platform (a trusted proxy) asks for its caller.
    let platform = server.system(&secret);
    let ask = |address: &'static str, permission: &'static str| {
        let platform = platform.clone();
        async move {
            platform
                .post(
                    "/authorize",
                    json!({"permission": permission, "client_address": address}),
                )
                .await
                .1
        }
    };
    let inside = ask("203.0.113.20", "billing.retrieve").await;
    assert_eq!(inside["allowed"], true, "{inside}");
    assert_eq!(inside["reason"], Value::Null);
    let outside = ask("198.51.100.8", "billing.retrieve").await;
    assert_eq!(outside["allowed"], false, "{outside}");
    assert_eq!(outside["reason"], "network");
    let not_granted = ask("203.0.113.20", "renders.create").await;
    assert_eq!(not_granted["reason"], "permission", "{not_granted}");
}

#[tokio::test]
async fn networks_are_checked_and_only_someone_holding_the_keys_powers_sets_them() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let wide = ada.create_key("Admin_Bot", &["admin"]).await;
    let (status, body) = ada
        .patch(
            &format!("/api-keys/{}", wide.id),
            json!({"allowed_networks": ["10.0.0.0/8", "office"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["allowed_networks"]
        .as_str()
        .unwrap()
        .contains("office"));
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let (status, _) = dev
        .patch(
            &format!("/api-keys/{}", wide.id),
            json!({"allowed_networks": ["0.0.0.0/0"]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, key) = ada.get(&format!("/api-keys/{}", wide.id)).await;
    assert_eq!(key["allowed_networks"], json!([]), "nothing half-written");
}

#[tokio::test]
async fn where_a_key_was_used_from_suggests_its_networks_busiest_first() {
    let server = behind_a_proxy().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, secret) = key_with_secret(&ada).await;
    for (address, times) in [("203.0.113.9", 3), ("203.0.113.200", 2), ("2001:db8::5", 1)] {
        for _ in 0..times {
            server.system_at(&secret, address).get("/whoami").await;
        }
    }
    let (status, seen) = ada.get(&format!("/api-keys/{id}/networks")).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["seen"][0]["network"], "203.0.113.0/24");
    assert_eq!(seen["seen"][0]["requests"], 5);
    assert_eq!(seen["seen"][1]["network"], "2001:db8::/64");
    assert_eq!(
        seen["suggested"],
        json!(["203.0.113.0/24", "2001:db8::/64"])
    );
    // Suggested networks, allowed, keep working what works today.
    ada.patch(
        &format!("/api-keys/{id}"),
        json!({"allowed_networks": seen["suggested"]}),
    )
    .await;
    let (status, _) = server
        .system_at(&secret, "203.0.113.9")
        .get("/whoami")
        .await;
    assert_eq!(status, StatusCode::OK);
}
