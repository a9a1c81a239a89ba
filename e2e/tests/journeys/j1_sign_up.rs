use keydesk_e2e::accessibility::audit;
use keydesk_e2e::{journey, journey_in, Browser, Page};

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn creating_an_organization_lands_on_the_empty_api_keys_tab() {
    journey("j1_sign_up", sign_up_and_look_around).await;
}

/// The same in Firefox: the `__Host-` session cookie is `Secure`, and Firefox
/// too must keep it at the plain-HTTP loopback address `scripts/run` prints.
#[tokio::test(flavor = "multi_thread")]
async fn creating_an_organization_works_in_firefox_at_127_0_0_1() {
    journey_in(Browser::Firefox, "j1_sign_up_firefox", |page| async move {
        assert!(page.base.starts_with("http://127.0.0.1:"), "{}", page.base);
        sign_up_and_look_around(page.clone()).await;
        // Still signed in after a reload: the browser kept the cookie.
        page.goto("/api-keys").await;
        page.wait_text("No API keys yet").await;
        page.reload().await;
        page.wait_text("No API keys yet").await;
    })
    .await;
}

async fn sign_up_and_look_around(page: Page) {
    {
        page.goto("/").await;
        page.wait_path("/sign-in?next=%2Fapi-keys").await;
        page.wait_for("#sign-in-email").await;
        audit(&page, "Sign in").await;
        page.click("a[href='/sign-up']").await;
        page.wait_for("#sign-up-organization").await;
        audit(&page, "Create organization").await;

        signed_up(&page).await;
        page.wait_text("No API keys yet").await;
        page.wait_text("one key per system").await;
        let body = page.body_text().await;
        assert!(
            body.contains("Acme Render Co") && body.contains("Ada Admin"),
            "the header names org and person"
        );
        audit(&page, "API Keys (empty)").await;

        page.click("a[href='/roles']").await;
        page.wait_text("Document Generation Manager").await;
        audit(&page, "Roles").await;

        page.goto("/no/such/page").await;
        page.wait_text("Page not found").await;
        audit(&page, "Not found").await;
    }
}
