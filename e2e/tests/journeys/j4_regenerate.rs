use keydesk_e2e::accessibility::audit;
use keydesk_e2e::http::as_system;
use keydesk_e2e::journey;
use reqwest::StatusCode;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn regenerating_disconnects_the_old_secret() {
    journey("j4_regenerate", |page| async move {
        signed_up(&page).await;
        let old = key_with_secret(&page, "CRM_Sync", &["document-viewer"]).await;
        page.click(&format!("{} .key-row__actions button", row("CRM_Sync")))
            .await;
        page.wait_text("Regenerate CRM_Sync?").await;
        page.wait_text("will be disconnected").await;
        audit(&page, "Regenerate confirmation").await;
        page.click_button("Regenerate key").await;
        let new = take_secret_and_close(&page).await;
        assert_ne!(old, new);
        assert_eq!(
            as_system(&page.base, &old, "/whoami").await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(as_system(&page.base, &new, "/whoami").await, StatusCode::OK);
    })
    .await;
}
