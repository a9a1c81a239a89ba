//! Key policy and signed events (#22): Ada tightens the key policy after a
//! preview names the key it affects, points the organization's events at
//! an endpoint (a real receiver started here), creates a key, and the
//! endpoint receives its `api_key.created`, signed with the secret shown once.

use std::time::Duration;

use keydesk_e2e::accessibility::audit;
use keydesk_e2e::journey;
use keydesk_server::webhook_receiver::Receiver;
use serde_json::json;

use crate::steps::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_is_previewed_and_saved_and_a_new_key_reaches_the_endpoint_signed() {
    journey("j20_key_policy_and_events", |page| async move {
        signed_up(&page).await;
        let admin = as_admin(&page).await;
        let (status, key) = admin
            .post(
                "/api-keys",
                json!({"name": "Forever_Key", "role_ids": ["document-viewer"]}),
            )
            .await;
        assert_eq!(status.as_u16(), 201);
        let key_id = key["id"].as_str().unwrap();
        let (status, _) = admin
            .post(&format!("/api-keys/{key_id}/generate"), json!({}))
            .await;
        assert_eq!(status.as_u16(), 200);
        let receiver = Receiver::start().await;

        // The policy: previewed first, naming the key it affects.
        page.click("a[href='/settings']").await;
        page.wait_for("#policy-require-expiry").await;
        page.click("#policy-require-expiry").await;
        page.fill("#policy-max-days", "90").await;
        page.fill("#policy-default-days", "30").await;
        page.click_button("Preview").await;
        page.wait_for(".policy-preview__row").await;
        let affected = page.text(".policy-preview__row").await;
        assert!(
            affected.contains("Forever_Key") && affected.contains("never expires"),
            "{affected}"
        );
        audit(&page, "Settings: key policy preview").await;
        page.click_button("Save key policy").await;
        page.wait_text("Keys outside the policy stop working").await;

        // Events go to the receiver; the secret is shown once.
        page.fill("#destination-url", &receiver.url).await;
        page.fill("#destination-description", "Our SIEM").await;
        page.click_button("Add destination").await;
        page.wait_for("#signing-secret").await;
        let secret = page.text("#signing-secret").await;
        assert!(secret.starts_with("whsec_"), "{secret}");
        audit(&page, "Settings: events, secret shown once").await;
        page.click_button("Done").await;
        page.wait_gone("#signing-secret").await;
        assert!(!page.body_text().await.contains(&secret));

        // A key made through the screens arrives at the endpoint, signed.
        page.click("a[href='/api-keys']").await;
        key_with_secret(&page, "Billing_Reader", &["billing-reader"]).await;
        let named = |r: &keydesk_server::webhook_receiver::Received| {
            r.event_type() == "api_key.created"
                && r.json["data"]["target"]["name"] == "Billing_Reader"
        };
        let got = receiver
            .wait_until(Duration::from_secs(20), |got| got.iter().any(named))
            .await;
        let created = got.into_iter().find(named).unwrap();
        assert!(created.verifies_with(&secret), "{created:?}");
        assert!(
            created.json["data"]["details"]["expires_at"].is_string(),
            "the policy's default lifetime was filled in: {}",
            created.body
        );

        // The delivery log says so.
        page.click("a[href='/settings']").await;
        page.click_button("Deliveries").await;
        page.wait_for(".delivery-row").await;
        page.until("the delivery shows as delivered", || async {
            let log = page.text("dialog[open]").await;
            let delivered = log.contains("api_key.created") && log.contains("Delivered");
            if !delivered {
                page.click_button("Refresh").await;
            }
            delivered.then_some(())
        })
        .await;
        audit(&page, "Settings: delivery log").await;
    })
    .await;
}
