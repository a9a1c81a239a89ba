//! Single sign-on in a real browser against a real OpenID provider
//! (oidc-provider from npm): Ada sets it up in Settings; Eve, whom the
//! provider puts in the developers' group, types her address, is sent to
//! the provider, signs in there and lands in keydesk with the Developer
//! role, created just in time; someone the rules give no role is told so.

#[path = "../../../server/tests/api/identity_provider.rs"]
#[allow(dead_code)]
pub mod identity_provider;

use identity_provider::{IdentityProvider, CLIENT_ID, CLIENT_SECRET};
use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;
use serde_json::json;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_through_the_identity_provider_and_arrives_with_the_mapped_role() {
    journey("j19_single_sign_on", |page| async move {
        let idp = IdentityProvider::start(&format!("{}/api/v1/auth/sso/callback", page.base));
        idp.account(json!({"sub": "eve-1", "email": "eve@acme.io", "email_verified": true, "name": "Eve Engineer", "groups": ["kd-devs"]})).await;
        idp.account(json!({"sub": "gus-1", "email": "gus@acme.io", "email_verified": true, "groups": ["sales"]})).await;
        signed_up(&page).await;

        // Settings → Single sign-on, through the screens.
        page.click("a[href='/settings']").await;
        page.wait_text("Single sign-on").await;
        page.fill("#sso-issuer", &idp.issuer).await;
        page.click_button("Test connection").await;
        page.wait_text("Found a provider").await;
        page.fill("#sso-client-id", CLIENT_ID).await;
        page.fill("#sso-client-secret", CLIENT_SECRET).await;
        page.fill("#sso-domains", "acme.io").await;
        page.click_button("Add rule").await;
        page.fill(".sso-rules__row:last-child input:nth-of-type(1)", "groups").await;
        page.script(
            "const row = document.querySelector('.sso-rules__row:last-child');
             const [claim, value] = row.querySelectorAll('input');
             value.value = 'kd-devs'; value.dispatchEvent(new Event('input', {bubbles: true}));
             const select = row.querySelector('select'); select.value = 'developer';
             select.dispatchEvent(new Event('change', {bubbles: true}));",
        )
        .await;
        page.click_button("Save single sign-on").await;
        page.wait_text("single sign-on is on").await;
        page.wait_for("#sso-redirect-uri").await;
        audit(&page, "Settings: single sign-on").await;

        // Eve: her address leads to the provider, not to a password.
        page.click_button("Sign out").await;
        page.wait_for("#sign-in-email").await;
        page.fill("#sign-in-email", "eve@acme.io").await;
        page.script("document.activeElement.blur()").await;
        page.click_button("Continue with single sign-on").await;
        page.wait_for("#login").await;
        page.fill("#login", "eve-1").await;
        page.click_button("Sign in at the provider").await;
        page.wait_path("/api-keys").await;
        page.wait_text("Eve Engineer").await;
        assert!(!page.exists("a[href='/people']").await, "a developer does not manage people");

        // Gus, at his own computer, maps to no role: back at sign-in, told why.
        let gus = page.another_browser().await;
        gus.goto("/sign-in").await;
        gus.fill("#sign-in-email", "gus@acme.io").await;
        gus.script("document.activeElement.blur()").await;
        gus.click_button("Continue with single sign-on").await;
        gus.wait_for("#login").await;
        gus.fill("#login", "gus-1").await;
        gus.click_button("Sign in at the provider").await;
        gus.wait_text("gives you no role in keydesk").await;
        audit(&gus, "Sign-in: refused by single sign-on").await;
    })
    .await;
}
