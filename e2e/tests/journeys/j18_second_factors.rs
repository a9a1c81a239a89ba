//! Second factors in a real browser, at http://localhost (browsers refuse
//! WebAuthn on an IP address): an authenticator app whose codes the test
//! computes (RFC 6238), recovery codes, the organization's rule leading a
//! person without one to set one up, and passkeys made by the browser's
//! virtual authenticator (WebDriver's WebAuthn extension) that sign in
//! alone and as the second step.

use keydesk_e2e::accessibility::audit;
use keydesk_e2e::{journey_on_localhost, Browser, Page};

use crate::steps::*;

async fn sign_out(page: &Page) {
    page.click_button("Sign out").await;
    page.wait_for("#sign-in-email").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_authenticator_app_and_recovery_codes_guard_sign_in_and_an_organization_requires_them() {
    authenticator_app(Browser::Chromium, "j18_authenticator_app_chromium").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_authenticator_app_guards_sign_in_in_firefox_too() {
    authenticator_app(Browser::Firefox, "j18_authenticator_app_firefox").await;
}

async fn authenticator_app(browser: Browser, name: &'static str) {
    journey_on_localhost(browser, name, |page| async move {
        signed_up(&page).await;
        let admin = as_admin(&page).await;
        admin
            .add_joined("Bob Builder", "bob@acme.io", PASSWORD, &["developer"])
            .await;

        page.click("a[href='/account']").await;
        page.wait_text("Not set up.").await;
        audit(&page, "My account with Security").await;
        let (secret, recovery) = set_up_app(&page, true).await;
        page.wait_text("10 of 10 left").await;

        // The password alone is not enough any more.
        sign_out(&page).await;
        page.sign_in("ada@acme.io", PASSWORD).await;
        page.wait_for("#second-step-code").await;
        audit(&page, "Second step").await;
        page.fill("#second-step-code", "000000").await;
        page.click_button("Verify").await;
        page.wait_text("not right").await;
        page.fill("#second-step-code", &code(&secret, 1)).await;
        page.click_button("Verify").await;
        page.wait_path("/api-keys").await;

        // A recovery code, once.
        sign_out(&page).await;
        page.sign_in("ada@acme.io", PASSWORD).await;
        page.click_button("Use a recovery code").await;
        page.fill("#second-step-recovery", &recovery[0]).await;
        page.click_button("Verify").await;
        page.wait_path("/api-keys").await;

        // The organization requires a second factor: Bob is led to set one up.
        page.click("a[href='/settings']").await;
        page.wait_for("#require-second-factor").await;
        audit(&page, "Settings").await;
        page.click("#require-second-factor").await;
        page.click_button("Save").await;
        page.wait_text("a second factor is now required of everyone")
            .await;

        // geckodriver drives one browser at a time: Bob's is Chromium's.
        if browser == Browser::Firefox {
            return;
        }
        let bob = page.another_browser().await;
        bob.goto("/sign-in").await;
        bob.sign_in("bob@acme.io", PASSWORD).await;
        bob.wait_text("Set up a second factor").await;
        audit(&bob, "Set up a second factor (required)").await;
        assert!(
            !bob.exists("a[href='/api-keys']").await,
            "nothing else is offered"
        );
        set_up_app(&bob, false).await;
        bob.wait_for("a[href='/api-keys']").await;
        bob.wait_text("API Keys").await;

        // People shows who has one.
        page.click("a[href='/people']").await;
        page.wait_for("tr[data-person='bob@acme.io']").await;
        let cell = page
            .text("tr[data-person='bob@acme.io'] td[data-label='Second factor']")
            .await;
        assert_eq!(cell, "On");
    })
    .await;
}

async fn passkeys_sign_in_alone_and_as_the_second_step(browser: Browser, name: &'static str) {
    journey_on_localhost(browser, name, |page| async move {
        let authenticator = page.add_virtual_authenticator().await;
        signed_up(&page).await;
        page.click("a[href='/account']").await;
        page.wait_text("No passkeys yet.").await;
        page.fill("#passkey-name", "This laptop").await;
        page.click_button("Add a passkey").await;
        // The first second factor brings the recovery codes.
        page.wait_for(".recovery-codes").await;
        page.click("#stored-codes").await;
        page.click_button("Done").await;
        page.wait_text("This laptop").await;
        audit(&page, "My account with a passkey").await;
        let held = page.authenticator_credentials(&authenticator).await;
        assert_eq!(held.len(), 1, "the browser's authenticator holds it");
        assert_eq!(held[0]["isResidentCredential"], true, "discoverable");

        // A passkey alone signs in.
        sign_out(&page).await;
        page.click_button("Sign in with a passkey").await;
        page.wait_path("/api-keys").await;
        page.wait_text("API Keys").await;

        // After the password, the passkey is the second step.
        sign_out(&page).await;
        page.sign_in("ada@acme.io", PASSWORD).await;
        page.wait_text("Use your passkey").await;
        page.click_button("Use a passkey").await;
        page.wait_path("/api-keys").await;

        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/sign-in", page.base))
            .json(&serde_json::json!({"email": "ada@acme.io", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            answer["second_factor_required"], true,
            "over HTTP too: {answer}"
        );
        assert_eq!(
            answer["methods"],
            serde_json::json!(["passkey", "recovery_code"])
        );
        page.click("a[href='/account']").await;
        page.wait_text("last used").await;
        assert!(!page.text(".passkeys__meta").await.contains("never"));
    })
    .await;
}

// Chromium only: geckodriver accepts the WebAuthn extension's commands, but
// Firefox's credentials.create() never settles with its virtual
// authenticator (mozilla/geckodriver#2187 tracks the extension there).
#[tokio::test(flavor = "multi_thread")]
async fn a_passkey_signs_in_alone_and_as_the_second_step_in_chromium() {
    passkeys_sign_in_alone_and_as_the_second_step(Browser::Chromium, "j18_passkeys_chromium").await;
}
