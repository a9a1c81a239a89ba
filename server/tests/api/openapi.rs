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
    // Every operation of the API (people, roles, keys, audit, sessions).
    assert!(operations >= 28, "{operations} operations documented");
    // Errors are described in the one error shape.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("ErrorBody") && schemas.contains_key("ApiKey"));
}

#[tokio::test]
async fn every_routed_endpoint_is_documented_because_it_is_routed_by_its_documentation() {
    // Resource files route only through `routes!`, which takes the path and
    // methods from each handler's `#[utoipa::path]`: a plain `.route(` there
    // would serve an endpoint the document does not describe.
    let http = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut operation_ids = Vec::new();
    for entry in std::fs::read_dir(&http).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        // Outside the API: health checks, the document itself, the web app.
        if !["health.rs", "openapi.rs", "web_app.rs"].contains(&name.as_str()) {
            assert!(
                !source.contains(".route("),
                "{name} routes around its documentation"
            );
        }
        for (i, _) in source.match_indices("operation_id = \"") {
            let rest = &source[i + "operation_id = \"".len()..];
            operation_ids.push(rest[..rest.find('"').unwrap()].to_string());
        }
    }
    let server = TestServer::start().await;
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = doc.to_string();
    for id in &operation_ids {
        assert!(
            documented.contains(&format!("\"operationId\":\"{id}\"")),
            "{id} is written but not routed"
        );
    }
    assert!(
        operation_ids.len() >= 36,
        "{} operations",
        operation_ids.len()
    );
}
