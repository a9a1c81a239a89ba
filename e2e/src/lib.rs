//! End-to-end harness: builds the release web app once, then for each
//! journey starts the real server on a free port with a new SQLite file,
//! starts chromedriver and a headless Chromium, hands the journey a
//! [`Page`], and stops everything afterwards, also when the journey fails.
//! A failed journey leaves a screenshot and the browser console in
//! `e2e-artifacts/<journey>/`.

pub mod accessibility;
pub mod app_build;
mod driver_connection;
pub mod http;
pub mod page;
pub mod stack;

pub use page::Page;
pub use stack::Browser;

use std::future::Future;
use std::path::PathBuf;

/// The repository root (the e2e crate lives one level down).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Where failed journeys leave their screenshot and console log.
pub fn artifacts_root() -> PathBuf {
    repo_root().join("e2e-artifacts")
}

/// Runs one journey on its own server and headless Chromium.
pub async fn journey<F, Fut>(name: &str, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    journey_in(Browser::Chromium, name, body).await
}

/// Runs one journey on its own server and the given browser.
pub async fn journey_in<F, Fut>(browser: Browser, name: &str, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    journey_at(browser, "127.0.0.1", name, body).await
}

/// Runs one journey with the browser at `http://localhost`: browsers refuse
/// WebAuthn on an IP-address origin, so passkey journeys run there.
pub async fn journey_on_localhost<F, Fut>(browser: Browser, name: &str, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    journey_at(browser, "localhost", name, body).await
}

async fn journey_at<F, Fut>(browser: Browser, host: &str, name: &str, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dist = app_build::release_app();
    let stack = stack::Stack::start(&dist, browser, host).await;
    let page = stack.page();
    // A panicking journey is caught here so the browser can still be asked
    // for a screenshot and its console before everything is torn down.
    let outcome = tokio::spawn(body(page.clone())).await;
    if let Err(failure) = &outcome {
        let folder = artifacts_root().join(name);
        page.save_artifacts(&folder).await;
        eprintln!(
            "journey {name} failed ({failure}); screenshot and console log in {}",
            folder.display()
        );
    }
    stack.stop().await;
    if let Err(failure) = outcome {
        if failure.is_panic() {
            std::panic::resume_unwind(failure.into_panic());
        }
        panic!("journey {name} did not finish: {failure}");
    }
}
