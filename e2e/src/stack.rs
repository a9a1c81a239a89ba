//! One journey's world: a keydesk server on a new database, and a WebDriver
//! (chromedriver or geckodriver) with a headless browser of its own.

use fantoccini::ClientBuilder;
use keydesk_server::{Config, Running};
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::page::{OtherBrowsers, Page};

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

    /// The running server's own storage.
    pub fn storage(&self) -> Option<keydesk_server::storage::Storage> {
        self.running.as_ref().map(|r| r.storage().clone())
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

/// Which real browser drives a journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Debian's Chromium through its chromedriver.
    Chromium,
    /// Firefox ESR through geckodriver (both installed by scripts/setup test).
    Firefox,
}

impl Browser {
    fn driver(self, port: u16) -> Command {
        let mut command = match self {
            Browser::Chromium => {
                let mut c = Command::new("/usr/bin/chromedriver");
                c.arg(format!("--port={port}"));
                c
            }
            Browser::Firefox => {
                let mut c = Command::new("geckodriver");
                c.args(["--port", &port.to_string(), "--log", "error"]);
                c
            }
        };
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command
    }

    pub(crate) fn capabilities(self, profile: &Path) -> serde_json::Map<String, serde_json::Value> {
        let mut caps = serde_json::Map::new();
        match self {
            Browser::Chromium => {
                caps.insert(
                    "goog:chromeOptions".into(),
                    json!({
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                            "--window-size=1280,900", "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--disable-quic",
                            format!("--user-data-dir={}", profile.display()),
                        ],
                        "prefs": {"profile.content_settings.exceptions.clipboard": {"*": {"setting": 1}}}
                    }),
                );
                caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
            }
            Browser::Firefox => {
                caps.insert("browserName".into(), json!("firefox"));
                caps.insert(
                    "moz:firefoxOptions".into(),
                    json!({
                        "binary": "/usr/bin/firefox-esr",
                        "args": ["-headless", "-width", "1280", "-height", "900",
                                 "-profile", profile.display().to_string()],
                        // Nothing but the page under test may use the network.
                        "prefs": {
                            "app.update.enabled": false,
                            "browser.safebrowsing.malware.enabled": false,
                            "browser.safebrowsing.phishing.enabled": false,
                            "network.captive-portal-service.enabled": false,
                            "network.connectivity-service.enabled": false,
                            "datareporting.policy.dataSubmissionEnabled": false,
                            "toolkit.telemetry.enabled": false
                        }
                    }),
                );
            }
        }
        caps
    }
}

pub struct Stack {
    server: Arc<Mutex<Server>>,
    driver_process: Child,
    profile: tempfile::TempDir,
    _data: tempfile::TempDir,
    page: Page,
    others: OtherBrowsers,
}

/// A new browser session through the driver at `driver`, in `profile`.
pub(crate) async fn connect(driver: &str, browser: Browser, profile: &Path) -> fantoccini::Client {
    ClientBuilder::new(crate::driver_connection::OneConnectionPerCommand::new())
        .capabilities(browser.capabilities(profile))
        .connect(driver)
        .await
        .expect("a browser session starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Stack {
    /// A server and a browser; the browser reaches the server at `host`
    /// (`127.0.0.1`, or `localhost` where browsers allow WebAuthn), which is
    /// also the public URL keydesk builds links and passkeys for.
    pub async fn start(dist: &Path, browser: Browser, host: &str) -> Stack {
        let data = tempfile::tempdir().unwrap();
        let mut config = Config::local(
            format!("sqlite://{}", data.path().join("keydesk.db").display()),
            dist,
        );
        // The journeys browse http://127.0.0.1 (cookie rules hold there) or
        // http://localhost, so links keydesk builds must point there too.
        let port = free_port();
        config.listen = format!("127.0.0.1:{port}");
        config.public_url = Some(format!("http://{host}:{port}"));
        // Event destinations: the journeys' receivers listen on 127.0.0.1.
        config.allow_private_destinations = true;
        let running = keydesk_server::start(&config).await.expect("server starts");
        config.listen = running.addr.to_string();
        let base = format!("http://{host}:{}", running.addr.port());
        let server = Arc::new(Mutex::new(Server {
            config,
            running: Some(running),
        }));

        let port = free_port();
        let driver_process = browser
            .driver(port)
            .spawn()
            .expect("the browser's driver is installed by scripts/setup test");
        let driver = format!("http://127.0.0.1:{port}");
        wait_until_ready(&driver).await;

        let profile = tempfile::tempdir().unwrap();
        let client = connect(&driver, browser, profile.path()).await;
        let others = OtherBrowsers::default();
        let page = Page::new(
            client,
            base,
            driver,
            server.clone(),
            browser,
            others.clone(),
        );
        Stack {
            server,
            driver_process,
            profile,
            _data: data,
            page,
            others,
        }
    }

    pub fn page(&self) -> Page {
        self.page.clone()
    }

    /// Ends the browser, its driver and the server, whatever state they are in.
    pub async fn stop(mut self) {
        for (other, profile) in self.others.lock().await.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(10), other.close()).await;
            let _ = Command::new("pkill").arg("-f").arg(profile.path()).status();
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.page.browser().close()).await;
        let _ = self.driver_process.kill();
        let _ = self.driver_process.wait();
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
        let _ = self.driver_process.kill();
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
