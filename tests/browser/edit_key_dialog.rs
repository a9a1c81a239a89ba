use keydesk_contract::types::{ApiKey, UpdateApiKeyRequest};
use keydesk_web::components::edit_key_dialog::{EditKeyDialog, KeyEdit};
use leptos::prelude::*;
use std::collections::BTreeSet;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn the_edit_double_check_lists_added_and_removed_permissions() {
    let key = sample_key("Billing_Reader", &["billing-reader"]);
    let sent = RwSignal::new(Vec::<(String, u64, UpdateApiKeyRequest)>::new());
    let saved = RwSignal::new(None::<ApiKey>);
    let page = mount(move || {
        let answer = sample_key("Billing_Reader", &["document-viewer"]);
        let update = Action::new_local(move |call: &KeyEdit| {
            sent.update(|s| s.push(call.clone()));
            let answer = answer.clone();
            async move { Ok(answer) }
        });
        view! {
            <EditKeyDialog key=key roles=Signal::stored(built_in_roles()) my_permissions=permissions_of(&["admin"])
                update=update on_saved=move |k| saved.set(Some(k)) on_close=|_| {}/>
        }
    });
    settle().await;
    assert_eq!(
        value_of(&page, "#key-name"),
        "Billing_Reader",
        "starts from the key as it is"
    );
    set_checked(&page, "#role-billing-reader", false);
    set_checked(&page, "#role-document-viewer", true);
    click(&button(&page, "Next: review changes"));
    until(|| text(&page).contains("Review what changes")).await;

    let before: BTreeSet<String> = permissions_of(&["billing-reader"]).into_iter().collect();
    let after: BTreeSet<String> = permissions_of(&["document-viewer"]).into_iter().collect();
    let added: Vec<String> = after.difference(&before).cloned().collect();
    let removed: Vec<String> = before.difference(&after).cloned().collect();
    assert!(!added.is_empty() && !removed.is_empty());
    assert_eq!(listed_permissions(&page, ".permission--added"), added);
    assert_eq!(listed_permissions(&page, ".permission--removed"), removed);

    click(&button(&page, "Save changes"));
    until(|| saved.get_untracked().is_some()).await;
    let (id, version, request) = sent.get_untracked().pop().unwrap();
    assert_eq!(
        version, 1,
        "the edit is conditional on the version it was made on"
    );
    assert_eq!(id, "key_billing_reader");
    assert_eq!(request.role_ids, Some(vec!["document-viewer".to_string()]));
    assert_eq!(request.name, None, "unchanged fields are not sent");
}
