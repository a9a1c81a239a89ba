//! The inventory matrix and a key's usage sparkline.

use keydesk_contract::types::{ApiKeyStatus, InventoryItem, NamedRef, RoleRef, UsageDay};
use keydesk_web::components::inventory_matrix::InventoryMatrix;
use keydesk_web::components::key_usage_dialog::Sparkline;
use leptos::prelude::*;
use wasm_bindgen_test::*;

use crate::support::*;

fn item(name: &str, granted: &[&str], used: &[&str]) -> InventoryItem {
    InventoryItem {
        api_key: NamedRef {
            id: format!("key_{name}"),
            name: name.into(),
        },
        status: ApiKeyStatus::Active,
        roles: vec![RoleRef {
            id: "developer".into(),
            name: "Developer".into(),
        }],
        granted: granted.iter().map(|s| s.to_string()).collect(),
        used: used.iter().map(|s| s.to_string()).collect(),
        last_used_at: None,
    }
}

#[wasm_bindgen_test]
async fn each_cell_says_used_granted_but_unused_or_nothing_and_columns_group_by_resource() {
    let columns: Vec<String> = ["documents.retrieve", "documents.delete", "renders.retrieve"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows = vec![
        item(
            "Renderer",
            &["documents.retrieve", "documents.delete"],
            &["documents.retrieve"],
        ),
        item("Idle", &["renders.retrieve"], &[]),
    ];
    let page =
        mount(move || view! { <InventoryMatrix columns=columns rows=Signal::stored(rows)/> });
    until(|| exists(&page, "tr[data-key-name='Idle']")).await;
    let groups: Vec<(String, String)> = find_all(&page, "th.matrix__resource")
        .iter()
        .map(|th| {
            (
                th.text_content().unwrap_or_default(),
                th.get_attribute("colspan").unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            ("documents".into(), "2".into()),
            ("renders".into(), "1".into())
        ]
    );
    let cells = |name: &str| -> Vec<String> {
        find_all(&page, &format!("tr[data-key-name='{name}'] td"))
            .iter()
            .map(|td| td.get_attribute("class").unwrap_or_default())
            .collect()
    };
    assert_eq!(
        cells("Renderer"),
        ["cell cell--used", "cell cell--unused", "cell"]
    );
    assert_eq!(cells("Idle"), ["cell", "cell", "cell cell--unused"]);
    let renderer = find(&page, "tr[data-key-name='Renderer']")
        .text_content()
        .unwrap_or_default();
    assert!(
        renderer.contains("1 unused") && renderer.contains("never used"),
        "{renderer}"
    );
}

#[wasm_bindgen_test]
async fn the_sparkline_has_a_bar_per_day_scaled_to_the_busiest() {
    // Requests 0, 1, 10, 20, 30 (the busiest); 15 refused on the last day.
    let days: Vec<UsageDay> = [0, 1, 10, 20, 30]
        .into_iter()
        .enumerate()
        .map(|(n, requests)| UsageDay {
            date: format!("2026-11-2{n}"),
            requests,
            refused: if requests == 30 { 15 } else { 0 },
        })
        .collect();
    let page = mount(move || view! { <Sparkline days=days/> });
    until(|| exists(&page, "svg.spark")).await;
    let heights = |css: &str| -> Vec<u32> {
        find_all(&page, css)
            .iter()
            .map(|r| r.get_attribute("height").unwrap().parse().unwrap())
            .collect()
    };
    // 40 px for the busiest day, the others in proportion in whole pixels,
    // rounded up so that a day with any request at all shows.
    assert_eq!(heights("rect.spark__bar"), vec![0, 2, 14, 27, 40]);
    assert_eq!(heights("rect.spark__refused"), vec![0, 0, 0, 0, 20]);
    let label = find(&page, "svg.spark")
        .get_attribute("aria-label")
        .unwrap();
    assert_eq!(label, "Requests per day over the last 5 days");
}

fn suggestion(
    narrower: bool,
    roles: &[&str],
    exactly: &[&str],
) -> keydesk_contract::types::Suggestion {
    keydesk_contract::types::Suggestion {
        unused: vec!["renders.retrieve".into(), "accounts.retrieve".into()],
        suggested_role_ids: roles.iter().map(|s| s.to_string()).collect(),
        narrower,
        custom_role_permissions: exactly.iter().map(|s| s.to_string()).collect(),
    }
}

#[wasm_bindgen_test]
async fn least_privilege_offers_narrowing_only_when_it_narrows_and_else_a_role_made_to_measure() {
    use keydesk_web::components::key_usage_dialog::LeastPrivilege;
    // No set of roles is narrower: a custom role with exactly what was used.
    let page = mount(|| {
        view! {
            <LeastPrivilege suggestion=suggestion(false, &["document-viewer", "billing-reader"], &["billing.retrieve", "documents.retrieve"])
                key_name="Mixed".to_string() roles=Signal::stored(built_in_roles()) on_narrow=Callback::new(|_| {})/>
        }
    });
    until(|| text(&page).contains("No set of roles is narrower")).await;
    assert!(
        !text(&page).contains("Narrow its roles"),
        "never offered a widening"
    );
    let link = find(&page, "a.button");
    assert_eq!(
        link.text_content().unwrap(),
        "Create a role with exactly these 2 permissions…"
    );
    assert_eq!(
        link.get_attribute("href").unwrap(),
        "/roles?new=billing.retrieve%2Cdocuments.retrieve&for=Mixed"
    );
    drop(page);
    // A narrower set exists: Narrow its roles… opens Edit with it.
    let picked = RwSignal::new(Vec::<String>::new());
    let page = mount(move || {
        view! {
            <LeastPrivilege suggestion=suggestion(true, &["document-viewer"], &[])
                key_name="Renderer".to_string() roles=Signal::stored(built_in_roles())
                on_narrow=Callback::new(move |ids| picked.set(ids))/>
        }
    });
    until(|| text(&page).contains("Document Viewer")).await;
    click(&button(&page, "Narrow its roles…"));
    settle().await;
    assert_eq!(picked.get_untracked(), vec!["document-viewer".to_string()]);
}
