use keydesk_contract::validation;
use keydesk_e2e::journey;
use serde_json::json;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn bad_names_are_explained_at_the_field_and_an_outage_offers_retry() {
    journey("j8_bad_input_and_outage", |page| async move {
        signed_up(&page).await;
        let (status, _) = as_admin(&page)
            .await
            .post(
                "/api-keys",
                json!({"name": "Billing_Reader", "role_ids": ["billing-reader"]}),
            )
            .await;
        assert_eq!(status.as_u16(), 201);
        page.reload().await;
        page.wait_for(&row("Billing_Reader")).await;

        // Too short: the contract's message, next to the field, text kept.
        fill_create_details(&page, "ab", &["document-viewer"]).await;
        page.click_button("Next: double-check").await;
        page.until("the name error", || async {
            (page.text("#key-name-error").await == validation::key_name("ab").unwrap_err())
                .then_some(())
        })
        .await;
        assert_eq!(page.value("#key-name").await, "ab");

        // Taken (in another letter case): the server's message, text kept.
        page.fill("#key-name", "billing_reader").await;
        page.click_button("Next: double-check").await;
        page.wait_text("will be granted to").await;
        page.click("dialog[open] .modal__actions .button--primary")
            .await;
        page.until("the server's name error", || async {
            let shown = page.text("#key-name-error").await;
            (shown == "Name is already used by another key.").then_some(())
        })
        .await;
        assert_eq!(page.value("#key-name").await, "billing_reader");
        assert_eq!(
            page.value("#key-description").await,
            "Used by the ab system"
        );
        page.click_button("Cancel").await;
        page.wait_gone("dialog[open]").await;

        // The server goes away: a clear message and Retry, nothing typed lost.
        page.stop_server().await;
        page.fill("#key-search", "bill").await;
        page.button("Retry").await;
        page.wait_text("did not answer").await;
        page.start_server().await;
        page.click_button("Retry").await;
        page.wait_for(&row("Billing_Reader")).await;
        assert_eq!(page.value("#key-search").await, "bill");

        // Signing out while the server is away is shown as failed, not as done.
        page.stop_server().await;
        page.click_button("Sign out").await;
        page.wait_text("signing out did not complete").await;
        assert!(page.path().await.starts_with("/api-keys"));
        assert!(page.exists(&row("Billing_Reader")).await, "still signed in");
        page.start_server().await;
        page.click_button("Retry").await;
        page.wait_for("#sign-in-email").await;
        // The session really ended: a reload does not bring the keys back.
        page.goto("/api-keys").await;
        page.wait_for("#sign-in-email").await;
    })
    .await;
}
