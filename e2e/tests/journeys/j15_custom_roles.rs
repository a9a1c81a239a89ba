use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;
use std::collections::BTreeSet;

use crate::steps::*;

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_makes_a_custom_role_gives_it_to_a_key_and_an_edit_changes_what_the_key_may_do() {
    journey("j15_custom_roles", |page| async move {
        signed_up(&page).await;
        page.click("a[href='/roles']").await;
        page.wait_text("Document Viewer").await;
        audit(&page, "Roles").await;

        // Start from a built-in role: Duplicate, rename, add a permission.
        page.click("button[aria-label='Duplicate Document Viewer']")
            .await;
        page.wait_for("dialog[open] #role-name").await;
        assert_eq!(page.value("#role-name").await, "Document Viewer copy");
        audit(&page, "Create role: details").await;
        page.fill("#role-name", "Support Desk").await;
        page.click("#permission-templates-retrieve").await;
        page.click_button("Next: double-check").await;
        page.wait_text("will grant these 3 permissions").await;
        audit(&page, "Create role: double-check").await;
        assert_eq!(
            listed_permissions(&page, "").await,
            set(&[
                "renders.retrieve",
                "documents.retrieve",
                "templates.retrieve"
            ])
        );
        page.click("dialog[open] .modal__actions .button--primary")
            .await;
        page.wait_gone("dialog[open]").await;
        page.wait_for("button[aria-label='Edit Support Desk']")
            .await;

        // Give it to a key; the key can do exactly that.
        let (_, roles) = as_admin(&page).await.get("/roles").await;
        let role_id = roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "Support Desk")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        page.click("a[href='/api-keys']").await;
        let secret = key_with_secret(&page, "Support_Bot", &[&role_id]).await;
        page.wait_text("Support Desk").await;
        assert_eq!(
            whoami_permissions(&page, &secret)
                .await
                .into_iter()
                .collect::<BTreeSet<String>>(),
            set(&[
                "renders.retrieve",
                "documents.retrieve",
                "templates.retrieve"
            ])
        );

        // Edit the role: who it affects and what changes are shown first,
        // and the key's very next call reflects it.
        page.click("a[href='/roles']").await;
        page.click("button[aria-label='Edit Support Desk']").await;
        page.wait_for("dialog[open] #role-name").await;
        page.click("#permission-templates-retrieve").await;
        page.click("#permission-folders-retrieve").await;
        page.click_button("Next: double-check").await;
        page.wait_text("affects 1 key and 0 people").await;
        audit(&page, "Edit role: review").await;
        assert_eq!(
            listed_permissions(&page, "--added").await,
            set(&["folders.retrieve"])
        );
        assert_eq!(
            listed_permissions(&page, "--removed").await,
            set(&["templates.retrieve"])
        );
        page.click_button("Save changes").await;
        page.wait_gone("dialog[open]").await;
        assert_eq!(
            whoami_permissions(&page, &secret)
                .await
                .into_iter()
                .collect::<BTreeSet<String>>(),
            set(&["renders.retrieve", "documents.retrieve", "folders.retrieve"])
        );

        // While the key holds it, the role cannot be deleted, and the dialog says by whom.
        page.click("button[aria-label='Delete Support Desk']").await;
        page.wait_text("Support Desk is in use").await;
        page.wait_text("1 key and 0 people").await;
        audit(&page, "Delete role: in use").await;
        page.click_button("Close").await;
        page.wait_gone("dialog[open]").await;

        // A role nobody holds is deleted after a confirmation.
        let (status, _) = as_admin(&page)
            .await
            .post(
                "/roles",
                serde_json::json!({"name": "Spare", "permissions": ["documents.retrieve"]}),
            )
            .await;
        assert_eq!(status.as_u16(), 201);
        page.reload().await;
        page.click("button[aria-label='Delete Spare']").await;
        page.wait_text("Deleting it cannot be undone").await;
        audit(&page, "Delete role: confirm").await;
        page.click_button("Delete role").await;
        page.wait_gone("dialog[open]").await;
        page.wait_gone("button[aria-label='Edit Spare']").await;

        // The audit trail says what happened to the role.
        page.click("a[href='/audit']").await;
        page.wait_text("created role").await;
        page.wait_text("edited role").await;
    })
    .await;
}
