//! The API Keys tab, driven through a `KeysApi` of the test's own (in place
//! of HTTP): what it asks for, what it shows, and which answers it ignores.

use keydesk_contract::types::{ApiKey, ApiKeyPage, ApiKeyQuery, ApiKeyStatus, GeneratedApiKey};
use keydesk_web::api::{ApiError, ApiResult};
use keydesk_web::pages::api_keys::{ApiKeys, KeysApi};
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::Router;
use std::future::Future;
use wasm_bindgen_test::*;

use crate::support::*;

fn page_of(items: Vec<ApiKey>, total: u64, more: bool) -> ApiKeyPage {
    ApiKeyPage {
        items,
        next_cursor: more.then(|| "25".to_string()),
        total,
    }
}

/// Waits `ms` milliseconds in the browser (an answer that takes its time).
async fn after(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Mounts the tab for an admin; `list` answers its list requests, and the
/// generate action answers with `secret` for whichever key.
fn mount_tab<L, F>(list: L, secret: &'static str) -> Mounted
where
    L: Fn(ApiKeyQuery, usize) -> F + 'static,
    F: Future<Output = ApiResult<ApiKeyPage>> + 'static,
{
    mount(move || {
        Session::provide(SessionState::SignedIn(ada_with(&["admin"])));
        provide_context(KeysApi::new(
            list,
            || async { Ok(built_in_roles()) },
            |_| Box::pin(async { Err(ApiError::Network) }),
            |_| Box::pin(async { Err(ApiError::Network) }),
            |_| Box::pin(async { Err(ApiError::Network) }),
            move |(id, _)| {
                Box::pin(async move {
                    let mut api_key = sample_key("Billing_Reader", &["billing-reader"]);
                    api_key.id = id;
                    Ok(GeneratedApiKey {
                        api_key,
                        secret: secret.into(),
                    })
                })
            },
            |(_, _, off)| {
                Box::pin(async move {
                    let mut key = sample_key("Billing_Reader", &["billing-reader"]);
                    if off {
                        key.status = ApiKeyStatus::Disabled;
                    }
                    Ok(key)
                })
            },
        ));
        view! { <Router><ApiKeys at_new=Signal::stored(false)/></Router> }
    })
}

fn row_names(page: &Mounted) -> Vec<String> {
    find_all(page, "tr.key-row")
        .iter()
        .filter_map(|r| r.get_attribute("data-key-name"))
        .collect()
}

#[wasm_bindgen_test]
async fn search_and_role_filter_ask_the_server_and_show_its_answer() {
    let asked = RwSignal::new(Vec::<ApiKeyQuery>::new());
    let page = mount_tab(
        move |q: ApiKeyQuery, _| {
            asked.update(|a| a.push(q.clone()));
            let all = [
                sample_key("Billing_Reader", &["billing-reader"]),
                sample_key("CRM_Sync", &["document-viewer"]),
            ];
            let search = q.search.clone().unwrap_or_default().to_lowercase();
            let role = q.role.clone().unwrap_or_default();
            let items: Vec<ApiKey> = all
                .into_iter()
                .filter(|k| k.name.to_lowercase().contains(&search))
                .filter(|k| role.is_empty() || k.roles.iter().any(|r| r.id == role))
                .collect();
            let total = items.len() as u64;
            async move { Ok(page_of(items, total, false)) }
        },
        "kd_live_unused",
    );
    until(|| row_names(&page).len() == 2).await;

    type_into(&page, "#key-search", "crm");
    until(|| row_names(&page) == ["CRM_Sync"]).await;
    assert_eq!(
        asked.get_untracked().last().unwrap().search.as_deref(),
        Some("crm")
    );

    type_into(&page, "#key-search", "");
    until(|| row_names(&page).len() == 2).await;
    let role: web_sys::HtmlSelectElement = find(&page, "#key-role-filter").unchecked_into();
    role.set_value("billing-reader");
    role.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    until(|| row_names(&page) == ["Billing_Reader"]).await;
    assert_eq!(
        asked.get_untracked().last().unwrap().role.as_deref(),
        Some("billing-reader")
    );
}

#[wasm_bindgen_test]
async fn load_more_asks_for_one_page_more() {
    let keys: Vec<ApiKey> = (0..30)
        .map(|n| sample_key(&format!("Key_{n:02}"), &["document-viewer"]))
        .collect();
    let page = mount_tab(
        move |_, pages| {
            let shown: Vec<ApiKey> = keys.iter().take(25 * pages).cloned().collect();
            let more = shown.len() < keys.len();
            async move { Ok(page_of(shown, 30, more)) }
        },
        "kd_live_unused",
    );
    until(|| row_names(&page).len() == 25).await;
    let more = button(&page, "Load more (25 of 30)");
    click(&more);
    until(|| row_names(&page).len() == 30).await;
    assert!(!text(&page).contains("Load more"), "nothing more to load");
}

#[wasm_bindgen_test]
async fn an_answer_to_an_older_question_is_dropped() {
    let slow_answered = RwSignal::new(false);
    let page = mount_tab(
        move |q: ApiKeyQuery, _| async move {
            if q.search.as_deref().unwrap_or_default().is_empty() {
                // The first question's answer arrives last.
                after(700).await;
                slow_answered.set(true);
                Ok(page_of(
                    vec![sample_key("Stale_Key", &["document-viewer"])],
                    1,
                    false,
                ))
            } else {
                Ok(page_of(
                    vec![sample_key("Fresh_Key", &["document-viewer"])],
                    1,
                    false,
                ))
            }
        },
        "kd_live_unused",
    );
    settle().await;
    type_into(&page, "#key-search", "fresh");
    until(|| row_names(&page) == ["Fresh_Key"]).await;
    until(|| slow_answered.get_untracked()).await;
    settle().await;
    assert_eq!(
        row_names(&page),
        ["Fresh_Key"],
        "the late answer is ignored"
    );
}

#[wasm_bindgen_test]
async fn row_actions_open_their_dialogs_and_generate_shows_the_secret() {
    let page = mount_tab(
        move |_, _| async move {
            let mut fresh = sample_key("New_Key", &["document-viewer"]);
            fresh.status = ApiKeyStatus::NotGenerated;
            fresh.display_prefix = None;
            Ok(page_of(
                vec![sample_key("Billing_Reader", &["billing-reader"]), fresh],
                2,
                false,
            ))
        },
        "kd_live_PageTestSecretDDDDDDDDDDDDDDDDDD000000",
    );
    until(|| row_names(&page).len() == 2).await;

    click(&find(&page, "button[aria-label='Edit Billing_Reader']"));
    until(|| exists(&page, "dialog[open] #key-name")).await;
    // The edit starts from the key as it is.
    until(|| value_of(&page, "#key-name") == "Billing_Reader").await;
    press_escape(&find(&page, "dialog"));
    until(|| !exists(&page, "dialog")).await;

    click(&find(&page, "button[aria-label='Remove Billing_Reader']"));
    until(|| exists(&page, "dialog[open] #confirm-name")).await;
    press_escape(&find(&page, "dialog"));
    until(|| !exists(&page, "dialog")).await;

    click(&button(&page, "Generate"));
    until(|| exists(&page, "dialog[open] #generated-secret")).await;
    assert_eq!(
        value_of(&page, "#generated-secret"),
        "kd_live_PageTestSecretDDDDDDDDDDDDDDDDDD000000"
    );
}

#[wasm_bindgen_test]
async fn disable_asks_first_enable_acts_at_once_and_each_says_so() {
    let page = mount_tab(
        move |_, _| async move {
            let mut off = sample_key("Old_Reader", &["billing-reader"]);
            off.status = ApiKeyStatus::Disabled;
            Ok(page_of(
                vec![sample_key("Billing_Reader", &["billing-reader"]), off],
                2,
                false,
            ))
        },
        "kd_live_PageTestSecretDDDDDDDDDDDDDDDDDD000000",
    );
    until(|| row_names(&page).len() == 2).await;
    let said = |page: &Mounted| {
        find(page, "[role=status]")
            .text_content()
            .unwrap_or_default()
    };

    // A switched-off key offers Enable, which needs no confirmation.
    click(&find(&page, "button[aria-label='Enable Old_Reader']"));
    until(|| said(&page) == "Billing_Reader was enabled.").await;
    assert!(!exists(&page, "dialog"));

    // Disable explains what stops, and waits for a yes.
    click(&find(&page, "button[aria-label='Disable Billing_Reader']"));
    until(|| exists(&page, "dialog[open] #disable-title")).await;
    assert!(find(&page, "dialog[open]")
        .text_content()
        .unwrap_or_default()
        .contains("refused until you enable it again"));
    click(&button(&page, "Disable key"));
    until(|| said(&page) == "Billing_Reader was disabled.").await;
    until(|| !exists(&page, "dialog")).await;
}

#[wasm_bindgen_test]
async fn a_row_shows_where_its_key_was_last_used_from() {
    let page = mount_tab(
        move |_, _| async move {
            let mut used = sample_key("Billing_Reader", &["billing-reader"]);
            used.last_used_at = Some("2026-11-26T10:00:00.000000Z".into());
            used.last_used_from = Some("203.0.113.9".into());
            Ok(page_of(vec![used], 1, false))
        },
        "kd_live_PageTestSecretDDDDDDDDDDDDDDDDDD000000",
    );
    until(|| row_names(&page).len() == 1).await;
    let row = find(&page, "tr.key-row").text_content().unwrap_or_default();
    assert!(row.contains("from 203.0.113.9"), "{row}");
    assert!(exists(
        &page,
        "button[aria-label='Usage of Billing_Reader']"
    ));
}

#[wasm_bindgen_test]
async fn a_row_holding_unused_permissions_says_so_and_opens_its_usage() {
    let page = mount_tab(
        move |_, _| async move {
            let mut wide = sample_key("Billing_Reader", &["billing-reader"]);
            wide.unused_permissions = Some(3);
            let mut young = sample_key("New_Key", &["document-viewer"]);
            young.unused_permissions = None;
            Ok(page_of(vec![wide, young], 2, false))
        },
        "kd_live_PageTestSecretDDDDDDDDDDDDDDDDDD000000",
    );
    until(|| row_names(&page).len() == 2).await;
    let hint = |name: &str| {
        find(&page, &format!("tr[data-key-name='{name}']"))
            .query_selector(".key-row__unused")
            .unwrap()
    };
    assert_eq!(
        hint("Billing_Reader").unwrap().text_content().unwrap(),
        "3 permissions unused for 30 days"
    );
    assert!(
        hint("New_Key").is_none(),
        "a key younger than the window is not judged"
    );
    click(&hint("Billing_Reader").unwrap());
    until(|| exists(&page, "dialog[open] #usage-title")).await;
}

#[wasm_bindgen_test]
async fn a_leaked_key_offers_regenerate_and_not_enable_and_a_decoy_says_what_it_is() {
    let page = mount_tab(
        move |_, _| async move {
            let mut leaked = sample_key("Billing_Reader", &["billing-reader"]);
            leaked.status = ApiKeyStatus::Leaked;
            let mut decoy = sample_key("Prod_Admin_Backup", &["developer"]);
            decoy.id = "key_decoy".into();
            decoy.status = ApiKeyStatus::Decoy;
            Ok(page_of(vec![leaked, decoy], 2, false))
        },
        "kd_live_PageTestSecretDDDDDDDDDDDDDDDDDD000000",
    );
    until(|| row_names(&page).len() == 2).await;
    let leaked = find(&page, "tr[data-key-name='Billing_Reader']");
    let text = leaked.text_content().unwrap_or_default();
    assert!(
        text.contains("Leaked") && text.contains("reported leaked"),
        "{text}"
    );
    assert!(!exists(
        &leaked,
        "button[aria-label='Enable Billing_Reader']"
    ));
    assert!(button(&leaked, "Regenerate")
        .class_name()
        .contains("button--primary"));
    let decoy = find(&page, "tr[data-key-name='Prod_Admin_Backup']");
    let text = decoy.text_content().unwrap_or_default();
    assert!(
        text.contains("Decoy") && text.contains("raises an alarm"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn networks_suggest_where_the_key_was_used_and_send_the_list_and_mode() {
    use keydesk_contract::guardrails::{KeyNetworksSeen, SeenNetwork};
    use keydesk_contract::types::{NetworkMode, UpdateApiKeyRequest};
    use keydesk_web::components::networks_dialog::NetworksDialog;
    let sent = RwSignal::new(Vec::<UpdateApiKeyRequest>::new());
    let page = mount(move || {
        let seen = Action::new_local(|_: &String| async {
            ApiResult::Ok(KeyNetworksSeen {
                seen: vec![SeenNetwork {
                    network: "203.0.113.0/24".into(),
                    requests: 1234,
                    last_used_at: "2026-11-30T10:00:00.000000Z".into(),
                }],
                suggested: vec!["203.0.113.0/24".into(), "2001:db8::/64".into()],
            })
        });
        let update = Action::new_local(move |(_, _, req): &(String, u64, UpdateApiKeyRequest)| {
            sent.update(|s| s.push(req.clone()));
            let bad = req
                .allowed_networks
                .as_ref()
                .is_some_and(|n| n.iter().any(|n| n == "office"));
            async move {
                if bad {
                    let m = "“office” is not an IPv4 or IPv6 network.".to_string();
                    Err(ApiError::Invalid {
                        message: m.clone(),
                        fields: [("allowed_networks".to_string(), m)].into(),
                    })
                } else {
                    Ok(sample_key("Billing_Reader", &["billing-reader"]))
                }
            }
        });
        view! {
            <NetworksDialog key=sample_key("Billing_Reader", &["billing-reader"]) seen=seen update=update
                on_saved=|_| {} on_close=|_| {}/>
        }
    });
    until(|| exists(&page, ".seen-network")).await;
    assert!(text(&find(&page, ".seen-network")).contains("1234 requests"));
    type_into(&page, "#allowed-networks", "office");
    click(&button(&page, "Save networks"));
    until(|| exists(&page, "#allowed-networks-error")).await;
    assert_eq!(
        value_of(&page, "#allowed-networks"),
        "office",
        "what was typed stays"
    );
    click(&button(&page, "Use these networks"));
    until(|| value_of(&page, "#allowed-networks").contains("2001:db8::/64")).await;
    set_checked(&page, "#network-report", true);
    click(&button(&page, "Save networks"));
    until(|| sent.get_untracked().len() == 2).await;
    let last = sent.get_untracked()[1].clone();
    assert_eq!(
        last.allowed_networks.unwrap(),
        ["203.0.113.0/24", "2001:db8::/64"]
    );
    assert_eq!(last.network_mode, Some(NetworkMode::Report));
}
