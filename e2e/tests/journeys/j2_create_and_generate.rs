use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn create_a_key_with_two_roles_double_check_generate_and_copy() {
    journey("j2_create_and_generate", |page| async move {
        signed_up(&page).await;
        let roles = ["billing-reader", "document-generation-manager"];
        let listed = create_key(&page, "Billing_Reader", &roles, true).await;
        assert_eq!(listed, union_of_roles(&page, &roles).await, "the double-check lists exactly the union");

        page.click_button("Generate key now").await;
        page.wait_for("#generated-secret").await;
        audit(&page, "API Key Generated").await;

        // It refuses to close before the box is ticked: Escape, a click outside, Done.
        page.press_escape().await;
        assert!(page.exists("dialog[open] #generated-secret").await, "Escape must not close it yet");
        // A click on the dialog element itself is a click on its backdrop.
        page.script("document.querySelector('dialog[open]').dispatchEvent(new MouseEvent('click', {bubbles: true}))").await;
        assert!(page.exists("dialog[open] #generated-secret").await, "a click outside must not close it yet");
        assert!(
            !page.is_button_enabled("Done").await,
            "Done waits for the box"
        );

        page.click_button("Copy").await;
        page.wait_text("Copied the secret").await;
        assert!(page.exists("dialog[open] #generated-secret").await);
        let secret = page.value("#generated-secret").await;
        let browser = page.browser();
        let clipboard = browser
            .execute_async(
                "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('unreadable: ' + e))",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(clipboard.as_str(), Some(secret.as_str()), "Copy put the secret on the clipboard");

        let shown = take_secret_and_close(&page).await;
        assert_eq!(shown, secret);
        assert!(!page.body_text().await.contains(&secret), "the secret is gone from the page");
        let row = page.text(&row("Billing_Reader")).await;
        assert!(row.contains("Active") && row.contains(&secret[..12]), "{row}");
        audit(&page, "API Keys (list)").await;

        // The trail says who did it.
        page.click("a[href='/audit']").await;
        page.wait_text("Ada Admin generated the secret of API key Billing_Reader").await;
        page.wait_text("Ada Admin created API key Billing_Reader").await;
        audit(&page, "Audit trail").await;
    })
    .await;
}
