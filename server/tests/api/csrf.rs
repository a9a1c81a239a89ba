use crate::harness::{code, TestServer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_cookie_request_that_changes_something_needs_the_csrf_header() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let url = |path: &str| format!("{}/api/v1{path}", server.base);

    let res = ada
        .http
        .post(url("/api-keys"))
        .json(&json!({"name": "Forged", "role_ids": ["admin"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(code(&res.json().await.unwrap()), "csrf");
    let res = ada
        .http
        .delete(url(&format!("/api-keys/{}", key.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = ada
        .http
        .post(url(&format!("/api-keys/{}/generate", key.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = ada.http.post(url("/auth/sign-out")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Edits and removals of every kind, too.
    let me = ada.me().await.user.id;
    let role = ada.create_role("Readers", &["documents.retrieve"]).await;
    for (method, path, body) in [
        (
            reqwest::Method::PATCH,
            format!("/api-keys/{}", key.id),
            json!({"role_ids": ["admin"]}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/users/{me}"),
            json!({"name": "Mallory"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/roles/{role}"),
            json!({"permissions": ["users.create"]}),
        ),
        (reqwest::Method::DELETE, format!("/roles/{role}"), json!({})),
    ] {
        let res = ada
            .http
            .request(method.clone(), url(&path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(code(&res.json().await.unwrap()), "csrf");
    }
    assert_eq!(ada.me().await.user.name, "Ada Admin");
    let (_, roles) = ada.get(&format!("/roles/{role}")).await;
    assert_eq!(roles["permissions"], json!(["documents.retrieve"]));

    // Reading is allowed, and nothing was changed.
    let res = ada.http.get(url("/api-keys")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: serde_json::Value = res.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["status"], "not_generated");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_strict() {
    let server = TestServer::start().await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/sign-up", server.base))
        .json(&json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_lowercase();
    assert!(cookie.contains("httponly"), "{cookie}");
    assert!(cookie.contains("samesite=strict"), "{cookie}");
}
