use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_person_changes_their_password_and_signs_in_with_the_new_one() {
    journey("j12_my_account", |page| async move {
        signed_up(&page).await;
        page.click("a[href='/account']").await;
        page.wait_text("Change password").await;
        audit(&page, "My account").await;

        page.fill("#current-password", "not my password at all")
            .await;
        page.fill("#new-password", "marble otter quietly folds umbrellas")
            .await;
        page.click_button("Change password").await;
        page.wait_text("The current password is not right.").await;
        assert_eq!(
            page.value("#new-password").await,
            "marble otter quietly folds umbrellas"
        );

        page.fill("#current-password", PASSWORD).await;
        page.click_button("Change password").await;
        page.wait_text("Password changed").await;
        let violations = page.csp_violations().await;
        assert!(violations.is_empty(), "{violations:?}");

        page.click_button("Sign out everywhere").await;
        page.wait_for("#sign-in-email").await;
        page.sign_in("ada@acme.io", PASSWORD).await;
        page.wait_text("The email or password is not right.").await;
        page.sign_in("ada@acme.io", "marble otter quietly folds umbrellas")
            .await;
        page.wait_path("/api-keys").await;
    })
    .await;
}
