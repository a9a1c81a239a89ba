use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_invites_a_developer_who_joins_and_creates_only_what_they_may() {
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

        page.click_button("Sign out").await;
        page.wait_for("#sign-in-email").await;
        page.goto(link.trim_start_matches(&page.base)).await;
        page.wait_for("#invitation-password").await;
        audit(&page, "Join your team").await;
        page.fill(
            "#invitation-password",
            "marble otter quietly folds umbrellas",
        )
        .await;
        page.click_button("Set password and sign in").await;
        page.wait_path("/api-keys").await;
        page.wait_text("Dev Eloper").await;

        // Within their permissions, yes; an Admin key, no.
        fill_create_details(&page, "Renderer", &["document-viewer"]).await;
        let admin = page.wait_for("#role-admin").await;
        assert!(
            !page.is_enabled(&admin).await,
            "a developer cannot grant Admin"
        );
        page.click_button("Next: double-check").await;
        page.wait_text("will be granted to").await;
        page.click("dialog[open] .modal__actions .button--primary")
            .await;
        page.wait_text("API key created").await;

        // The link was used up.
        page.click_button("Later").await;
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
