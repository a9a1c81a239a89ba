//! A server per test and clients that talk to it like the web app and like systems do.

use keydesk_contract::types::{ApiKey, GeneratedApiKey, Me};
use keydesk_server::clock::ManualClock;
use keydesk_server::{Config, Overrides, Running};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

/// A server for one test. It stops when the test is done with it, however
/// the test ends (`Drop`); `stop` is for tests that need its graceful end
/// (pending usage written, the database closed) before they go on.
pub struct TestServer {
    pub base: String,
    pub database_url: String,
    /// The server's clock: tests move it instead of waiting.
    pub clock: ManualClock,
    /// The inline script of the served index.html (the CSP must allow it by hash).
    pub inline_script: &'static str,
    running: Option<Running>,
    /// Holds the database; removed when the test ends.
    dir: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}, None).await
    }

    /// A server whose settings `adjust` changes, optionally with a chosen hasher.
    pub async fn start_with(
        adjust: impl FnOnce(&mut Config),
        passwords: Option<keydesk_server::auth::passwords::PasswordHasher>,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        let inline_script = "import init from '/app.js'; await init();";
        std::fs::write(
            dist.join("index.html"),
            format!("<!doctype html><title>keydesk</title><script type=\"module\">{inline_script}</script>"),
        )
        .unwrap();
        let db = match postgres_admin_url() {
            Some(admin) => fresh_postgres_database(&admin).await,
            None => format!("sqlite://{}", dir.path().join("keydesk.db").display()),
        };
        let mut config = Config::local(db.clone(), dist);
        if on_postgres() {
            // Replicas of one test share the database, so they share this key too.
            config.secret_key = Some(TEST_SECRET_KEY.parse().unwrap());
        }
        adjust(&mut config);
        let clock = ManualClock::new();
        let overrides = Overrides {
            clock: Arc::new(clock.clone()),
            passwords,
        };
        let running = keydesk_server::start_with(&config, overrides)
            .await
            .unwrap();
        TestServer {
            base: format!("http://{}", running.addr),
            database_url: db,
            clock,
            inline_script,
            running: Some(running),
            dir: Some(dir),
        }
    }

    /// The running server's own storage (what the server itself sees).
    pub fn storage(&self) -> &keydesk_server::storage::Storage {
        self.running.as_ref().unwrap().storage()
    }

    pub async fn stop(mut self) {
        self.running.take().unwrap().stop().await.unwrap();
    }

    /// The server's address, `127.0.0.1:port`.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// Stops the server but keeps its database, to look at what it wrote.
    pub async fn stop_keeping_data(mut self) -> tempfile::TempDir {
        self.running.take().unwrap().stop().await.unwrap();
        self.dir.take().expect("the folder is held until now")
    }

    /// A browser-like client: keeps cookies and sends the CSRF header.
    pub fn person(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: client(),
            csrf: true,
            key: None,
            forwarded_for: None,
        }
    }

    /// A browser-like client at another address, as a trusted proxy reports
    /// it (the server must be started with 127.0.0.1 as a trusted proxy).
    pub fn person_at(&self, address: &str) -> Client {
        Client {
            forwarded_for: Some(address.to_string()),
            ..self.person()
        }
    }

    /// A system holding a key, at another address as a trusted proxy
    /// reports it (the server must trust 127.0.0.1 as a proxy).
    pub fn system_at(&self, secret: &str, address: &str) -> Client {
        Client {
            forwarded_for: Some(address.to_string()),
            ..self.system(secret)
        }
    }

    /// A system holding a key.
    pub fn system(&self, secret: &str) -> Client {
        Client {
            base: self.base.clone(),
            http: client(),
            csrf: false,
            key: Some(secret.to_string()),
            forwarded_for: None,
        }
    }

    /// Signs up Ada's organization with a cookie-less client; returns the raw
    /// response (to look at its cookie and headers).
    pub async fn sign_up_response(&self) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/api/v1/auth/sign-up", self.base))
            .json(&json!({"organization": "Acme", "name": "Ada", "email": "ada@acme.io", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
    }

    /// Signs up a new organization; returns its admin's client.
    pub async fn sign_up(&self, organization: &str, email: &str) -> Client {
        let c = self.person();
        let (status, _) = c
            .post("/auth/sign-up", json!({"organization": organization, "name": "Ada Admin", "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        c
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop_soon();
        }
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// The server key of every test server on PostgreSQL (there it must be set).
pub const TEST_SECRET_KEY: &str =
    "6b657964657374207465737420736572766572206b6579206f6e6c7921212121";

/// Set by `scripts/test` for its second run of this suite: the API tests then
/// run on PostgreSQL, each test on a database of its own in a throwaway
/// cluster (`scripts/with-postgres`).
pub const POSTGRES_ENV: &str = "KEYDESK_TEST_POSTGRES";

pub fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())
}

/// Whether this run of the suite is on PostgreSQL.
pub fn on_postgres() -> bool {
    postgres_admin_url().is_some()
}

/// Creates an empty database on the test cluster and returns its URL.
pub async fn fresh_postgres_database(admin: &str) -> String {
    use sqlx::Connection;
    let name = format!("t_{}", uuid_like());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("the test PostgreSQL answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("a test database can be created");
    conn.close().await.ok();
    let (base, _) = admin
        .rsplit_once('/')
        .expect("the admin URL names a database");
    format!("{base}/{name}")
}

/// 20 random lower-case letters and digits: a name no other test picks.
fn uuid_like() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A connection pool on a test server's database, to look at what it wrote.
pub async fn database(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The one HTTP client of the server's tests: a person (cookies and the
/// CSRF header) or a system (a key), talking to one server.
#[derive(Clone)]
pub struct Client {
    base: String,
    pub http: reqwest::Client,
    csrf: bool,
    key: Option<String>,
    forwarded_for: Option<String>,
}

impl Client {
    /// A person's client (cookies, CSRF header) for a server at `base`
    /// started some other way (the binary, in the crash test).
    #[allow(dead_code)] // tests/crash.rs
    pub fn person_at_base(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: client(),
            csrf: true,
            key: None,
            forwarded_for: None,
        }
    }

    /// The same server, as a system holding `secret`.
    #[allow(dead_code)] // tests/binary.rs
    /// A new person's client at another address, as a trusted proxy
    /// reports it (the server must trust 127.0.0.1 as a proxy).
    pub fn stranger_at(&self, address: &str) -> Client {
        Client {
            forwarded_for: Some(address.to_string()),
            ..Client::person_at_base(&self.base)
        }
    }

    #[allow(dead_code)] // tests/binary.rs
    /// The same person's session, forgetting the CSRF header (as a forged
    /// cross-site request would).
    pub fn without_csrf_header(&self) -> Client {
        Client {
            csrf: false,
            ..self.clone()
        }
    }

    #[allow(dead_code)] // tests/crash.rs
    pub fn with_key(&self, secret: &str) -> Client {
        Client {
            base: self.base.clone(),
            http: client(),
            csrf: false,
            key: Some(secret.to_string()),
            forwarded_for: None,
        }
    }

    /// Like `post`, but `None` when no answer came (a server being killed).
    #[allow(dead_code)] // tests/crash.rs
    pub async fn try_post(&self, path: &str, body: Value) -> Option<(StatusCode, Value)> {
        let mut req = self
            .http
            .post(format!("{}/api/v1{path}", self.base))
            .json(&body);
        if self.csrf {
            req = req.header("X-Requested-With", "keydesk");
        }
        let res = req.send().await.ok()?;
        let status = res.status();
        Some((status, res.json().await.ok()?))
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base));
        if self.csrf {
            req = req.header("X-Requested-With", "keydesk");
        }
        if let Some(key) = &self.key {
            req = req.bearer_auth(key);
        }
        if let Some(address) = &self.forwarded_for {
            req = req.header("X-Forwarded-For", address);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The same client (cookies and all) talking to another server, as a
    /// load balancer would send its next request to another replica.
    #[allow(dead_code)] // tests/replicas.rs
    pub fn to(&self, server: &TestServer) -> Client {
        Client {
            base: server.base.clone(),
            http: self.http.clone(),
            csrf: self.csrf,
            key: self.key.clone(),
            forwarded_for: self.forwarded_for.clone(),
        }
    }

    /// A GET's whole response, headers included.
    #[allow(dead_code)] // tests/replicas.rs
    pub async fn get_response(&self, path: &str) -> reqwest::Response {
        let mut req = self.http.get(format!("{}/api/v1{path}", self.base));
        if let Some(key) = &self.key {
            req = req.bearer_auth(key);
        }
        req.send().await.unwrap()
    }

    /// The server this client talks to, e.g. `http://127.0.0.1:4711`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Signs in with this e-mail and password; the answer as it came.
    pub async fn sign_in(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/auth/sign-in",
            json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    pub async fn me(&self) -> Me {
        let (status, body) = self.get("/me").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// Creates a key that must succeed.
    pub async fn create_key(&self, name: &str, roles: &[&str]) -> ApiKey {
        let (status, body) = self
            .post(
                "/api-keys",
                json!({"name": name, "description": "", "role_ids": roles}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// Generates (or regenerates) a key's secret; returns the response.
    pub async fn generate(&self, key_id: &str) -> GeneratedApiKey {
        let (status, body) = self
            .post(&format!("/api-keys/{key_id}/generate"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// Adds a person with these roles to the caller's organization, lets
    /// them join through their invitation link with [`PASSWORD`], and
    /// returns a client signed in as them.
    pub async fn add_person(&self, email: &str, roles: &[&str]) -> Client {
        let (status, body) = self
            .post(
                "/users",
                json!({"name": "Second Person", "email": email, "role_ids": roles}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"].as_str().unwrap().to_string();
        let token = self.invitation_token(&id).await;
        let other = Client {
            base: self.base.clone(),
            http: client(),
            csrf: true,
            key: None,
            forwarded_for: None,
        };
        let (status, body) = other
            .post(
                "/auth/accept-invitation",
                json!({"token": token, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        other
    }

    /// Creates a custom role that must succeed; returns its id.
    pub async fn create_role(&self, name: &str, permissions: &[&str]) -> String {
        let (status, body) = self
            .post(
                "/roles",
                json!({"name": name, "description": "", "permissions": permissions}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_string()
    }

    /// Adds a person without a password (invited); returns their id.
    pub async fn invite_person(&self, name: &str, email: &str, roles: &[&str]) -> String {
        let (status, body) = self
            .post(
                "/users",
                json!({"name": name, "email": email, "role_ids": roles}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["status"], "invited");
        body["id"].as_str().unwrap().to_string()
    }

    /// Issues an invitation link for the person `id`; returns its token.
    pub async fn invitation_token(&self, id: &str) -> String {
        let (status, body) = self
            .post(&format!("/users/{id}/invitation"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let url = body["url"].as_str().unwrap();
        let (_, token) = url
            .split_once("/invitation#")
            .expect("the token is in the fragment");
        token.to_string()
    }
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}
