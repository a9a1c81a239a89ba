//! Bulk actions on the API Keys tab: rows selected one by one and by a
//! shift-click range, a preview of each key before confirming, confirm only
//! when every key can be changed, and the selection cleared after.

use keydesk_contract::bulk::{BulkAction, BulkPreview, BulkPreviewItem, BulkRequest};
use keydesk_contract::types::{ApiKeyPage, NamedRef};
use keydesk_web::api::{ApiError, ApiResult};
use keydesk_web::pages::api_keys::{ApiKeys, KeysApi};
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::Router;
use wasm_bindgen_test::*;

use crate::support::*;

const NAMES: [&str; 5] = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"];

/// The tab with five keys; the preview refuses keys named in `refused`.
fn mount_tab(refused: &'static [&'static str], applied: RwSignal<Vec<BulkRequest>>) -> Mounted {
    mount(move || {
        Session::provide(SessionState::SignedIn(ada_with(&["admin"])));
        let api = KeysApi::new(
            |_, _| async {
                let items: Vec<_> = NAMES
                    .iter()
                    .map(|n| {
                        let mut k = sample_key(n, &["developer"]);
                        k.id = format!("key_{n}");
                        k
                    })
                    .collect();
                ApiResult::Ok(ApiKeyPage {
                    total: items.len() as u64,
                    items,
                    next_cursor: None,
                })
            },
            || async { Ok(built_in_roles()) },
            |_| Box::pin(async { Err(ApiError::Network) }),
            |_| Box::pin(async { Err(ApiError::Network) }),
            |_| Box::pin(async { Err(ApiError::Network) }),
            |_| Box::pin(async { Err(ApiError::Network) }),
            |_| Box::pin(async { Err(ApiError::Network) }),
        )
        .with_bulk(
            move |req: BulkRequest| {
                Box::pin(async move {
                    ApiResult::Ok(BulkPreview {
                        items: req
                            .ids
                            .iter()
                            .map(|id| {
                                let name = id.trim_start_matches("key_").to_string();
                                let no = refused.contains(&name.as_str());
                                BulkPreviewItem {
                                    allowed: !no,
                                    reason: no.then(|| "It grants what you do not hold.".into()),
                                    requests_last_7_days: 42,
                                    api_key: NamedRef {
                                        id: id.clone(),
                                        name,
                                    },
                                }
                            })
                            .collect(),
                    })
                })
            },
            move |req| {
                applied.update(|a| a.push(req));
                Box::pin(async { ApiResult::Ok(()) })
            },
        );
        provide_context(api);
        view! { <Router><ApiKeys at_new=Signal::stored(false)/></Router> }
    })
}

fn tick(page: &Mounted, name: &str, shift: bool) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_shift_key(shift);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    find(page, &format!("input[aria-label='Select {name}']"))
        .dispatch_event(&event)
        .unwrap();
}

fn checked(page: &Mounted, name: &str) -> bool {
    find(page, &format!("input[aria-label='Select {name}']"))
        .unchecked_into::<web_sys::HtmlInputElement>()
        .checked()
}

#[wasm_bindgen_test]
async fn a_shift_click_selects_a_range_and_the_preview_comes_before_the_change() {
    let applied = RwSignal::new(Vec::new());
    let page = mount_tab(&[], applied);
    until(|| exists(&page, "input[aria-label='Select Echo']")).await;
    tick(&page, "Bravo", false);
    tick(&page, "Delta", true);
    until(|| text(&page).contains("3 selected")).await;
    assert_eq!(
        NAMES.map(|n| checked(&page, n)),
        [false, true, true, true, false],
        "Bravo to Delta"
    );
    tick(&page, "Charlie", false);
    until(|| text(&page).contains("2 selected")).await;

    click(&button(&page, "Disable"));
    until(|| exists(&page, ".bulk-row")).await;
    let rows = find_all(&page, ".bulk-row");
    assert_eq!(rows.len(), 2);
    assert!(text(&rows[0]).contains("Bravo") && text(&rows[0]).contains("42"));
    assert!(
        applied.get_untracked().is_empty(),
        "nothing before confirming"
    );
    click(&button(&page, "Disable 2 keys"));
    until(|| !applied.get_untracked().is_empty()).await;
    let sent = applied.get_untracked()[0].clone();
    assert_eq!(sent.action, BulkAction::Disable);
    assert_eq!(sent.ids, ["key_Bravo", "key_Delta"]);
    until(|| !exists(&page, ".bulk-bar")).await;
    assert!(!checked(&page, "Bravo"), "the selection is cleared after");
}

#[wasm_bindgen_test]
async fn one_key_that_cannot_be_changed_keeps_the_confirm_button_asleep_and_says_why() {
    let applied = RwSignal::new(Vec::new());
    let page = mount_tab(&["Charlie"], applied);
    until(|| exists(&page, "#select-page")).await;
    set_checked(&page, "#select-page", true);
    until(|| text(&page).contains("5 selected")).await;
    click(&button(&page, "Remove"));
    until(|| exists(&page, ".bulk-row")).await;
    assert!(text(&page).contains("It grants what you do not hold."));
    assert!(text(&page).contains("Nothing is changed unless every selected key can be"));
    assert!(is_disabled(&button(&page, "Remove 5 keys")));
    assert!(applied.get_untracked().is_empty());
}
