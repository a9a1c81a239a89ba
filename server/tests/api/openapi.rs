//! The OpenAPI document describes the API that is actually served.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::TestServer;

#[tokio::test]
async fn the_document_is_served_and_every_operation_in_it_is_routed() {
    let server = TestServer::start().await;
    let res = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    let http = reqwest::Client::new();
    for (path, item) in paths {
        for method in ["get", "post", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let url = format!("{}{}", server.base, path.replace("{id}", "key_missing"));
            let res = http
                .request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    url,
                )
                .header("X-Requested-With", "keydesk")
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(
                body["error"]["message"], "No such endpoint.",
                "{method} {path} is documented but not served"
            );
        }
    }
    // Every operation of api.md (people, roles, keys, audit, sessions).
    assert!(operations >= 28, "{operations} operations documented");
    // Errors are described in the one error shape.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("ErrorBody") && schemas.contains_key("ApiKey"));
    server.stop().await;
}
