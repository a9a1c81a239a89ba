use keydesk_e2e::journey;
use keydesk_e2e::Page;

use crate::steps::*;

/// Fails if the browser refused anything under the Content-Security-Policy
/// since the last check; `screen` says where.
async fn no_violations(page: &Page, screen: &str) {
    let found = page.csp_violations().await;
    assert!(
        found.is_empty(),
        "CSP violations on {screen}:\n{}",
        found.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_and_dialog_runs_under_the_content_security_policy() {
    journey("j10_content_security_policy", |page| async move {
        page.goto("/sign-up").await;
        page.wait_for("#sign-up-organization").await;
        no_violations(&page, "Create organization").await;
        let csp = page
            .script("return fetch('/api-keys').then(r => r.headers.get('content-security-policy'))")
            .await;
        assert!(csp.as_str().is_some_and(|c| c.contains("default-src 'none'")), "{csp}");

        signed_up(&page).await;
        page.wait_text("No API keys yet").await;
        no_violations(&page, "API Keys (empty)").await;

        fill_create_details(&page, "Billing_Reader", &["billing-reader"]).await;
        no_violations(&page, "Create: details").await;
        page.click_button("Next: double-check").await;
        page.wait_text("will be granted to").await;
        no_violations(&page, "Create: double-check").await;
        page.click("dialog[open] .modal__actions .button--primary").await;
        page.wait_text("API key created").await;
        page.click_button("Generate key now").await;
        page.wait_for("#generated-secret").await;
        page.click_button("Copy").await;
        page.wait_text("Copied the secret").await;
        no_violations(&page, "API Key Generated, after Copy").await;
        take_secret_and_close(&page).await;

        page.click("button[aria-label='Edit Billing_Reader']").await;
        page.wait_for("dialog[open] #key-name").await;
        page.click("#role-document-viewer").await;
        page.click_button("Next: review changes").await;
        page.wait_text("Review what changes").await;
        no_violations(&page, "Edit").await;
        page.click_button("Save changes").await;
        page.wait_gone("dialog[open]").await;
        page.until("the edit to show in the list", || async {
            page.text(&row("Billing_Reader"))
                .await
                .contains("Document Viewer")
                .then_some(())
        })
        .await;

        page.click_button("Regenerate").await;
        page.wait_text("will be disconnected").await;
        no_violations(&page, "Regenerate").await;
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;

        page.click("button[aria-label='Remove Billing_Reader']").await;
        page.wait_for("#confirm-name").await;
        no_violations(&page, "Remove").await;
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;

        page.click("a[href='/roles']").await;
        page.wait_text("Billing Reader").await;
        page.click("a[href='/audit']").await;
        page.wait_text("created API key").await;
        no_violations(&page, "Roles and Audit").await;
        page.goto("/no/such/page").await;
        page.wait_text("Page not found").await;
        no_violations(&page, "Not found").await;

        // A crafted sign-in link does not take a signed-in person elsewhere.
        for crafted in ["/sign-in?next=//evil.example", "/sign-in?next=%2F%5Cevil.example", "/sign-in?next=/%09/evil.example"] {
            page.goto(crafted).await;
            page.wait_path("/api-keys").await;
            let here = page.script("return location.origin").await;
            assert_eq!(here.as_str(), Some(page.base.as_str()), "{crafted}");
        }

        page.click_button("Sign out").await;
        page.wait_for("#sign-in-email").await;
        no_violations(&page, "Sign in").await;

        // The check above would see a violation: make one, and find it.
        page.script("const i = new Image(); i.src = 'http://127.0.0.2:9/probe.png'; document.body.append(i);")
            .await;
        page.until("the deliberate violation to be reported", || async {
            let found = page.csp_violations().await;
            found.iter().any(|l| l.contains("probe.png")).then_some(())
        })
        .await;
    })
    .await;
}
