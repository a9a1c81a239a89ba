use keydesk_e2e::accessibility::audit;
use keydesk_e2e::{journey, Page};
use serde_json::json;

use crate::steps::*;

/// What the platform's key check answers for `secret` and `permission`.
async fn authorize(page: &Page, secret: &str, permission: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{}/api/v1/authorize", page.base))
        .bearer_auth(secret)
        .json(&json!({ "permission": permission }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_platform_checks_keys_and_the_console_shows_usage_inventory_and_least_privilege() {
    journey("j16_usage_and_inventory", |page| async move {
        signed_up(&page).await;
        let renderer = key_with_secret(&page, "Renderer", &["developer"]).await;
        let billing = key_with_secret(&page, "Billing_Export", &["billing-reader"]).await;

        // The render platform asks keydesk about each request it gets.
        for _ in 0..3 {
            assert_eq!(authorize(&page, &renderer, "documents.retrieve").await, 200);
        }
        assert_eq!(authorize(&page, &renderer, "renders.retrieve").await, 200);
        assert_eq!(authorize(&page, &billing, "billing.retrieve").await, 200);

        // The usage view: last use, the sparkline, each permission used or not.
        page.reload().await;
        page.wait_for(&row("Renderer")).await;
        page.click("button[aria-label='Usage of Renderer']").await;
        page.wait_text("4 requests in the last 30 days, 0 refused").await;
        page.wait_text("from 127.0.0.1").await;
        page.wait_for("dialog[open] li[data-permission='documents.retrieve'] .tag--used").await;
        page.wait_for("dialog[open] li[data-permission='service-accounts.delete'] .tag--unused").await;
        page.wait_for("dialog[open] svg.spark").await;
        page.wait_text("What it used is covered by: Document Viewer").await;
        audit(&page, "Key usage").await;

        // Least privilege: accept the suggestion, review what goes, save.
        page.click_button("Narrow its roles…").await;
        page.wait_for("dialog[open] #key-name").await;
        page.click_button("Next: review changes").await;
        page.wait_text("Review what changes").await;
        audit(&page, "Edit: narrowed to the suggestion").await;
        page.click_button("Save changes").await;
        page.wait_gone("dialog[open]").await;
        let (_, roles) = as_admin(&page).await.get("/roles").await;
        let viewer: Vec<String> = serde_json::from_value(
            roles.as_array().unwrap().iter().find(|r| r["id"] == "document-viewer").unwrap()["permissions"].clone(),
        )
        .unwrap();
        assert_eq!(whoami_permissions(&page, &renderer).await, viewer);

        // The inventory: a row per key, each cell used / unused / empty.
        page.click("a[href='/inventory']").await;
        page.wait_for("tr[data-key-name='Billing_Export']").await;
        page.wait_for("tr[data-key-name='Billing_Export'] td.cell--used[title='billing.retrieve: used']").await;
        page.wait_for("tr[data-key-name='Billing_Export'] td.cell--unused[title='accounts.retrieve: granted, unused']").await;
        page.wait_for("tr[data-key-name='Renderer'] td.cell--used[title='documents.retrieve: used']").await;
        audit(&page, "Inventory").await;
        page.fill("#inventory-search", "billing").await;
        page.wait_gone("tr[data-key-name='Renderer']").await;
        let csv = as_admin(&page).await.http().get(format!("{}/api/v1/inventory.csv", page.base)).send().await.unwrap().text().await.unwrap();
        assert!(csv.lines().any(|l| l.starts_with("Billing_Export,")), "{csv}");

        // Disable: the secret stops at once; Enable: it works again.
        page.click("a[href='/api-keys']").await;
        page.wait_for(&row("Billing_Export")).await;
        page.click("button[aria-label='Disable Billing_Export']").await;
        page.wait_for("dialog[open] #disable-title").await;
        audit(&page, "Disable key").await;
        page.click_button("Disable key").await;
        page.wait_gone("dialog[open]").await;
        page.wait_for("button[aria-label='Enable Billing_Export']").await;
        assert_eq!(authorize(&page, &billing, "billing.retrieve").await, 401);
        page.click("button[aria-label='Enable Billing_Export']").await;
        page.wait_for("button[aria-label='Disable Billing_Export']").await;
        assert_eq!(authorize(&page, &billing, "billing.retrieve").await, 200);
    })
    .await;
}
