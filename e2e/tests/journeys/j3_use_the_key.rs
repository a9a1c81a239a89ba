use keydesk_e2e::http::as_system;
use keydesk_e2e::journey;
use reqwest::StatusCode;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_generated_secret_does_exactly_what_its_roles_grant() {
    journey("j3_use_the_key", |page| async move {
        signed_up(&page).await;
        let secret = key_with_secret(&page, "Deploy_Bot", &["developer"]).await;
        assert_eq!(
            as_system(&page.base, &secret, "/whoami").await,
            StatusCode::OK
        );
        // Developer grants service-accounts.retrieve and roles.retrieve ...
        assert_eq!(
            as_system(&page.base, &secret, "/api-keys").await,
            StatusCode::OK
        );
        assert_eq!(
            as_system(&page.base, &secret, "/roles").await,
            StatusCode::OK
        );
        // ... but not users.retrieve.
        assert_eq!(
            as_system(&page.base, &secret, "/users").await,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}
