//! A leaked key (#23): its secret is found "in a repository" and reported
//! by a scanner through the public endpoint; Ada sees the key leaked and
//! switched off, and regenerates it, with no grace for the leaked secret.

use keydesk_e2e::accessibility::audit;
use keydesk_e2e::http::as_system;
use keydesk_e2e::journey;
use reqwest::StatusCode;
use serde_json::json;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_key_found_in_a_repository_is_reported_seen_leaked_and_regenerated() {
    journey("j21_leaked_key", |page| async move {
        signed_up(&page).await;
        let leaked = key_with_secret(&page, "Billing_Reader", &["billing-reader"]).await;
        // Beside it, a decoy with a long name, generated: the list as a team has it.
        let admin = as_admin(&page).await;
        let (status, decoy) = admin
            .post(
                "/api-keys",
                json!({"name": "Prod_Admin_Backup", "description": "Used by Prod_Admin_Backup",
                       "role_ids": ["admin"], "decoy": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{decoy}");
        let generate = format!("/api-keys/{}/generate", decoy["id"].as_str().unwrap());
        assert_eq!(admin.post(&generate, json!({})).await.0, StatusCode::OK);
        // A scanner found it in a public repository and reports it, without an account.
        let found_in_repository = format!("BILLING_API_KEY={leaked}\n");
        let secret = found_in_repository
            .trim()
            .trim_start_matches("BILLING_API_KEY=");
        let answer = reqwest::Client::new()
            .post(format!("{}/api/v1/leaked-keys", page.base))
            .json(&json!({"secrets": [secret]}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::ACCEPTED);
        assert_eq!(
            as_system(&page.base, &leaked, "/whoami").await,
            StatusCode::UNAUTHORIZED,
            "switched off at once"
        );

        page.reload().await;
        page.wait_text("reported leaked").await;
        table_fits(&page, "API Keys, a leaked key and a decoy").await;
        let status = page
            .text(&format!("{} .status", row("Billing_Reader")))
            .await;
        assert_eq!(status.trim(), "Leaked");
        assert!(
            !page
                .exists("button[aria-label='Enable Billing_Reader']")
                .await,
            "no way to switch the leaked secret back on"
        );
        audit(&page, "API Keys: a leaked key").await;
        page.click(&format!(
            "{} .key-row__actions .button--primary",
            row("Billing_Reader")
        ))
        .await;
        page.wait_text("reported leaked, so the old one never works again")
            .await;
        audit(&page, "Regenerate a leaked key").await;
        page.click_button("Regenerate key").await;
        let fresh = take_secret_and_close(&page).await;
        assert_eq!(
            as_system(&page.base, &fresh, "/whoami").await,
            StatusCode::OK
        );
        assert_eq!(
            as_system(&page.base, &leaked, "/whoami").await,
            StatusCode::UNAUTHORIZED
        );
        page.until("the row shows the key active again", || async {
            let status = page
                .text(&format!("{} .status", row("Billing_Reader")))
                .await;
            (status.trim() == "Active").then_some(())
        })
        .await;
        table_fits(&page, "API Keys, a row with all four buttons").await;
    })
    .await;
}
