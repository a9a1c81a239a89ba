//! The world a benchmark measures: the release web app served by the real
//! server (built in this profile) on a fresh SQLite file, an organization
//! signed up over HTTP, and keys seeded through the storage layer.

use keydesk_contract::types::{Actor, ActorKind, Me};
use keydesk_contract::validation::ValidNewKey;
use keydesk_e2e::http::Person;
use keydesk_server::storage::{Author, Storage};
use keydesk_server::Config;
use serde_json::{json, Value};
use std::path::Path;

pub const PASSWORD: &str = "correct horse battery staple";
pub const EMAIL: &str = "ada@acme.io";

pub struct Running {
    pub base: String,
    /// Signed in as the organization's admin.
    pub admin: Person,
    server: Option<keydesk_server::Running>,
    _data: tempfile::TempDir,
}

impl Running {
    /// Starts a server on `dist` and signs up an organization.
    pub async fn start(dist: &Path) -> Running {
        Self::start_with(dist, |_| {}).await
    }

    /// Like [`Running::start`], with settings `adjust` changes.
    pub async fn start_with(dist: &Path, adjust: impl FnOnce(&mut Config)) -> Running {
        // Memory-backed when the machine has one: the figures are about
        // keydesk, not about this disk's fsync.
        let data = match Path::new("/dev/shm").is_dir() {
            true => tempfile::tempdir_in("/dev/shm").unwrap(),
            false => tempfile::tempdir().unwrap(),
        };
        let database_url = format!("sqlite://{}", data.path().join("keydesk.db").display());
        let mut config = Config::local(database_url.clone(), dist);
        adjust(&mut config);
        let server = keydesk_server::start(&config).await.expect("server starts");
        let base = format!("http://{}", server.addr);
        let admin = Person::sign_up(&base, "Acme", EMAIL, PASSWORD).await;
        Running {
            base,
            admin,
            server: Some(server),
            _data: data,
        }
    }

    /// A POST that must succeed; its answer.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.admin.post(path, body).await;
        assert!(status.is_success(), "{path}: {status} {answer}");
        answer
    }

    /// A new key's secret.
    pub async fn key_secret(&self) -> String {
        let key = self
            .post(
                "/api-keys",
                json!({"name": "Bench_Key", "role_ids": ["developer"]}),
            )
            .await;
        let id = key["id"].as_str().unwrap();
        let generated = self
            .post(&format!("/api-keys/{id}/generate"), json!({}))
            .await;
        generated["secret"].as_str().unwrap().to_string()
    }

    /// The running server's own storage (to seed keys through).
    pub fn storage(&self) -> &Storage {
        self.server.as_ref().expect("running").storage()
    }

    /// The signed-in admin as `GET /me` shows them.
    pub async fn me(&self) -> Me {
        serde_json::from_value(self.admin.get("/me").await.1).unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await.unwrap();
        }
    }
}

/// Adds the keys numbered `range` to `me`'s organization through the storage
/// layer (as them), named after a few systems so searches find some of them:
/// `Billing_00000`, `Renderer_00001`, ….
pub async fn seed_keys(storage: &Storage, me: &Me, range: std::ops::Range<usize>) {
    let actor = Actor {
        kind: ActorKind::User,
        id: me.user.id.clone(),
        name: me.user.name.clone(),
    };
    let author = Author {
        organization_id: &me.organization.id,
        actor: &actor,
    };
    const ROLES: [&str; 3] = ["document-viewer", "billing-reader", "developer"];
    for i in range {
        let key = ValidNewKey {
            name: key_name(i),
            description: format!("Seeded key {i} for the benchmark"),
            role_ids: vec![ROLES[i % ROLES.len()].to_string()],
            expires_in_days: None,
            decoy: false,
        };
        storage.create_key(author, &key, None).await.unwrap();
    }
}

/// The name of the `i`th seeded key.
pub fn key_name(i: usize) -> String {
    const SYSTEMS: [&str; 8] = [
        "Billing", "Renderer", "Archive", "Mailer", "Ledger", "Search", "Export", "Intake",
    ];
    format!("{}_{i:05}", SYSTEMS[i % SYSTEMS.len()])
}
