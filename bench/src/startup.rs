//! The app in a real browser (headless Chromium over loopback): cold loads
//! of the sign-in page until its form accepts input and of the API Keys tab
//! with 100 keys until the table is rendered, each beside the same content
//! as a static HTML page from the same server (the floor), on loopback and
//! at 10 Mbit/s with 40 ms latency (Chromium's network emulation). Then what
//! a repeat visit downloads, and, with 10,000 keys, a search keystroke to
//! new results.

use keydesk_e2e::http::Person;
use keydesk_e2e::stack::{Browser, Stack};
use keydesk_e2e::Page;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::big_org::KEYS;
use crate::setup::{key_name, seed_keys, EMAIL, PASSWORD};
use crate::table::{Row, Target};

const RUNS: usize = 10;
/// Rows the API Keys tab shows at first (its page size).
const FIRST_ROWS: usize = 25;

/// Installed in every new document before its own scripts: notes when
/// the element the benchmark waits for (named in `window.name`, which
/// survives same-origin navigations) is first in the page and usable:
/// there, enabled, and painted (the page's stylesheets loaded: browsers
/// paint nothing before them, so nothing can be used).
/// With `fill`, it first signs in through the sign-in form the moment that
/// is usable (typing as a person would: a value and an input event).
const READY: &str = r#"(() => {
  let want; try { want = JSON.parse(window.name); } catch (e) { return; }
  if (!want || !want.css) return;
  let filled = !want.fill;
  const fill = () => {
    // As a person: once the page is parsed (nothing is painted before its
    // stylesheets anyway, and its scripts have run by then).
    if (document.readyState === 'loading') return;
    const email = document.querySelector('#sign-in-email');
    const password = document.querySelector('#sign-in-password');
    if (!email || !password) return;
    for (const [field, value] of [[email, want.fill.email], [password, want.fill.password]]) {
      field.value = value;
      field.dispatchEvent(new Event('input', { bubbles: true }));
    }
    document.querySelector('form button[type=submit]').click();
    filled = true;
  };
  const check = () => {
    if (!filled) { fill(); return false; }
    const found = document.querySelectorAll(want.css);
    const styled = [...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet);
    if (found.length >= want.count && !found[0].disabled && styled) {
      window.__readyAt = performance.now();
      return true;
    }
    return false;
  };
  const watch = new MutationObserver(() => { if (check()) watch.disconnect(); });
  watch.observe(document, { childList: true, subtree: true, attributes: true });
  const again = () => { if (check()) watch.disconnect(); };
  document.addEventListener('DOMContentLoaded', again);
  // A stylesheet arriving changes no element: its load event says so.
  document.addEventListener('load', again, true);
})();"#;

/// Chromium's network emulation, named.
#[derive(Clone, Copy)]
enum Network {
    Loopback,
    Slow,
}

impl Network {
    fn label(self) -> &'static str {
        match self {
            Network::Loopback => "loopback",
            Network::Slow => "10 Mbit/s, 40 ms",
        }
    }

    async fn apply(self, page: &Page) {
        let (latency, throughput) = match self {
            Network::Loopback => (0, -1),
            Network::Slow => (40, 1_250_000),
        };
        page.devtools(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": latency,
                   "downloadThroughput": throughput, "uploadThroughput": throughput}),
        )
        .await;
    }
}

async fn prepare(page: &Page) {
    page.devtools("Page.enable", json!({})).await;
    page.devtools("Network.enable", json!({})).await;
    page.devtools(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": READY}),
    )
    .await;
}

/// Median milliseconds from navigation start until `css` matches `count`
/// elements, over cold loads (nothing cached) of `path`.
async fn cold_load_ms(page: &Page, path: &str, css: &str, count: usize) -> f64 {
    page.devtools("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    let want = json!({"css": css, "count": count}).to_string();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        page.script(&format!("window.name = {}; return null", json!(want)))
            .await;
        page.goto(path).await;
        times.push(ready_at(page).await);
    }
    median(times)
}

/// Median milliseconds from a cold load of the sign-in page, signed out,
/// signing in the moment its form is usable, until the API Keys tab shows
/// its first page of keys. Each run is another person (sign-in attempts
/// are limited per person and address).
async fn cold_sign_in_ms(page: &Page, people: &[String]) -> f64 {
    page.devtools("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    let mut times = Vec::with_capacity(people.len());
    for email in people {
        page.devtools("Network.clearBrowserCookies", json!({}))
            .await;
        let want = json!({"css": "tr.key-row", "count": FIRST_ROWS,
                          "fill": {"email": email, "password": PASSWORD}});
        page.script(&format!(
            "window.name = {}; return null",
            json!(want.to_string())
        ))
        .await;
        page.goto("/sign-in").await;
        times.push(ready_at(page).await);
    }
    median(times)
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Opens the API Keys tab and waits for its first page of keys.
async fn open_api_keys(page: &Page) {
    page.goto("/api-keys").await;
    page.until("the first page of keys", || async {
        let rows = page
            .script("return document.querySelectorAll('tr.key-row').length")
            .await;
        (rows.as_u64() == Some(FIRST_ROWS as u64)).then_some(())
    })
    .await;
}

/// Requests a cold load of the API Keys tab makes until its keys show: the
/// page, its files and the API calls.
async fn cold_requests(page: &Page) -> Row {
    page.devtools("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    page.script("window.name = ''; return null").await;
    open_api_keys(page).await;
    let names = page
        .script(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)",
        )
        .await;
    let names: Vec<String> = serde_json::from_value(names).unwrap();
    let api = names.iter().filter(|n| n.starts_with("/api/")).count();
    Row {
        what: format!(
            "start-up: requests on a cold load of the API Keys tab ({} of them API calls, made beside /me)",
            api
        ),
        // The page itself, then everything it fetched.
        figure: 1.0 + names.len() as f64,
        floor: None,
        unit: "requests",
        target: Target::None,
    }
}

async fn ready_at(page: &Page) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(t) = page
            .script("return window.__readyAt ?? null")
            .await
            .as_f64()
        {
            return t;
        }
        if Instant::now() > deadline {
            let at = page
                .script("return location.pathname + ' waiting for ' + window.name")
                .await;
            panic!("the page never became ready: {at}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Writes the page as the app rendered it, without its scripts, as a static
/// page beside the app (compressed like the app's own files).
async fn snapshot(page: &Page, served: &Path, name: &str) -> String {
    let html = page
        .script(
            "const c = document.documentElement.cloneNode(true); \
             c.querySelectorAll('script, link[rel=modulepreload], link[rel=preload]').forEach(e => e.remove()); \
             return '<!doctype html>' + c.outerHTML;",
        )
        .await;
    let file = served.join(name);
    std::fs::write(&file, html.as_str().unwrap()).unwrap();
    for (tool, args) in [
        ("gzip", &["-9", "-k", "-n", "-f"][..]),
        ("brotli", &["-q", "11", "-k", "-f"][..]),
    ] {
        let ok = std::process::Command::new(tool)
            .args(args)
            .arg(&file)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "{tool} compresses the floor page");
    }
    format!("/{name}")
}

/// Copies a folder with its sub-folders (the wasm's parts have one).
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub async fn measure(dist: &Path) -> Vec<Row> {
    // A copy of the build, so the floor pages can be written beside the app.
    let served = tempfile::tempdir().unwrap();
    copy_dir(dist, served.path());
    let stack = Stack::start(served.path(), Browser::Chromium, "127.0.0.1").await;
    let rows = measure_with(&stack.page(), served.path()).await;
    stack.stop().await;
    rows
}

async fn measure_with(page: &Page, served: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    // Signed out, in a browser of its own: the sign-in page.
    let visitor = page.another_browser().await;
    prepare(&visitor).await;
    visitor.goto("/sign-in").await;
    visitor.wait_for("#sign-in-email").await;
    let sign_in_floor = snapshot(&visitor, served, "floor-sign-in.html").await;

    // Signed in, with 100 keys: the API Keys tab.
    prepare(page).await;
    page.sign_up("Acme", EMAIL, PASSWORD).await;
    let admin = Person::sign_in(&page.base, EMAIL, PASSWORD).await;
    let me = serde_json::from_value(admin.get("/me").await.1).unwrap();
    let storage = page.storage().await;
    seed_keys(&storage, &me, 0..100).await;
    open_api_keys(page).await;
    let keys_floor = snapshot(page, served, "floor-api-keys.html").await;

    // People to sign in as, one per run and network.
    let mut people = Vec::new();
    for n in 0..2 * RUNS {
        let email = format!("reader{n}@acme.io");
        admin
            .add_joined(&format!("Reader {n}"), &email, PASSWORD, &["admin"])
            .await;
        people.push(email);
    }

    let form = "#sign-in-email";
    // The app's own form, once it has taken the page's over.
    let taken_over = "main:not([data-first-screen]) #sign-in-email";
    let table = "tr.key-row";
    for (network, people) in [Network::Loopback, Network::Slow]
        .into_iter()
        .zip(people.chunks(RUNS))
    {
        network.apply(&visitor).await;
        network.apply(page).await;
        let floor = cold_load_ms(&visitor, &sign_in_floor, form, 1).await;
        let app = cold_load_ms(&visitor, "/sign-in", form, 1).await;
        rows.push(Row {
            what: format!(
                "start-up: sign-in form usable, {} (median of {RUNS}; floor: a static page of the same content)",
                network.label()
            ),
            figure: app,
            floor: Some(floor),
            unit: "ms",
            target: Target::RatioAtMost(1.5),
        });
        let app = cold_load_ms(&visitor, "/sign-in", taken_over, 1).await;
        rows.push(Row {
            what: format!(
                "start-up: the app has taken the sign-in form over, {} (median of {RUNS})",
                network.label()
            ),
            figure: app,
            floor: Some(floor),
            unit: "ms",
            target: Target::None,
        });
        let app = cold_sign_in_ms(page, people).await;
        rows.push(Row {
            what: format!(
                "start-up: signed in, submitting the moment the form is usable, until the API Keys tab shows 100 keys, {} (median of {RUNS})",
                network.label()
            ),
            figure: app,
            floor: None,
            unit: "ms",
            target: Target::None,
        });
        // Signed in now (as the last of those people, an admin too): the tab's own start-up.
        let app = cold_load_ms(page, "/api-keys", table, FIRST_ROWS).await;
        let floor = cold_load_ms(page, &keys_floor, table, FIRST_ROWS).await;
        rows.push(Row {
            what: format!(
                "start-up: API Keys tab, 100 keys, {} (median of {RUNS})",
                network.label()
            ),
            figure: app,
            floor: Some(floor),
            unit: "ms",
            target: Target::RatioAtMost(2.5),
        });
        if matches!(network, Network::Loopback) {
            rows.push(cold_requests(page).await);
        }
    }
    Network::Loopback.apply(page).await;
    rows.push(repeat_visit(page).await);

    // 10,000 keys: a search keystroke until the table shows the new results.
    seed_keys(&storage, &me, 100..KEYS).await;
    rows.push(search_keystroke(page).await);
    rows
}

/// Bytes of the app (not its API calls) a first and a repeat visit download.
async fn repeat_visit(page: &Page) -> Row {
    page.devtools("Network.setCacheDisabled", json!({"cacheDisabled": false}))
        .await;
    page.devtools("Network.clearBrowserCache", json!({})).await;
    let transferred = "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')) \
        .filter(e => !e.name.includes('/api/')).reduce((n, e) => n + e.transferSize, 0)";
    page.goto("/api-keys").await;
    page.wait_for("tr.key-row").await;
    let first = page.script(transferred).await.as_f64().unwrap();
    page.goto("/api-keys").await;
    page.wait_for("tr.key-row").await;
    let repeat = page.script(transferred).await.as_f64().unwrap();
    Row {
        what: format!(
            "delivery: a repeat visit downloads (first visit {:.1} KB)",
            first / 1024.0
        ),
        figure: repeat / 1024.0,
        floor: None,
        unit: "KB",
        // index.html revalidated (a 304, or the page itself): about a kilobyte.
        target: Target::AtMost(2.0),
    }
}

/// Median milliseconds from typing a key's name into the search box until
/// the table shows only that key.
async fn search_keystroke(page: &Page) -> Row {
    page.goto("/api-keys").await;
    page.wait_for("#key-search").await;
    page.wait_for("tr.key-row").await;
    let js = "const [name, done] = arguments; \
        const input = document.querySelector('#key-search'); \
        const started = performance.now(); \
        input.value = name; input.dispatchEvent(new Event('input', { bubbles: true })); \
        const check = () => { const rows = document.querySelectorAll('tr.key-row'); \
          if (rows.length === 1 && rows[0].dataset.keyName === name) done(performance.now() - started); \
          else requestAnimationFrame(check); }; check();";
    let mut times = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        // Names seeded with index ≡ 4 (mod 8) are Ledger_…: one match each.
        let name = key_name(8 * (run * 97 + 1) + 4);
        let t = page
            .browser()
            .execute_async(js, vec![name.into()])
            .await
            .unwrap();
        times.push(t.as_f64().unwrap());
    }
    times.sort_by(f64::total_cmp);
    Row {
        what: format!(
            "{KEYS} keys: search keystroke to new results in the browser (median of {RUNS})"
        ),
        figure: times[RUNS / 2],
        floor: None,
        unit: "ms",
        target: Target::AtMost(100.0),
    }
}
