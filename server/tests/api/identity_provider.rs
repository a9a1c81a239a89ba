//! A real OpenID provider for the single sign-on tests: oidc-provider from
//! npm (OpenID Certified), run by `tools/test-oidc-provider.mjs` on a free
//! port with the client and the accounts each test chooses. Stopped when
//! dropped.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct IdentityProvider {
    pub issuer: String,
    child: Child,
}

pub const CLIENT_ID: &str = "keydesk";
pub const CLIENT_SECRET: &str = "provider-given-secret-4242";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl IdentityProvider {
    /// A provider that knows keydesk at `redirect_uri` (and `others`, more
    /// clients as `(client_id, redirect_uri)`).
    pub fn start(redirect_uri: &str) -> Self {
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        let config = json!({
            "port": free_port(),
            "clients": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect_uri]}],
        });
        let mut child = Command::new("node")
            .arg(repo.join("tools/test-oidc-provider.mjs"))
            .arg(config.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (scripts/setup installs it and oidc-provider)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let issuer = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
            .to_string();
        IdentityProvider { issuer, child }
    }

    /// Creates or replaces an account with these claims (`sub` among them).
    pub async fn account(&self, claims: Value) {
        let res = reqwest::Client::new()
            .post(format!("{}/_test/account", self.issuer))
            .json(&claims)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// Makes the token endpoint answer with a doctored ID token (`None`: honestly).
    pub async fn tamper(&self, mode: Option<&str>) {
        reqwest::Client::new()
            .post(format!("{}/_test/tamper", self.issuer))
            .json(&json!({ "mode": mode }))
            .send()
            .await
            .unwrap();
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser: keeps cookies, follows no redirect by itself (the test walks
/// the flow, so it can stop, replay or alter a step).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follows redirects from `url` until an answer is not one; returns the
/// last URL asked and its answer. `stop_at` stops before asking a URL that
/// starts with it (to hold a callback back).
pub async fn follow(
    browser: &reqwest::Client,
    mut url: String,
    stop_at: Option<&str>,
) -> (String, reqwest::Response) {
    for _ in 0..10 {
        let res = browser.get(&url).send().await.unwrap();
        if !res.status().is_redirection() {
            return (url, res);
        }
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let next = reqwest::Url::parse(&url)
            .unwrap()
            .join(&location)
            .unwrap()
            .to_string();
        if stop_at.is_some_and(|s| next.starts_with(s)) {
            return (next, res);
        }
        url = next;
    }
    panic!("too many redirects from {url}");
}

/// Signs `login` in at the provider's form (at `form_url`); returns the
/// URL the provider sends the browser on to (keydesk's callback).
pub async fn log_in_at_provider(browser: &reqwest::Client, form_url: &str, login: &str) -> String {
    let res = browser
        .post(form_url)
        .form(&[("login", login)])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_redirection(),
        "the provider took the login: {}",
        res.status()
    );
    let location = res.headers()["location"].to_str().unwrap();
    let resume = reqwest::Url::parse(form_url)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string();
    // The provider resumes the authorization and redirects to the client.
    let res = browser.get(&resume).send().await.unwrap();
    assert!(
        res.status().is_redirection(),
        "the provider resumed: {}",
        res.status()
    );
    let location = res.headers()["location"].to_str().unwrap();
    reqwest::Url::parse(&resume)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}
