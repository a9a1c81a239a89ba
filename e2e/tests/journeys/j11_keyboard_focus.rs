use keydesk_e2e::{journey_in, Browser, Page};

use crate::steps::*;

/// The id (or, failing that, the words) of the element that has focus.
async fn focused(page: &Page) -> String {
    page.script("const e = document.activeElement; return e ? (e.id || e.getAttribute('aria-label') || e.textContent.trim()) : ''")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A keyboard user closes a dialog with a real Escape key: focus goes back
/// to the button that opened it, in each browser.
async fn escape_gives_focus_back(page: Page) {
    signed_up(&page).await;
    let admin = as_admin(&page).await;
    let (status, _) = admin
        .post(
            "/api-keys",
            serde_json::json!({"name": "Billing_Reader", "role_ids": ["billing-reader"]}),
        )
        .await;
    assert_eq!(status.as_u16(), 201);
    page.reload().await;
    page.wait_for(&row("Billing_Reader")).await;

    for (opener, dialog_shows) in [
        (
            "button[aria-label='Edit Billing_Reader']",
            "dialog[open] #key-name",
        ),
        (
            "button[aria-label='Remove Billing_Reader']",
            "dialog[open] #confirm-name",
        ),
    ] {
        page.click(opener).await;
        page.wait_for(dialog_shows).await;
        page.press_escape().await;
        page.wait_gone("dialog[open]").await;
        let label = opener.split('\'').nth(1).unwrap().to_string();
        page.until(&format!("focus back on {label}"), || async {
            (focused(&page).await == label).then_some(())
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_gives_focus_back_to_the_opener_in_chromium() {
    journey_in(
        Browser::Chromium,
        "j11_keyboard_focus_chromium",
        escape_gives_focus_back,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_gives_focus_back_to_the_opener_in_firefox() {
    journey_in(
        Browser::Firefox,
        "j11_keyboard_focus_firefox",
        escape_gives_focus_back,
    )
    .await;
}
