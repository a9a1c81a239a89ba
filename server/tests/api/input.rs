//! Text that hides what it is, names that look alike, and query strings made
//! of nonsense: each gets a clear 4xx, never a 500 and never a stored row.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{code, TestServer, PASSWORD};

const HIDDEN: &[&str] = &[
    "Bill\u{200B}ing",    // zero-width space
    "Billing\u{202E}gnp", // right-to-left override
    "\u{2066}Billing",    // bidi isolate
    "Bill\u{0007}ing",    // control character
    "Billing\u{FEFF}",    // zero-width no-break space
];

#[tokio::test]
async fn every_text_field_refuses_invisible_and_control_characters() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    for bad in HIDDEN {
        let (status, body) = ada
            .post(
                "/api-keys",
                json!({"name": bad, "role_ids": ["document-viewer"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(body["error"]["fields"]["name"]
            .as_str()
            .unwrap()
            .contains("invisible or control"));
        let (status, body) = ada
            .post(
                "/api-keys",
                json!({"name": "Fine name", "description": bad, "role_ids": ["document-viewer"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(body["error"]["fields"]["description"].is_string());
        let (status, body) = server
            .person()
            .post("/auth/sign-up", json!({"organization": bad, "name": bad, "email": format!("x{bad}@acme.io"), "password": PASSWORD}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        for field in ["organization", "name", "email"] {
            assert!(
                body["error"]["fields"][field].is_string(),
                "{field} of {bad:?}: {body}"
            );
        }
        let (status, body) = ada
            .post("/users", json!({"name": bad, "email": "bo@acme.io", "password": PASSWORD, "role_ids": ["document-viewer"]}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(body["error"]["fields"]["name"].is_string());
    }
    let (_, list) = ada.get("/api-keys").await;
    assert_eq!(list["total"], 0, "nothing was stored");
    // A description may still span lines.
    let (status, _) = ada
        .post("/api-keys", json!({"name": "Fine name", "description": "line one\nline two", "role_ids": ["document-viewer"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn two_names_that_look_the_same_cannot_coexist() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let composed = ada
        .create_key("Caf\u{00E9} sync", &["document-viewer"])
        .await;
    let (status, body) = ada
        .post(
            "/api-keys",
            json!({"name": "CAFE\u{0301} SYNC", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["fields"]["name"],
        "Name is already used by another key."
    );
    // Stored in one form, whatever was typed.
    let decomposed = ada
        .create_key("Re\u{0301}sume\u{0301} reader", &["document-viewer"])
        .await;
    assert_eq!(decomposed.name, "R\u{00E9}sum\u{00E9} reader");
    assert_eq!(composed.name, "Caf\u{00E9} sync");
}

#[tokio::test]
async fn nonsense_in_query_strings_answers_400_never_500() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    ada.create_key("Billing_Reader", &["billing-reader"]).await;
    for query in [
        "cursor=-1",
        "cursor=abc",
        "cursor=1e3",
        "cursor=9223372036854775808",
        "cursor=18446744073709551615",
        "cursor=99999999999999999999999999",
        "limit=-1",
        "limit=4294967296",
        "limit=99999999999999999999",
        "limit=ten",
        "limit=1.5",
        "sort=bogus",
        "sort=name;DROP TABLE api_keys",
        "status=deleted",
        "cursor=%00",
    ] {
        let (status, body) = ada.get(&format!("/api-keys?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(code(&body), "bad_request", "{query}");
    }
    for query in [
        "cursor=garbage",
        "cursor=9999~",
        "cursor=~evt_1",
        "cursor=2026-13-45T99:99:99.999999Z~evt_1",
        "cursor=2026-01-01T00:00:00.000000Z~evt_1'--",
        "limit=-5",
        "limit=18446744073709551616",
    ] {
        let (status, body) = ada.get(&format!("/audit-events?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
    }
    // Large but valid numbers are clamped, not refused.
    let (status, body) = ada
        .get("/api-keys?limit=4294967295&cursor=9223372036854775807")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 0);
}
