use crate::harness::{code, TestServer};
use reqwest::StatusCode;

#[tokio::test]
async fn health_readiness_web_app_and_unknown_endpoints() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{}{path}", server.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);

    // App routes fall back to index.html so the router in the page can take over.
    for path in ["/", "/api-keys", "/roles/anything"] {
        let res = get(path).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.text().await.unwrap().contains("<title>keydesk</title>"));
    }
    // Unknown API paths are JSON 404s, not the app.
    let res = get("/api/v1/nothing-here").await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(code(&res.json().await.unwrap()), "not_found");
}

#[tokio::test]
async fn the_database_file_is_created_on_first_start_and_data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    assert!(!path.exists());
    let config = keydesk_server::Config::local(format!("sqlite://{}", path.display()), dir.path());
    let first = keydesk_server::start(&config).await.unwrap();
    assert!(path.exists());
    let base = format!("http://{}/api/v1", first.addr);
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{base}/auth/sign-up"))
        .json(&serde_json::json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    first.stop().await.unwrap();

    let second = keydesk_server::start(&config).await.unwrap();
    let res = http
        .post(format!("http://{}/api/v1/auth/sign-in", second.addr))
        .json(&serde_json::json!({"email": "ada@acme.io", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    second.stop().await.unwrap();
}

#[tokio::test]
async fn a_taken_port_is_a_clear_start_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = keydesk_server::Config::local(
        format!("sqlite://{}", dir.path().join("k.db").display()),
        dir.path(),
    );
    config.listen = taken.local_addr().unwrap().to_string();
    let err = keydesk_server::start(&config)
        .await
        .err()
        .expect("must not start");
    assert!(err.contains("cannot listen"), "{err}");
}
