use keydesk_e2e::accessibility::audit;
use keydesk_e2e::http::Person;
use keydesk_e2e::journey;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_person_without_create_permission_cannot_create_by_button_or_address() {
    journey("j7_without_create_permission", |page| async move {
        let admin = Person::sign_up(&page.base, "Acme Render Co", "ada@acme.io", PASSWORD).await;
        admin
            .add_joined(
                "Grace Generator",
                "grace@acme.io",
                PASSWORD,
                &["document-generation-manager"],
            )
            .await;

        page.goto("/sign-in").await;
        page.sign_in("grace@acme.io", PASSWORD).await;
        page.wait_path("/api-keys").await;
        assert!(
            !page.is_button_enabled("Create API Key").await,
            "Create API Key is disabled"
        );
        let reason = page.text("#create-key-reason").await;
        assert!(
            reason.contains("service-accounts.create"),
            "the reason is shown: {reason}"
        );

        page.goto("/api-keys/new").await;
        page.wait_text("needs the service-accounts.create permission")
            .await;
        assert!(
            !page.exists("dialog[open]").await,
            "no Create dialog by address either"
        );
        audit(&page, "API Keys without create permission").await;
    })
    .await;
}
