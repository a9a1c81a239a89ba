//! The API as systems and set-up steps use it, straight over HTTP.

use reqwest::StatusCode;
use serde_json::{json, Value};

/// A signed-in person's API client (cookie session, CSRF header).
pub struct Person {
    base: String,
    http: reqwest::Client,
}

impl Person {
    /// Creates an organization over HTTP; its first person is Admin.
    pub async fn sign_up(base: &str, organization: &str, email: &str, password: &str) -> Person {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let res = http
            .post(format!("{base}/api/v1/auth/sign-up"))
            .json(&json!({"organization": organization, "name": "Ada Admin", "email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "sign-up over HTTP");
        Person {
            base: base.to_string(),
            http,
        }
    }

    pub async fn sign_in(base: &str, email: &str, password: &str) -> Person {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let res = http
            .post(format!("{base}/api/v1/auth/sign-in"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "sign-in over HTTP");
        Person {
            base: base.to_string(),
            http,
        }
    }

    /// Adds a person with these roles who then joins through their
    /// invitation link with `password`; returns them, signed in.
    pub async fn add_joined(
        &self,
        name: &str,
        email: &str,
        password: &str,
        roles: &[&str],
    ) -> Person {
        let (status, person) = self
            .post(
                "/users",
                json!({"name": name, "email": email, "role_ids": roles}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "adding {email}: {person}");
        let id = person["id"].as_str().unwrap();
        let (status, link) = self
            .post(&format!("/users/{id}/invitation"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{link}");
        let url = link["url"].as_str().unwrap();
        let token = url.split_once('#').expect("the token is in the fragment").1;
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let res = http
            .post(format!("{}/api/v1/auth/accept-invitation", self.base))
            .json(&json!({"token": token, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{email} joins");
        Person {
            base: self.base.clone(),
            http,
        }
    }

    /// The signed-in HTTP client itself (its cookie carries the session).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PATCH, path, body).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("X-Requested-With", "keydesk")
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status(), res.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .get(format!("{}/api/v1{path}", self.base))
            .send()
            .await
            .unwrap();
        (res.status(), res.json().await.unwrap_or(Value::Null))
    }
}

/// What a system holding `secret` gets from `GET path`.
pub async fn as_system(base: &str, secret: &str, path: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{base}/api/v1{path}"))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .status()
}
