use keydesk_contract::types::{ApiKey, CreateApiKeyRequest};
use keydesk_contract::validation;
use keydesk_web::api::ApiError;
use keydesk_web::components::create_key_dialog::CreateKeyDialog;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::support::*;

/// Mounts the dialog for a person holding `mine`; `answer` is what the
/// server would say. Returns the page element and the requests sent.
fn open_dialog(
    mine: Vec<String>,
    answer: Result<ApiKey, ApiError>,
) -> (Mounted, RwSignal<Vec<CreateApiKeyRequest>>) {
    let sent = RwSignal::new(Vec::new());
    let page = mount(move || {
        let create = Action::new_local(move |req: &CreateApiKeyRequest| {
            sent.update(|s| s.push(req.clone()));
            let answer = answer.clone();
            async move { answer }
        });
        view! {
            <CreateKeyDialog roles=Signal::stored(built_in_roles()) my_permissions=mine create=create
                on_created=|_| {} on_generate=|_| {} on_close=|_| {}/>
        }
    });
    (page, sent)
}

fn everything() -> Vec<String> {
    permissions_of(&["admin"])
}

#[wasm_bindgen_test]
async fn an_invalid_name_gets_the_servers_message_and_back_keeps_what_was_typed() {
    let (page, sent) = open_dialog(
        everything(),
        Ok(sample_key("Billing_Reader", &["billing-reader"])),
    );
    settle().await;
    type_into(&page, "#key-name", "ab");
    type_into(&page, "#key-description", "Reads invoices every night");
    set_checked(&page, "#role-billing-reader", true);
    click(&button(&page, "Next: double-check"));
    settle().await;
    let shown = find(&page, "#key-name-error").text_content().unwrap();
    assert_eq!(
        shown,
        validation::key_name("ab").unwrap_err(),
        "same words as the server"
    );
    assert_eq!(
        find(&page, "#key-name")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(exists(&page, "#key-name"), "still on the details step");

    type_into(&page, "#key-name", "Billing_Reader");
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("Double-check permissions")).await;
    click(&button(&page, "Back"));
    until(|| exists(&page, "#key-name")).await;
    settle().await;
    assert_eq!(value_of(&page, "#key-name"), "Billing_Reader");
    assert_eq!(
        value_of(&page, "#key-description"),
        "Reads invoices every night"
    );
    assert!(find(&page, "#role-billing-reader")
        .unchecked_into::<web_sys::HtmlInputElement>()
        .checked());
    assert!(
        sent.get_untracked().is_empty(),
        "nothing is sent before Create"
    );
}

#[wasm_bindgen_test]
async fn the_double_check_lists_exactly_the_union_of_the_chosen_roles() {
    let (page, sent) = open_dialog(
        everything(),
        Ok(sample_key(
            "Billing_Reader",
            &["billing-reader", "document-generation-manager"],
        )),
    );
    settle().await;
    type_into(&page, "#key-name", "Billing_Reader");
    set_checked(&page, "#role-billing-reader", true);
    set_checked(&page, "#role-document-generation-manager", true);
    settle().await;
    let union = permissions_of(&["billing-reader", "document-generation-manager"]);
    assert!(
        text(&page).contains(&format!("Grants {} permissions.", union.len())),
        "live count"
    );
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("will be granted to")).await;
    assert_eq!(listed_permissions(&page, ".permission"), union);
    assert!(text(&page).contains("Billing_Reader"));

    click(&button(&page, "Create API Key"));
    until(|| text(&page).contains("API key created")).await;
    let request = sent.get_untracked().pop().unwrap();
    assert_eq!(request.name, "Billing_Reader");
    assert_eq!(
        request.role_ids,
        ["billing-reader", "document-generation-manager"]
    );
    assert!(exists(&page, "button") && text(&page).contains("Generate key now"));
}

#[wasm_bindgen_test]
async fn a_role_the_person_cannot_grant_is_disabled_with_the_reason() {
    let (page, _) = open_dialog(
        permissions_of(&["developer"]),
        Ok(sample_key("x", &["developer"])),
    );
    settle().await;
    let admin = find(&page, "#role-admin");
    assert!(is_disabled(&admin));
    let reason = find(&page, "#role-admin-reason").text_content().unwrap();
    assert!(
        reason.contains("You cannot grant this role") && reason.contains("accounts.retrieve"),
        "{reason}"
    );
    assert!(!is_disabled(&find(&page, "#role-developer")));
    assert!(!is_disabled(&find(&page, "#role-document-viewer")));
    assert!(!exists(&page, "#role-developer-reason"));
}

#[wasm_bindgen_test]
async fn a_name_the_server_refuses_is_shown_at_the_field_and_the_text_stays() {
    let taken = ApiError::Invalid {
        message: "Name is already used by another key.".into(),
        fields: [(
            "name".to_string(),
            "Name is already used by another key.".to_string(),
        )]
        .into(),
    };
    let (page, sent) = open_dialog(everything(), Err(taken));
    settle().await;
    type_into(&page, "#key-name", "Billing_Reader");
    type_into(&page, "#key-description", "kept");
    set_checked(&page, "#role-document-viewer", true);
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("will be granted to")).await;
    click(&button(&page, "Create API Key"));
    until(|| exists(&page, "#key-name")).await;
    settle().await;
    until(|| {
        find(&page, "#key-name-error").text_content().unwrap()
            == "Name is already used by another key."
    })
    .await;
    assert_eq!(value_of(&page, "#key-name"), "Billing_Reader");
    assert_eq!(value_of(&page, "#key-description"), "kept");
    assert_eq!(sent.get_untracked().len(), 1);
}

#[wasm_bindgen_test]
async fn create_is_disabled_while_the_request_is_in_flight() {
    let sent = RwSignal::new(0);
    let page = mount(move || {
        // A call that never answers: the button must stay disabled, no second send.
        let create = Action::new_local(move |_req: &CreateApiKeyRequest| {
            sent.update(|n| *n += 1);
            std::future::pending::<Result<ApiKey, ApiError>>()
        });
        view! {
            <CreateKeyDialog roles=Signal::stored(built_in_roles()) my_permissions=permissions_of(&["admin"]) create=create
                on_created=|_| {} on_generate=|_| {} on_close=|_| {}/>
        }
    });
    settle().await;
    type_into(&page, "#key-name", "Billing_Reader");
    set_checked(&page, "#role-document-viewer", true);
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("will be granted to")).await;
    click(&button(&page, "Create API Key"));
    until(|| text(&page).contains("Creating…")).await;
    let busy = button(&page, "Creating…");
    assert!(is_disabled(&busy));
    click(&busy);
    settle().await;
    assert_eq!(sent.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn a_chosen_lifetime_is_confirmed_and_sent() {
    let (page, sent) = open_dialog(
        everything(),
        Ok(sample_key("Short_Lived", &["document-viewer"])),
    );
    settle().await;
    type_into(&page, "#key-name", "Short_Lived");
    set_checked(&page, "#role-document-viewer", true);
    let select: web_sys::HtmlSelectElement = find(&page, "#key-expiry").unchecked_into();
    select.set_value("90");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("stops working 90 days after")).await;
    click(&button(&page, "Create API Key"));
    until(|| !sent.get_untracked().is_empty()).await;
    assert_eq!(sent.get_untracked()[0].expires_in_days, Some(90));
}

#[wasm_bindgen_test]
async fn a_decoy_is_asked_for_with_its_box_and_sent_as_one() {
    let (page, sent) = open_dialog(
        everything(),
        Ok(sample_key("Prod_Admin_Backup", &["developer"])),
    );
    settle().await;
    type_into(&page, "#key-name", "Prod_Admin_Backup");
    type_into(&page, "#key-description", "Planted in the old deploy repo");
    set_checked(&page, "#role-developer", true);
    assert!(text(&page).contains("any use raises an alarm"));
    set_checked(&page, "#key-decoy", true);
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("will be granted to")).await;
    click(&button(&page, "Create API Key"));
    until(|| !sent.get_untracked().is_empty()).await;
    assert!(sent.get_untracked()[0].decoy, "sent as a decoy");
}
