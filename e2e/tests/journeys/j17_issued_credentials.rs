//! Credentials someone else issued (#18): a person deactivated is shown the
//! secrets they saw, each regenerated in one click; a person whose password
//! someone else set must set their own before anything else.

use keydesk_e2e::accessibility::audit;
use keydesk_e2e::http::as_system;
use keydesk_e2e::journey;
use serde_json::json;

use crate::steps::*;

const DEV_PASSWORD: &str = "marble otter quietly folds umbrellas";

#[tokio::test(flavor = "multi_thread")]
async fn deactivating_names_the_secrets_they_saw_and_a_given_password_must_be_replaced() {
    journey("j17_issued_credentials", |page| async move {
        signed_up(&page).await;
        let admin = as_admin(&page).await;
        let dev = admin
            .add_joined("Dev Eloper", "dev@acme.io", DEV_PASSWORD, &["developer"])
            .await;
        let (_, key) = dev
            .post("/api-keys", json!({"name": "Dev_Key", "role_ids": ["document-viewer"]}))
            .await;
        let key_id = key["id"].as_str().unwrap().to_string();
        let (_, generated) = dev
            .post(&format!("/api-keys/{key_id}/generate"), json!({}))
            .await;
        let seen_secret = generated["secret"].as_str().unwrap().to_string();

        // Deactivating Dev: the dialog names the key whose secret Dev saw.
        page.click("a[href='/people']").await;
        page.click("button[aria-label='Deactivate Dev Eloper']").await;
        page.wait_text("still has a secret Dev Eloper generated").await;
        audit(&page, "Deactivate: secrets they saw").await;
        page.click("button[aria-label='Regenerate Dev_Key']").await;
        // The new secret, shown once, over the deactivation dialog.
        page.wait_for("#generated-secret").await;
        let fresh = page.value("#generated-secret").await;
        page.click("#stored-key").await;
        page.click_button("Done").await;
        page.wait_gone("#generated-secret").await;
        page.wait_gone("button[aria-label='Regenerate Dev_Key']").await;
        assert_ne!(fresh, seen_secret);
        assert_eq!(as_system(&page.base, &seen_secret, "/whoami").await.as_u16(), 401);
        assert_eq!(as_system(&page.base, &fresh, "/whoami").await.as_u16(), 200);

        // A password Ada chose for Bo opens only "set your own".
        let (status, _) = admin
            .post(
                "/users",
                json!({"name": "Bo Builder", "email": "bo@acme.io", "password": PASSWORD, "role_ids": ["developer"]}),
            )
            .await;
        assert_eq!(status.as_u16(), 201);
        page.goto("/api-keys").await;
        page.click_button("Sign out").await;
        page.wait_for("#sign-in-email").await;
        page.sign_in("bo@acme.io", PASSWORD).await;
        page.wait_text("Set your own password").await;
        assert!(!page.exists("nav").await, "no way around it");
        audit(&page, "Set your own password").await;
        page.fill("#given-password", PASSWORD).await;
        page.fill("#own-password", DEV_PASSWORD).await;
        page.click_button("Set my password").await;
        page.wait_text("Create API Key").await;
        page.wait_path("/api-keys").await;
    })
    .await;
}
