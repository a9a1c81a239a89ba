use keydesk_e2e::journey;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn reload_keeps_you_signed_in_and_back_after_sign_out_shows_nothing() {
    journey("j9_session", |page| async move {
        signed_up(&page).await;
        create_key(&page, "Secret_Project", &["document-viewer"], false).await;
        page.click_button("Later").await;
        page.wait_for(&row("Secret_Project")).await;

        page.reload().await;
        page.wait_for(&row("Secret_Project")).await;
        assert_eq!(page.path().await, "/api-keys");

        page.click_button("Sign out").await;
        page.wait_path("/sign-in").await;
        page.back().await;
        page.wait_for("#sign-in-email").await;
        assert!(page.path().await.starts_with("/sign-in"));
        assert!(
            !page.body_text().await.contains("Secret_Project"),
            "no keys after signing out"
        );
    })
    .await;
}
