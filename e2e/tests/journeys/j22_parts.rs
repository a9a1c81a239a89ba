//! The app's wasm comes in parts (src/parts.rs): every screen of a lazy part
//! works reached by its address (a cold load: the part is fetched then) and
//! by navigation (the part already here, or fetched on the first click), in
//! Chromium and Firefox; and the sign-in page's own form, filled in as soon
//! as it shows, signs in.

use keydesk_e2e::{journey, journey_in, Browser, Page};

use crate::steps::*;

/// Every signed-in screen: its address, the heading it shows.
const SIGNED_IN: &[(&str, &str)] = &[
    ("/api-keys", "API Keys"),
    ("/people", "People"),
    ("/inventory", "Inventory"),
    ("/roles", "Roles"),
    ("/audit", "Audit trail"),
    ("/settings", "Settings"),
    ("/account", "My account"),
];

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_of_every_part_opens_by_address_and_by_navigation_in_chromium() {
    journey("j22_parts_chromium", every_screen).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_of_every_part_opens_by_address_and_by_navigation_in_firefox() {
    journey_in(Browser::Firefox, "j22_parts_firefox", every_screen).await;
}

async fn heading_is(page: &Page, text: &str) {
    page.until(&format!("the heading {text:?}"), || async {
        let shown = page
            .script("return document.querySelector('h1')?.textContent ?? null")
            .await;
        (shown.as_str() == Some(text)).then_some(())
    })
    .await;
}

/// How many times the part with `file` in its name was fetched by this document.
async fn fetched(page: &Page, file: &str) -> u64 {
    page.script(&format!(
        "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/{file}')).length"
    ))
    .await
    .as_u64()
    .unwrap()
}

async fn every_screen(page: Page) {
    // Signed out, the sign-up/join part: by address, then by the link on
    // the sign-in page (whose form is the page's own until the app starts).
    page.goto("/sign-up").await;
    heading_is(&page, "Create organization").await;
    page.goto("/invitation?token=unknown").await;
    heading_is(&page, "Join your team").await;
    page.goto("/sign-in").await;
    heading_is(&page, "Sign in").await;
    page.click("a[href='/sign-up']").await;
    heading_is(&page, "Create organization").await;

    // By navigation: the signed-in part arrives once, with the first screen.
    signed_up(&page).await;
    heading_is(&page, "API Keys").await;
    for (path, heading) in SIGNED_IN.iter().skip(1).chain(SIGNED_IN.iter().take(1)) {
        page.click(&format!("a[href='{path}']")).await;
        page.wait_path(path).await;
        heading_is(&page, heading).await;
    }
    assert_eq!(fetched(&page, "split_signed_in.wasm").await, 1);

    // By address: each a cold start of the app, fetching the part again.
    for (path, heading) in SIGNED_IN {
        page.goto(path).await;
        heading_is(&page, heading).await;
        assert_eq!(fetched(&page, "split_signed_in.wasm").await, 1, "{path}");
    }

    // A cold start on API Keys asks for the keys and the roles beside
    // `/me`, not after its answer, and for each only once.
    page.goto("/api-keys").await;
    heading_is(&page, "API Keys").await;
    page.wait_text("No API keys yet").await;
    let timing = page
        .script(
            "const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/')); \
             const of = (path) => api.filter(e => new URL(e.name).pathname === '/api/v1' + path); \
             return { me: of('/me').map(e => e.responseEnd), keys: of('/api-keys').map(e => e.startTime), \
                      roles: of('/roles').map(e => e.startTime) };",
        )
        .await;
    let first = |name: &str| -> Vec<f64> { serde_json::from_value(timing[name].clone()).unwrap() };
    let (me, keys, roles) = (first("me"), first("keys"), first("roles"));
    assert_eq!((me.len(), keys.len(), roles.len()), (1, 1, 1), "{timing}");
    assert!(
        keys[0] < me[0] && roles[0] < me[0],
        "sent before /me answered: {timing}"
    );

    // Signed out, straight to the sign-in page, typing the moment its form
    // shows (before the app may have started): signed in, on API Keys.
    page.click_button("Sign out").await;
    page.wait_path("/sign-in").await;
    page.goto("/sign-in").await;
    page.fill("#sign-in-email", "ada@acme.io").await;
    page.fill("#sign-in-password", PASSWORD).await;
    page.click("button[type=submit]").await;
    heading_is(&page, "API Keys").await;
    page.wait_path("/api-keys").await;
}

/// A part that cannot be fetched is the network error with a Retry, which
/// fetches it again once the network is back.
#[tokio::test(flavor = "multi_thread")]
async fn a_part_that_does_not_arrive_offers_retry() {
    journey("j22_part_not_arriving", |page| async move {
        signed_up(&page).await;
        page.devtools("Network.enable", serde_json::json!({})).await;
        page.devtools(
            "Network.setBlockedURLs",
            serde_json::json!({"urls": ["*split_signed_in.wasm"]}),
        )
        .await;
        page.devtools(
            "Network.setCacheDisabled",
            serde_json::json!({"cacheDisabled": true}),
        )
        .await;
        page.goto("/roles").await;
        page.wait_text("keydesk cannot be reached").await;
        page.devtools("Network.setBlockedURLs", serde_json::json!({"urls": []}))
            .await;
        page.click_button("Retry").await;
        heading_is(&page, "Roles").await;
    })
    .await;
}
