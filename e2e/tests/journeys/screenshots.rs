//! Retakes the README's screenshots of the screens that show security
//! behaviour (and My account, People, Roles), from the release build. Not part of the test command:
//! `cargo test -p keydesk-e2e -- --ignored screenshots` (after `source scripts/env`).

use keydesk_e2e::{journey, repo_root, Page};

use crate::steps::*;
use keydesk_server::auth::totp::TotpSecret;

async fn shoot(page: &Page, name: &str) {
    let png = page.browser().screenshot().await.unwrap();
    std::fs::write(repo_root().join("docs/screenshots").join(name), png).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "writes docs/screenshots; run on purpose"]
async fn screenshots() {
    journey("screenshots", |page| async move {
        page.goto("/sign-up").await;
        page.fill("#sign-up-organization", "Acme Render Co").await;
        page.fill("#sign-up-name", "Ada Admin").await;
        page.fill("#sign-up-email", "ada@acme.io").await;
        page.fill("#sign-up-password", "password1234").await;
        page.click_button("Create organization").await;
        page.wait_text("too easy to guess").await;
        shoot(&page, "02-weak-password.png").await;

        page.fill("#sign-up-password", PASSWORD).await;
        page.click_button("Create organization").await;
        page.wait_path("/api-keys").await;
        create_key(&page, "Billing_Reader", &["billing-reader"], false).await;
        page.click_button("Generate key now").await;
        page.wait_for("#generated-secret").await;
        shoot(&page, "07-generated.png").await;
        let billing_secret = take_secret_and_close(&page).await;

        let dev = as_admin(&page)
            .await
            .add_joined("Dev Eloper", "dev@acme.io", PASSWORD, &["developer"])
            .await;
        page.click("a[href='/people']").await;
        page.wait_text("Dev Eloper").await;
        page.click("button[aria-label='Deactivate Dev Eloper']")
            .await;
        page.wait_text("ends at once").await;
        shoot(&page, "24-people-deactivate.png").await;
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;
        page.click_button("Add person").await;
        page.fill("#person-name", "Grace Hopper").await;
        page.fill("#person-email", "grace@acme.io").await;
        page.click("#role-document-viewer").await;
        page.click_button("Next: double-check").await;
        page.wait_text("will be granted to").await;
        page.click("dialog[open] .modal__actions .button--primary")
            .await;
        page.wait_for("#invitation-link").await;
        shoot(&page, "25-invitation-link.png").await;
        let link = page.value("#invitation-link").await;
        page.click_button("Done").await;
        page.wait_gone("dialog[open]").await;

        // Roles: a custom role from Duplicate, its double-check, an edit's review, a refused delete.
        page.click("a[href='/roles']").await;
        page.click("button[aria-label='Duplicate Developer']").await;
        page.wait_for("dialog[open] #role-name").await;
        page.fill("#role-name", "Integrations").await;
        page.fill(
            "#role-description",
            "Builds integrations, without removing keys or webhooks.",
        )
        .await;
        page.click("#permission-service-accounts-delete").await;
        page.click("#permission-webhooks-delete").await;
        page.script(
            "document.querySelector('dialog[open] .modal__content').scrollTop = 0; return null",
        )
        .await;
        shoot(&page, "27-role-create.png").await;
        page.click_button("Next: double-check").await;
        page.wait_text("will grant these").await;
        page.click("dialog[open] .modal__actions .button--primary")
            .await;
        page.wait_gone("dialog[open]").await;
        let (_, roles) = as_admin(&page).await.get("/roles").await;
        let integrations = roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "Integrations")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        page.click("a[href='/api-keys']").await;
        create_key(&page, "Deploy_Bot", &[&integrations], false).await;
        page.click_button("Later").await;
        page.click("a[href='/roles']").await;
        page.wait_for("button[aria-label='Edit Integrations']")
            .await;
        shoot(&page, "28-roles.png").await;
        page.click("button[aria-label='Edit Integrations']").await;
        page.wait_for("dialog[open] #role-name").await;
        page.click("#permission-webhooks-delete").await;
        page.click("#permission-templates-create").await;
        page.click_button("Next: double-check").await;
        page.wait_text("affects 1 key").await;
        shoot(&page, "29-role-edit-review.png").await;
        page.click_button("Back").await;
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;
        page.click("button[aria-label='Delete Integrations']").await;
        page.wait_text("is in use").await;
        shoot(&page, "30-role-delete-in-use.png").await;
        page.click_button("Close").await;
        page.wait_gone("dialog[open]").await;

        // Usage, least privilege, the inventory and the off switch.
        page.click("a[href='/api-keys']").await;
        page.wait_for(&row("Billing_Reader")).await;
        let renderer = key_with_secret(&page, "Renderer", &["developer"]).await;
        for (secret, permission, times) in [
            (&renderer, "documents.retrieve", 5),
            (&renderer, "renders.retrieve", 2),
            (&renderer, "billing.retrieve", 1),
            (&billing_secret, "billing.retrieve", 3),
        ] {
            for _ in 0..times {
                reqwest::Client::new()
                    .post(format!("{}/api/v1/authorize", page.base))
                    .bearer_auth(secret)
                    .json(&serde_json::json!({ "permission": permission }))
                    .send()
                    .await
                    .unwrap();
            }
        }
        page.click("a[href='/api-keys']").await;
        page.wait_for(&row("Renderer")).await;
        page.click("button[aria-label='Usage of Renderer']").await;
        page.wait_text("What it used is covered by").await;
        shoot(&page, "31-key-usage.png").await;
        page.click_button("Close").await;
        page.wait_gone("dialog[open]").await;
        page.click("a[href='/inventory']").await;
        page.wait_for("tr[data-key-name='Renderer']").await;
        shoot(&page, "32-inventory.png").await;
        page.click("a[href='/api-keys']").await;
        page.wait_for(&row("Renderer")).await;
        page.click("button[aria-label='Disable Renderer']").await;
        page.wait_for("dialog[open] #disable-title").await;
        shoot(&page, "33-disable.png").await;
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;

        // Least privilege when no set of roles is narrower: a role made to measure.
        let admin = as_admin(&page).await;
        let (_, mixed) = admin
            .post("/api-keys", serde_json::json!({"name": "Mixed_Reader", "role_ids": ["document-viewer", "billing-reader"]}))
            .await;
        let mixed_id = mixed["id"].as_str().unwrap().to_string();
        let (_, generated) = admin
            .post(&format!("/api-keys/{mixed_id}/generate"), serde_json::json!({}))
            .await;
        let mixed_secret = generated["secret"].as_str().unwrap().to_string();
        for permission in ["documents.retrieve", "billing.retrieve"] {
            reqwest::Client::new()
                .post(format!("{}/api/v1/authorize", page.base))
                .bearer_auth(&mixed_secret)
                .json(&serde_json::json!({ "permission": permission }))
                .send()
                .await
                .unwrap();
        }
        page.goto("/api-keys").await;
        page.wait_for(&row("Mixed_Reader")).await;
        page.click("button[aria-label='Usage of Mixed_Reader']").await;
        page.wait_text("No set of roles is narrower").await;
        shoot(&page, "34-least-privilege-made-to-measure.png").await;
        page.click("dialog[open] a.button").await;
        page.wait_for("dialog[open] #role-name").await;
        shoot(&page, "35-role-made-to-measure.png").await;
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;

        // Deactivating someone names the secrets they saw.
        let (_, dev_key) = dev
            .post("/api-keys", serde_json::json!({"name": "Staging_Renderer", "role_ids": ["document-viewer"]}))
            .await;
        dev.post(
            &format!("/api-keys/{}/generate", dev_key["id"].as_str().unwrap()),
            serde_json::json!({}),
        )
        .await;
        page.click("a[href='/people']").await;
        page.click("button[aria-label='Deactivate Dev Eloper']").await;
        page.wait_text("still has a secret Dev Eloper generated").await;
        shoot(&page, "36-deactivate-secrets-seen.png").await;
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;

        page.click("a[href='/account']").await;
        page.wait_text("Change password").await;
        page.fill("#current-password", "not my password at all")
            .await;
        page.fill("#new-password", "marble otter quietly folds umbrellas")
            .await;
        page.click_button("Change password").await;
        page.wait_text("The current password is not right.").await;
        shoot(&page, "23-my-account.png").await;
        page.click("a[href='/api-keys']").await;
        page.wait_text("Billing_Reader").await;

        page.stop_server().await;
        page.click_button("Sign out").await;
        page.wait_text("signing out did not complete").await;
        shoot(&page, "22-sign-out-failed.png").await;
        page.start_server().await;
        page.click_button("Retry").await;
        page.wait_for("#sign-in-email").await;
        page.goto(link.trim_start_matches(&page.base)).await;
        page.wait_for("#invitation-password").await;
        shoot(&page, "26-join.png").await;

        // A password someone else chose opens only "set your own".
        as_admin(&page)
            .await
            .post(
                "/users",
                serde_json::json!({"name": "Bo Builder", "email": "bo@acme.io", "password": PASSWORD, "role_ids": ["developer"]}),
            )
            .await;
        page.goto("/sign-in").await;
        page.sign_in("bo@acme.io", PASSWORD).await;
        page.wait_text("Set your own password").await;
        shoot(&page, "37-set-own-password.png").await;
    })
    .await;
}

/// The second-factor screens, at http://localhost (passkeys need it).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "writes docs/screenshots; run on purpose"]
async fn second_factor_screenshots() {
    use keydesk_e2e::{journey_on_localhost, Browser};
    journey_on_localhost(
        Browser::Chromium,
        "second_factor_screenshots",
        |page| async move {
            page.add_virtual_authenticator().await;
            signed_up(&page).await;
            as_admin(&page)
                .await
                .add_joined("Bob Builder", "bob@acme.io", PASSWORD, &["developer"])
                .await;
            page.click("a[href='/account']").await;
            page.click_button("Set up an authenticator app").await;
            page.fill("#prompt-password", PASSWORD).await;
            page.click_button("Continue").await;
            let secret = TotpSecret::from_base32(&page.text("#totp-secret").await).unwrap();
            shoot(&page, "38-authenticator-app.png").await;
            page.fill("#totp-code", &code(&secret, 0)).await;
            page.click_button("Confirm").await;
            page.wait_for(".recovery-codes").await;
            shoot(&page, "39-recovery-codes.png").await;
            page.click("#stored-codes").await;
            page.click_button("Done").await;
            page.wait_gone("dialog[open]").await;
            page.fill("#passkey-name", "Work laptop").await;
            page.click_button("Add a passkey").await;
            page.wait_text("last used never").await;
            page.script("document.getElementById('security-title').scrollIntoView()")
                .await;
            shoot(&page, "40-security.png").await;

            page.click("a[href='/settings']").await;
            page.click("#require-second-factor").await;
            page.click_button("Save").await;
            page.wait_text("now required of everyone").await;
            shoot(&page, "41-require-second-factor.png").await;

            page.click_button("Sign out").await;
            page.sign_in("ada@acme.io", PASSWORD).await;
            page.wait_for("#second-step-code").await;
            shoot(&page, "42-second-step.png").await;
            page.click_button("Cancel").await;
            page.sign_in("bob@acme.io", PASSWORD).await;
            page.wait_text("Set up a second factor").await;
            shoot(&page, "43-second-factor-required.png").await;
        },
    )
    .await;
}

/// The single sign-on screens, against a real provider.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "writes docs/screenshots; run on purpose"]
async fn single_sign_on_screenshots() {
    use crate::j19_single_sign_on::identity_provider::{
        IdentityProvider, CLIENT_ID, CLIENT_SECRET,
    };
    journey("sso_screenshots", |page| async move {
        let idp = IdentityProvider::start(&format!("{}/api/v1/auth/sso/callback", page.base));
        idp.account(serde_json::json!({"sub": "gus-1", "email": "gus@acme.io", "email_verified": true, "groups": ["sales"]})).await;
        signed_up(&page).await;
        let (status, _) = as_admin(&page)
            .await
            .put(
                "/organization/sso",
                serde_json::json!({"issuer": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                    "email_domains": ["acme.io"], "role_rules": [
                        {"claim": "groups", "value": "kd-admins", "role_ids": ["admin"]},
                        {"claim": "groups", "value": "kd-devs", "role_ids": ["developer"]}],
                    "default_role_ids": []}),
            )
            .await;
        assert!(status.is_success());
        page.click("a[href='/settings']").await;
        page.wait_for("#sso-redirect-uri").await;
        page.script("document.getElementById('sso-title').scrollIntoView()").await;
        shoot(&page, "44-sso-settings.png").await;
        page.click_button("Sign out").await;
        page.fill("#sign-in-email", "gus@acme.io").await;
        page.script("document.activeElement.blur()").await;
        page.wait_text("Continue with single sign-on").await;
        shoot(&page, "45-sso-sign-in.png").await;
        page.click_button("Continue with single sign-on").await;
        page.fill("#login", "gus-1").await;
        page.click_button("Sign in at the provider").await;
        page.wait_text("gives you no role in keydesk").await;
        shoot(&page, "46-sso-refused.png").await;
    })
    .await;
}

/// Settings → Key policy and Events, with a real receiver.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "writes docs/screenshots; run on purpose"]
async fn events_screenshots() {
    use keydesk_server::webhook_receiver::Receiver;
    journey("events_screenshots", |page| async move {
        let receiver = Receiver::start().await;
        // The first event delivered, the second waiting for its retry (one
        // delivered after a failure would bring the retry forward).
        receiver.answer_next(&[204, 503]);
        signed_up(&page).await;
        page.click("a[href='/settings']").await;
        page.fill("#destination-url", &receiver.url).await;
        page.fill("#destination-description", "Our SIEM").await;
        page.click("#destination-chosen").await;
        page.click("input[value='api_key.created']").await;
        page.click("input[value='api_key.expiring']").await;
        page.click("input[value='api_key.expired_but_used']").await;
        page.click_button("Add destination").await;
        page.wait_for("#signing-secret").await;
        page.script("document.getElementById('events-title').scrollIntoView()")
            .await;
        shoot(&page, "47-events.png").await;
        page.click_button("Done").await;
        let admin = as_admin(&page).await;
        for name in ["Billing_Reader", "Render_Bot"] {
            admin
                .post(
                    "/api-keys",
                    serde_json::json!({"name": name, "role_ids": ["developer"]}),
                )
                .await;
        }
        receiver
            .wait_for(2, std::time::Duration::from_secs(20))
            .await;
        page.click_button("Deliveries").await;
        page.wait_for(".delivery-row").await;
        shoot(&page, "48-event-deliveries.png").await;
    })
    .await;
}

/// Guardrails: a leaked key and a decoy in the list, and a bulk action's preview.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "writes docs/screenshots; run on purpose"]
async fn guardrails_screenshots() {
    use serde_json::json;
    journey("guardrails_screenshots", |page| async move {
        signed_up(&page).await;
        let admin = as_admin(&page).await;
        let mut secrets = Vec::new();
        for (name, roles, decoy) in [
            ("Billing_Reader", "billing-reader", false),
            ("Prod_Admin_Backup", "admin", true),
            ("Render_Bot", "developer", false),
            ("Nightly_Export", "document-viewer", false),
        ] {
            let (_, key) = admin
                .post("/api-keys", json!({"name": name, "description": format!("Used by {name}"), "role_ids": [roles], "decoy": decoy}))
                .await;
            let id = key["id"].as_str().unwrap().to_string();
            let (_, generated) = admin.post(&format!("/api-keys/{id}/generate"), json!({})).await;
            secrets.push(generated["secret"].as_str().unwrap().to_string());
        }
        let reported = reqwest::Client::new()
            .post(format!("{}/api/v1/leaked-keys", page.base))
            .json(&json!({"secrets": [secrets[0]]}))
            .send()
            .await
            .unwrap();
        assert_eq!(reported.status().as_u16(), 202);
        page.goto("/api-keys").await;
        page.wait_text("reported leaked").await;
        shoot(&page, "49-leaked-and-decoy.png").await;
        page.click("input[aria-label='Select Render_Bot']").await;
        page.click("input[aria-label='Select Nightly_Export']").await;
        page.wait_text("2 selected").await;
        page.click(".bulk-bar .button").await;
        page.wait_for(".bulk-row").await;
        shoot(&page, "50-bulk-preview.png").await;
        page.click_button("Cancel").await;
        for _ in 0..3 {
            keydesk_e2e::http::as_system(&page.base, &secrets[2], "/whoami").await;
        }
        page.click("button[aria-label^='Networks of Render_Bot']").await;
        page.wait_for(".seen-network").await;
        page.click_button("Use these networks").await;
        shoot(&page, "51-networks.png").await;
    })
    .await;
}
