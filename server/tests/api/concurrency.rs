use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_creates_with_one_name_make_one_key() {
    let server = TestServer::start().await;
    let ada = Arc::new(server.sign_up("Acme", "ada@acme.io").await);
    let attempts: Vec<_> = (0..20)
        .map(|i| {
            let ada = ada.clone();
            // Vary the letter case too: uniqueness ignores it.
            let name = if i % 2 == 0 {
                "Billing_Reader"
            } else {
                "BILLING_reader"
            };
            tokio::spawn(async move {
                ada.post(
                    "/api-keys",
                    json!({"name": name, "role_ids": ["billing-reader"]}),
                )
                .await
            })
        })
        .collect();
    let mut created = 0;
    for attempt in attempts {
        let (status, body) = attempt.await.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert!(body["error"]["fields"]["name"].is_string(), "{body}")
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(ada.get("/api-keys").await.1["total"], 1);
}
