//! The browser, as a person uses it: go to a page, type, click buttons by
//! their words, wait for what should appear. Every wait has a deadline so a
//! broken feature fails instead of hanging.

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::stack::{Browser, Server};

/// Browsers opened during a journey besides the first, with their profile
/// folders, so the stack can end them too.
pub(crate) type OtherBrowsers = Arc<Mutex<Vec<(Client, tempfile::TempDir)>>>;

/// How long anything may take to appear.
const PATIENCE: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

#[derive(Clone)]
pub struct Page {
    browser: Client,
    /// e.g. `http://127.0.0.1:41234`
    pub base: String,
    driver: String,
    server: Arc<Mutex<Server>>,
    kind: Browser,
    others: OtherBrowsers,
}

impl Page {
    pub(crate) fn new(
        browser: Client,
        base: String,
        driver: String,
        server: Arc<Mutex<Server>>,
        kind: Browser,
        others: OtherBrowsers,
    ) -> Self {
        Page {
            browser,
            base,
            driver,
            server,
            kind,
            others,
        }
    }

    /// A second browser of the same kind on the same server, with a profile
    /// (cookies, storage) of its own: another person at another computer.
    /// It is ended with the journey.
    pub async fn another_browser(&self) -> Page {
        let profile = tempfile::tempdir().unwrap();
        let client = crate::stack::connect(&self.driver, self.kind, profile.path()).await;
        self.others.lock().await.push((client.clone(), profile));
        Page::new(
            client,
            self.base.clone(),
            self.driver.clone(),
            self.server.clone(),
            self.kind,
            self.others.clone(),
        )
    }

    pub fn browser(&self) -> Client {
        self.browser.clone()
    }

    pub async fn goto(&self, path: &str) {
        self.browser
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn reload(&self) {
        self.browser.refresh().await.unwrap();
    }

    pub async fn back(&self) {
        self.browser.back().await.unwrap();
    }

    /// The current path and query, e.g. `/sign-in?next=%2Froles`.
    pub async fn path(&self) -> String {
        let url = self.browser.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Polls `check` until it answers `Some`, or fails after the deadline saying `what`.
    pub async fn until<T, F, Fut>(&self, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(v) = check().await {
                return v;
            }
            if Instant::now() > deadline {
                panic!("gave up waiting for {what}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_for(&self, css: &str) -> Element {
        self.until(&format!("{css} to appear"), || async {
            self.browser.find(Locator::Css(css)).await.ok()
        })
        .await
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.browser.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn wait_gone(&self, css: &str) {
        self.until(&format!("{css} to go away"), || async {
            (!self.exists(css).await).then_some(())
        })
        .await
    }

    /// All the text the page shows.
    pub async fn body_text(&self) -> String {
        match self.browser.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn wait_text(&self, text: &str) {
        self.until(&format!("the text {text:?}"), || async {
            self.body_text().await.contains(text).then_some(())
        })
        .await
    }

    pub async fn wait_path(&self, path: &str) {
        self.until(&format!("the address {path}"), || async {
            (self.path().await == path).then_some(())
        })
        .await
    }

    /// Replaces the content of an input or text area, typing as a person does.
    /// A field replaced while being typed into (the sign-in page's own form
    /// when the app takes it over) is typed into again.
    pub async fn fill(&self, css: &str, text: &str) {
        self.until(&format!("{css} to be filled in"), || async {
            let field = self.browser.find(Locator::Css(css)).await.ok()?;
            clicked(field.clear().await)?;
            if !text.is_empty() {
                clicked(field.send_keys(text).await)?;
            }
            Some(())
        })
        .await
    }

    /// The value of the field `css` selects. A field re-rendered between
    /// finding and reading it is found afresh.
    pub async fn value(&self, css: &str) -> String {
        self.until(&format!("the value of {css}"), || async {
            let field = self.browser.find(Locator::Css(css)).await.ok()?;
            not_stale(field.prop("value").await).map(Option::unwrap_or_default)
        })
        .await
    }

    /// The text of the element `css` selects. A list that re-renders between
    /// finding and reading replaces it: then it is found afresh.
    pub async fn text(&self, css: &str) -> String {
        self.until(&format!("the text of {css}"), || async {
            let element = self.browser.find(Locator::Css(css)).await.ok()?;
            not_stale(element.text().await)
        })
        .await
    }

    /// Clicks the element `css` selects. A list that re-renders between
    /// finding and clicking replaces it (a stale element, never clicked):
    /// then it is found afresh and clicked again.
    pub async fn click(&self, css: &str) {
        self.until(&format!("{css} to be clicked"), || async {
            let element = self.browser.find(Locator::Css(css)).await.ok()?;
            clicked(element.click().await)
        })
        .await
    }

    /// The button whose visible words are exactly `label`.
    pub async fn button(&self, label: &str) -> Element {
        let xpath = format!("//button[normalize-space(.)='{label}']");
        self.until(&format!("a button {label:?}"), || async {
            self.browser.find(Locator::XPath(&xpath)).await.ok()
        })
        .await
    }

    pub async fn click_button(&self, label: &str) {
        let xpath = format!("//button[normalize-space(.)='{label}']");
        // Found afresh on every poll: a list that re-renders replaces its
        // buttons, and an element found before that is gone for good.
        self.until(
            &format!("button {label:?} to be enabled and clicked"),
            || async {
                let button = self.browser.find(Locator::XPath(&xpath)).await.ok()?;
                if !button.is_enabled().await.unwrap_or(false) {
                    return None;
                }
                clicked(button.click().await)
            },
        )
        .await
    }

    /// Whether the element `css` selects is enabled, found afresh if the
    /// page re-rendered it between finding and asking.
    pub async fn is_enabled(&self, css: &str) -> bool {
        self.until(&format!("{css} to say whether it is enabled"), || async {
            let element = self.browser.find(Locator::Css(css)).await.ok()?;
            not_stale(element.is_enabled().await)
        })
        .await
    }

    /// Whether the button whose visible words are exactly `label` is enabled.
    pub async fn is_button_enabled(&self, label: &str) -> bool {
        let xpath = format!("//button[normalize-space(.)='{label}']");
        self.until(
            &format!("button {label:?} to say whether it is enabled"),
            || async {
                let button = self.browser.find(Locator::XPath(&xpath)).await.ok()?;
                not_stale(button.is_enabled().await)
            },
        )
        .await
    }

    /// Presses Escape in whatever has focus.
    pub async fn press_escape(&self) {
        let focused = self.browser.active_element().await.unwrap();
        focused.send_keys("\u{E00C}").await.unwrap();
    }

    /// Sends a DevTools command to the page (Chromium only), e.g.
    /// `Network.setCacheDisabled`, and returns its result; its effect lasts
    /// across navigations.
    pub async fn devtools(&self, command: &str, params: serde_json::Value) -> serde_json::Value {
        let session = self.browser.session_id().await.unwrap().unwrap();
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver);
        let answer = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"cmd": command, "params": params}))
            .send()
            .await
            .unwrap();
        assert!(
            answer.status().is_success(),
            "{command}: {}",
            answer.status()
        );
        answer.json::<serde_json::Value>().await.unwrap()["value"].take()
    }

    /// Gives the browser a virtual passkey authenticator (WebDriver's
    /// WebAuthn extension): platform-attached, with resident keys and user
    /// verification, consenting and verified. Returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let session = self.browser.session_id().await.unwrap().unwrap();
        let url = format!("{}/session/{session}/webauthn/authenticator", self.driver);
        let answer = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserConsenting": true,
                "isUserVerified": true,
            }))
            .send()
            .await
            .unwrap();
        let status = answer.status();
        let body: serde_json::Value = answer.json().await.unwrap();
        assert!(
            status.is_success(),
            "virtual authenticator: {status} {body}"
        );
        body["value"].as_str().unwrap().to_string()
    }

    /// The credentials a virtual authenticator holds.
    pub async fn authenticator_credentials(&self, authenticator: &str) -> Vec<serde_json::Value> {
        let session = self.browser.session_id().await.unwrap().unwrap();
        let url = format!(
            "{}/session/{session}/webauthn/authenticator/{authenticator}/credentials",
            self.driver
        );
        let answer: serde_json::Value = reqwest::Client::new()
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["value"].as_array().cloned().unwrap_or_default()
    }

    /// The running server's own storage (for seeding through the storage
    /// layer: a second process or pool on its SQLite file is refused).
    pub async fn storage(&self) -> keydesk_server::storage::Storage {
        self.server
            .lock()
            .await
            .storage()
            .expect("the server is running")
    }

    /// Runs a script in the page and returns what it returns.
    pub async fn script(&self, js: &str) -> serde_json::Value {
        self.browser.execute(js, vec![]).await.unwrap()
    }

    pub async fn stop_server(&self) {
        self.server.lock().await.stop().await;
    }

    pub async fn start_server(&self) {
        self.server.lock().await.start().await;
    }

    /// Signs up through the screens; ends on the API Keys tab.
    pub async fn sign_up(&self, organization: &str, email: &str, password: &str) {
        self.goto("/sign-up").await;
        self.fill("#sign-up-organization", organization).await;
        self.fill("#sign-up-name", "Ada Admin").await;
        self.fill("#sign-up-email", email).await;
        self.fill("#sign-up-password", password).await;
        self.click_button("Create organization").await;
        self.wait_path("/api-keys").await;
        self.wait_text("API Keys").await;
    }

    pub async fn sign_in(&self, email: &str, password: &str) {
        self.fill("#sign-in-email", email).await;
        self.fill("#sign-in-password", password).await;
        self.click_button("Sign in").await;
    }

    /// Leaves a screenshot and the browser console in `folder`.
    pub async fn save_artifacts(&self, folder: &Path) {
        let _ = std::fs::create_dir_all(folder);
        if let Ok(png) = self.browser.screenshot().await {
            let _ = std::fs::write(folder.join("screenshot.png"), png);
        }
        let log = self.console_log().await;
        let _ = std::fs::write(folder.join("console.log"), log);
    }

    /// Content-Security-Policy violations the browser reported on its console
    /// since the last call (Chromium logs each as "Refused to ...").
    pub async fn csp_violations(&self) -> Vec<String> {
        self.console_log()
            .await
            .lines()
            .filter(|l| l.contains("Content Security Policy") || l.contains("Refused to"))
            .map(String::from)
            .collect()
    }

    /// The browser console since the last call, through chromedriver's log endpoint.
    async fn console_log(&self) -> String {
        let Ok(Some(session)) = self.browser.session_id().await else {
            return String::new();
        };
        let url = format!("{}/session/{session}/se/log", self.driver);
        let answer = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"type": "browser"}))
            .send()
            .await;
        let Ok(answer) = answer else {
            return String::new();
        };
        let body: serde_json::Value = answer.json().await.unwrap_or_default();
        body["value"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["level"].as_str().unwrap_or(""),
                            e["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }
}

/// A click's (or a keystroke's) outcome for a poll: done, or (element
/// replaced before it landed) try again; any other failure ends the journey.
fn clicked(result: Result<(), fantoccini::error::CmdError>) -> Option<()> {
    not_stale(result)
}

/// What an action on an element gave, or `None` when the element had been
/// replaced (stale) so the caller finds it afresh; any other error fails.
fn not_stale<T>(result: Result<T, fantoccini::error::CmdError>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(fantoccini::error::CmdError::Standard(e))
            if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
        {
            None
        }
        Err(e) => panic!("the browser refused: {e}"),
    }
}
