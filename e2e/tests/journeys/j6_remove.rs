use keydesk_e2e::accessibility::audit;
use keydesk_e2e::http::as_system;
use keydesk_e2e::journey;
use reqwest::StatusCode;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_key_after_typing_its_name_disconnects_it() {
    journey("j6_remove", |page| async move {
        signed_up(&page).await;
        let secret = key_with_secret(&page, "Old_Importer", &["document-viewer"]).await;
        page.click("button[aria-label='Remove Old_Importer']").await;
        page.wait_for("dialog[open] #confirm-name").await;
        page.wait_text("stop working").await;
        audit(&page, "Remove confirmation").await;
        page.fill("#confirm-name", "Old_Import").await;
        assert!(!page.is_button_enabled("Remove key").await);
        page.fill("#confirm-name", "Old_Importer").await;
        page.click_button("Remove key").await;
        page.wait_gone("dialog[open]").await;
        page.wait_gone(&row("Old_Importer")).await;
        assert_eq!(
            as_system(&page.base, &secret, "/whoami").await,
            StatusCode::UNAUTHORIZED
        );
        page.reload().await;
        page.wait_text("No API keys yet").await;
        assert!(!page.exists(&row("Old_Importer")).await);
    })
    .await;
}
