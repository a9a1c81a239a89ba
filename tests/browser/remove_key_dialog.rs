use keydesk_web::components::remove_key_dialog::RemoveKeyDialog;
use leptos::prelude::*;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn remove_stays_disabled_until_the_exact_name_is_typed() {
    let removed = RwSignal::new(Vec::<String>::new());
    let done = RwSignal::new(false);
    let page = mount(move || {
        let remove = Action::new_local(move |id: &String| {
            removed.update(|r| r.push(id.clone()));
            async { Ok(()) }
        });
        view! { <RemoveKeyDialog key=sample_key("Billing_Reader", &["billing-reader"]) remove=remove on_removed=move |_| done.set(true) on_close=|_| {}/> }
    });
    settle().await;
    assert!(text(&page).contains("stop working"));
    let remove = || button(&page, "Remove key");
    assert!(is_disabled(&remove()));
    for almost in ["Billing_Read", "billing_reader", "Billing_Reader!"] {
        type_into(&page, "#confirm-name", almost);
        settle().await;
        assert!(is_disabled(&remove()), "{almost} must not enable Remove");
    }
    click(&remove());
    settle().await;
    assert!(removed.get_untracked().is_empty());

    type_into(&page, "#confirm-name", "Billing_Reader");
    settle().await;
    assert!(!is_disabled(&remove()));
    click(&remove());
    until(|| done.get_untracked()).await;
    assert_eq!(removed.get_untracked(), ["key_billing_reader"]);
}
