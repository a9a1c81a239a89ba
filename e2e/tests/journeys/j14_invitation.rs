use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_invites_a_developer_who_joins_elsewhere_creates_only_what_they_may_and_is_signed_out_when_deactivated(
) {
    journey("j14_invitation", |page| async move {
        signed_up(&page).await;
        page.click("a[href='/people']").await;
        page.click_button("Add person").await;
        page.wait_for("dialog[open] #person-name").await;
        page.fill("#person-name", "Dev Eloper").await;
        page.fill("#person-email", "dev@acme.io").await;
        page.click("#role-developer").await;
        audit(&page, "Add person: details").await;
        page.click_button("Next: double-check").await;
        page.wait_text("will be granted to").await;
        page.click("dialog[open] .modal__actions .button--primary")
            .await;
        page.wait_for("#invitation-link").await;
        audit(&page, "Add person: invitation link").await;
        let link = page.value("#invitation-link").await;
        assert!(
            link.starts_with(&format!("{}/invitation#", page.base)),
            "{link}"
        );
        page.click_button("Done").await;
        page.wait_gone("dialog[open]").await;
        page.wait_text("Invited").await;

        // The developer opens the link in a browser of their own; the admin stays signed in.
        let dev = page.another_browser().await;
        dev.goto(link.trim_start_matches(&dev.base)).await;
        dev.wait_for("#invitation-password").await;
        audit(&dev, "Join your team").await;
        dev.fill(
            "#invitation-password",
            "marble otter quietly folds umbrellas",
        )
        .await;
        dev.click_button("Set password and sign in").await;
        dev.wait_path("/api-keys").await;
        dev.wait_text("Dev Eloper").await;

        // Within their permissions, yes; an Admin key, no.
        fill_create_details(&dev, "Renderer", &["document-viewer"]).await;
        assert!(
            !dev.is_enabled("#role-admin").await,
            "a developer cannot grant Admin"
        );
        dev.click_button("Next: double-check").await;
        dev.wait_text("will be granted to").await;
        dev.click("dialog[open] .modal__actions .button--primary")
            .await;
        dev.wait_text("API key created").await;
        dev.click_button("Later").await;
        dev.wait_gone("dialog[open]").await;

        // The admin sees them joined, and deactivates them.
        page.reload().await;
        page.wait_for("button[aria-label='Deactivate Dev Eloper']")
            .await;
        page.click("button[aria-label='Deactivate Dev Eloper']")
            .await;
        page.wait_text("ends at once").await;
        page.click("dialog[open] .button--danger").await;
        page.wait_for("button[aria-label='Activate Dev Eloper']")
            .await;

        // The developer's open tab: its next request finds the session gone.
        dev.click("a[href='/roles']").await;
        dev.wait_for("#sign-in-email").await;
        dev.sign_in("dev@acme.io", "marble otter quietly folds umbrellas")
            .await;
        dev.wait_text("The email or password is not right.").await;

        // The link was used up.
        page.click_button("Sign out").await;
        page.wait_for("#sign-in-email").await;
        page.goto(link.trim_start_matches(&page.base)).await;
        page.fill("#invitation-password", "another quite long passphrase here")
            .await;
        page.click_button("Set password and sign in").await;
        page.wait_text("not valid").await;
    })
    .await;
}
