use crate::harness::{code, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn total(c: &crate::harness::Client) -> u64 {
    c.get("/api-keys").await.1["total"].as_u64().unwrap()
}

#[tokio::test]
async fn each_rule_answers_422_naming_its_field_and_writes_nothing() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": "ab", "role_ids": ["admin"]}), "name"),
        (json!({"name": "   ", "role_ids": ["admin"]}), "name"),
        (
            json!({"name": "x".repeat(65), "role_ids": ["admin"]}),
            "name",
        ),
        (json!({"name": "bad/name", "role_ids": ["admin"]}), "name"),
        (
            json!({"name": "Fine name", "description": "d".repeat(501), "role_ids": ["admin"]}),
            "description",
        ),
        (json!({"name": "Fine name", "role_ids": []}), "role_ids"),
        (
            json!({"name": "Fine name", "role_ids": ["no-such-role"]}),
            "role_ids",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = ada.post("/api-keys", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(code(&answer), "validation_failed");
        let message = answer["error"]["fields"][field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {answer}"));
        assert!(!message.is_empty());
    }
    assert_eq!(total(&ada).await, 0, "nothing was written");
    let (_, audit) = ada.get("/audit-events").await;
    assert!(!audit.to_string().contains("api_key.created"));
}

#[tokio::test]
async fn the_server_speaks_the_contract_crates_messages() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (_, answer) = ada
        .post("/api-keys", json!({"name": "ab", "role_ids": ["admin"]}))
        .await;
    assert_eq!(
        answer["error"]["fields"]["name"],
        keydesk_contract::validation::key_name("ab").unwrap_err()
    );
}

#[tokio::test]
async fn a_name_taken_in_any_letter_case_is_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let first = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    for name in ["Billing_Reader", "billing_reader", "  BILLING_READER "] {
        let (status, answer) = ada
            .post(
                "/api-keys",
                json!({"name": name, "role_ids": ["billing-reader"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_eq!(
            answer["error"]["fields"]["name"],
            "Name is already used by another key."
        );
    }
    // Renaming onto a taken name is refused the same way; renaming to itself is fine.
    let other = ada.create_key("CRM sync", &["document-viewer"]).await;
    let (status, answer) = ada
        .patch(
            &format!("/api-keys/{}", other.id),
            json!({"name": "BILLING_reader"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["error"]["fields"]["name"].is_string());
    let (status, _) = ada
        .patch(
            &format!("/api-keys/{}", first.id),
            json!({"name": "billing_reader"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(total(&ada).await, 2);
}

#[tokio::test]
async fn an_invalid_edit_changes_nothing() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let (status, answer) = ada
        .patch(
            &format!("/api-keys/{}", key.id),
            json!({"description": "new", "role_ids": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["error"]["fields"]["role_ids"].is_string());
    let (_, after) = ada.get(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(after["description"], "");
}

#[tokio::test]
async fn sign_up_fields_are_validated() {
    let server = TestServer::start().await;
    let (status, answer) = server
        .person()
        .post("/auth/sign-up", json!({"organization": "", "name": "Ada", "email": "not-an-email", "password": "short"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = answer["error"]["fields"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        ["email", "organization", "password"]
    );
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_the_error_shape() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let url = format!("{}/api/v1/api-keys", server.base);
    let send = |body: String| {
        ada.http
            .post(&url)
            .header("X-Requested-With", "keydesk")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let res = send("{not json".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(code(&res.json().await.unwrap()), "bad_request");
    let res = send(json!({"name": 5}).to_string()).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let huge = json!({"name": "Big", "description": "d".repeat(100_000), "role_ids": ["admin"]})
        .to_string();
    let res = send(huge).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&res.json().await.unwrap()), "payload_too_large");
}
