use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_deactivates_a_developer_whose_session_ends_at_once() {
    journey("j13_people", |page| async move {
        signed_up(&page).await;
        // The developer joined and is signed in elsewhere.
        let dev = as_admin(&page)
            .await
            .add_joined("Dev Eloper", "dev@acme.io", PASSWORD, &["developer"])
            .await;
        assert_eq!(dev.get("/me").await.0.as_u16(), 200);

        page.click("a[href='/people']").await;
        page.wait_text("Dev Eloper").await;
        audit(&page, "People").await;
        table_fits(&page, "People").await;
        assert!(
            !page
                .is_enabled("button[aria-label='Deactivate Ada Admin']")
                .await,
            "nobody deactivates themselves"
        );

        // Change their roles: what is added and removed is shown first, and
        // their next request already has the new permissions.
        assert_eq!(dev.get("/api-keys").await.0.as_u16(), 200);
        page.click("button[aria-label='Change roles of Dev Eloper']")
            .await;
        page.wait_for("dialog[open] #role-developer").await;
        page.click("#role-developer").await;
        page.click("#role-billing-reader").await;
        page.click_button("Next: review changes").await;
        page.wait_text("Review what changes").await;
        audit(&page, "Change roles: review").await;
        page.click_button("Save changes").await;
        page.wait_gone("dialog[open]").await;
        page.wait_text("Billing Reader").await;
        assert_eq!(
            dev.get("/api-keys").await.0.as_u16(),
            403,
            "applies on the next request"
        );

        page.click("button[aria-label='Deactivate Dev Eloper']")
            .await;
        page.wait_text("ends at once").await;
        audit(&page, "Deactivate dialog").await;
        page.click("dialog[open] .button--danger").await;
        page.wait_gone("dialog[open]").await;
        page.wait_for("button[aria-label='Activate Dev Eloper']")
            .await;
        assert_eq!(
            dev.get("/me").await.0.as_u16(),
            401,
            "their session ended at once"
        );

        page.click_button("Sign out").await;
        page.wait_for("#sign-in-email").await;
        page.sign_in("dev@acme.io", PASSWORD).await;
        page.wait_text("The email or password is not right.").await;
    })
    .await;
}
