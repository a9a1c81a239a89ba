use keydesk_e2e::accessibility::audit;
use keydesk_e2e::http::as_system;
use keydesk_e2e::journey;
use reqwest::StatusCode;
use std::collections::BTreeSet;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn editing_roles_shows_the_difference_and_changes_the_keys_powers() {
    journey("j5_edit_roles", |page| async move {
        signed_up(&page).await;
        let secret = key_with_secret(&page, "Billing_Reader", &["developer"]).await;
        assert_eq!(
            as_system(&page.base, &secret, "/api-keys").await,
            StatusCode::OK
        );

        page.click("button[aria-label='Edit Billing_Reader']").await;
        page.wait_for("dialog[open] #key-name").await;
        page.click("#role-developer").await;
        page.click("#role-billing-reader").await;
        page.click_button("Next: review changes").await;
        page.wait_text("Review what changes").await;
        audit(&page, "Edit: review changes").await;

        let before = union_of_roles(&page, &["developer"]).await;
        let after = union_of_roles(&page, &["billing-reader"]).await;
        let added: BTreeSet<String> = after.difference(&before).cloned().collect();
        let removed: BTreeSet<String> = before.difference(&after).cloned().collect();
        assert_eq!(listed_permissions(&page, ".permission--added").await, added);
        assert_eq!(
            listed_permissions(&page, ".permission--removed").await,
            removed
        );

        page.click_button("Save changes").await;
        page.wait_gone("dialog[open]").await;
        page.wait_text("Billing Reader").await;
        assert_eq!(
            as_system(&page.base, &secret, "/api-keys").await,
            StatusCode::FORBIDDEN,
            "lost service-accounts.retrieve"
        );
        let who: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/api/v1/whoami", page.base))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let now: BTreeSet<String> = who["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(now, after);
    })
    .await;
}
