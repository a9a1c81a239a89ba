//! One journey's world: a keydesk server on a new database, and chromedriver
//! with a headless Chromium of its own.

use fantoccini::ClientBuilder;
use keydesk_server::{Config, Running};
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::page::Page;

/// The server half, restartable on the same address and database (the
/// "server goes away mid-session" journey).
pub struct Server {
    pub config: Config,
    running: Option<Running>,
}

impl Server {
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.expect("server stops");
        }
    }

    pub async fn start(&mut self) {
        if self.running.is_none() {
            self.running = Some(
                keydesk_server::start(&self.config)
                    .await
                    .expect("server starts"),
            );
        }
    }
}

pub struct Stack {
    server: Arc<Mutex<Server>>,
    chromedriver: Child,
    profile: tempfile::TempDir,
    _data: tempfile::TempDir,
    page: Page,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Stack {
    pub async fn start(dist: &Path) -> Stack {
        let data = tempfile::tempdir().unwrap();
        let mut config = Config::local(
            format!("sqlite://{}", data.path().join("keydesk.db").display()),
            dist,
        );
        let running = keydesk_server::start(&config).await.expect("server starts");
        config.listen = running.addr.to_string();
        let base = format!("http://{}", running.addr);
        let server = Arc::new(Mutex::new(Server {
            config,
            running: Some(running),
        }));

        let port = free_port();
        let chromedriver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed by scripts/setup test");
        let driver = format!("http://127.0.0.1:{port}");
        wait_until_ready(&driver).await;

        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-quic",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"profile.content_settings.exceptions.clipboard": {"*": {"setting": 1}}}
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver)
            .await
            .expect("a browser session starts");
        let page = Page::new(browser, base, driver, server.clone());
        Stack {
            server,
            chromedriver,
            profile,
            _data: data,
            page,
        }
    }

    pub fn page(&self) -> Page {
        self.page.clone()
    }

    /// Ends the browser, chromedriver and the server, whatever state they are in.
    pub async fn stop(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.page.browser().close()).await;
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
        // A browser left behind by a crashed session is found by its profile folder.
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(self.profile.path())
            .status();
        self.server.lock().await.stop().await;
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
    }
}

async fn wait_until_ready(driver: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let http = reqwest::Client::new();
    while Instant::now() < deadline {
        if let Ok(res) = http.get(format!("{driver}/status")).send().await {
            if res.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start");
}
