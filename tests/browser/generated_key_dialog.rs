use keydesk_contract::types::GeneratedApiKey;
use keydesk_web::components::generated_key_dialog::GeneratedKeyDialog;
use leptos::prelude::*;
use wasm_bindgen_test::*;

use crate::support::*;

const SECRET: &str = "kd_live_TestSecretNotRealAAAAAAAAAAAAAAAA000000";

/// Tests run side by side in one page: each uses its own secret.
fn open_dialog(secret: &'static str) -> (Mounted, RwSignal<bool>) {
    let open = RwSignal::new(true);
    let page = mount(move || {
        let generated = GeneratedApiKey {
            api_key: sample_key("Billing_Reader", &["billing-reader"]),
            secret: secret.into(),
        };
        view! {
            <Show when=move || open.get()>
                <GeneratedKeyDialog generated=generated.clone() origin="https://keydesk.example" on_close=move |_| open.set(false)/>
            </Show>
        }
    });
    (page, open)
}

#[wasm_bindgen_test]
async fn cannot_be_closed_before_the_box_is_ticked_and_forgets_the_secret_after() {
    let (page, open) = open_dialog(SECRET);
    settle().await;
    let dialog = find(&page, "dialog");
    assert!(dialog.has_attribute("open"), "shown as a modal");
    assert_eq!(value_of(&page, "#generated-secret"), SECRET);
    let curl = value_of(&page, "#generated-curl");
    assert!(
        !curl.contains(SECRET),
        "the secret stays off command lines (history, ps)"
    );
    assert!(curl.contains("read -rs KEYDESK_API_KEY"), "{curl}");
    assert!(
        curl.contains(
            "\"$KEYDESK_API_KEY\" | curl -sS -H @- https://keydesk.example/api/v1/whoami"
        ),
        "{curl}"
    );
    assert!(text(&page).contains("shown only once"));

    press_escape(&dialog);
    settle().await;
    click(&dialog); // a click on the backdrop
    settle().await;
    let done = button(&page, "Done");
    assert!(is_disabled(&done));
    click(&done);
    settle().await;
    assert!(open.get_untracked(), "still open");
    assert!(find(&page, "dialog").has_attribute("open"));

    set_checked(&page, "#stored-key", true);
    settle().await;
    assert!(!is_disabled(&button(&page, "Done")));
    click(&button(&page, "Done"));
    until(|| !open.get_untracked()).await;
    settle().await;
    assert!(!exists(&page, "dialog"));
    let body = document().body().unwrap();
    assert!(
        !body.inner_html().contains(SECRET),
        "the secret is gone from the page"
    );
}

#[wasm_bindgen_test]
async fn escape_closes_once_the_box_is_ticked() {
    let (page, open) = open_dialog("kd_live_EscapeTestSecretBBBBBBBBBBBBBBBB000000");
    settle().await;
    set_checked(&page, "#stored-key", true);
    settle().await;
    press_escape(&find(&page, "dialog"));
    until(|| !open.get_untracked()).await;
}

#[wasm_bindgen_test]
async fn copy_confirms_with_copied() {
    let (page, _) = open_dialog("kd_live_CopyTestSecretCCCCCCCCCCCCCCCCCC000000");
    settle().await;
    click(&button(&page, "Copy"));
    let status = || find(&page, "#copy-status").text_content().unwrap();
    until(|| !status().is_empty()).await;
    assert!(status().contains("Copied the secret"), "{}", status());
    assert!(find_all(&page, "button")
        .iter()
        .any(|b| b.text_content().unwrap().trim() == "Copied"));
    assert!(find(&page, "#copy-status")
        .text_content()
        .unwrap()
        .contains("Copied the secret"));
}
