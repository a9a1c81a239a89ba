//! The Inventory tab: which key (which system) needs which permission. One
//! matrix over every key, filtered by name, role and status, sorted, shown a
//! hundred rows at a time, and exported as CSV (the same matrix, from the
//! server).

use keydesk_contract::text::lowercase;
use keydesk_contract::types::{ApiKeyStatus, InventoryItem, RoleRef};
use leptos::prelude::*;

use crate::components::loading::Loading;

use crate::api;
use crate::components::data_boundary::DataBoundary;
use crate::components::inventory_matrix::InventoryMatrix;

/// The window the tab looks at.
const DAYS: u32 = keydesk_contract::validation::USAGE_WINDOW_DAYS;
/// Rows shown before "Show more".
pub const ROWS_PER_STEP: usize = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Name,
    MostUnused,
    LastUsed,
}

/// The rows matching the filters, in `order`.
fn shown(
    items: &[InventoryItem],
    search: &str,
    role: &str,
    status: Option<ApiKeyStatus>,
    order: Order,
) -> Vec<InventoryItem> {
    let search = lowercase(search.trim());
    let mut rows: Vec<InventoryItem> = items
        .iter()
        .filter(|i| search.is_empty() || lowercase(&i.api_key.name).contains(&search))
        .filter(|i| role.is_empty() || i.roles.iter().any(|r| r.id == role))
        .filter(|i| status.is_none_or(|s| i.status == s))
        .cloned()
        .collect();
    let unused = |i: &InventoryItem| i.granted.iter().filter(|p| !i.used.contains(p)).count();
    match order {
        Order::Name => {}
        Order::MostUnused => rows.sort_by_key(|i| std::cmp::Reverse(unused(i))),
        Order::LastUsed => rows.sort_by(|a, b| b.last_used_at.cmp(&a.last_used_at)),
    }
    rows
}

#[component]
pub fn InventoryPage() -> impl IntoView {
    let inventory = LocalResource::new(|| api::inventory(DAYS));
    let search = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let status = RwSignal::new(None::<ApiKeyStatus>);
    let order = RwSignal::new(Order::Name);
    let limit = RwSignal::new(ROWS_PER_STEP);
    view! {
        <header class="page__header page__header--with-action">
            <div>
                <h1>"Inventory"</h1>
                <p class="page__lead">{format!(
                    "Every key against every permission: ● used in the last {DAYS} days, ○ granted but unused. \
                     Unused permissions are the ones a key could lose."
                )}</p>
            </div>
            <div class="page__action">
                <a class="button" href=api::inventory_csv_url(DAYS) download="keydesk-inventory.csv">"Export CSV"</a>
            </div>
        </header>
        {move || inventory.with(Option::is_none).then(|| view! { <Loading/> })}
        <DataBoundary on_retry=move |_| inventory.refetch()>
            {move || inventory.get().map(|answer| answer.map(|inv| {
                let mut roles: Vec<RoleRef> = inv.items.iter().flat_map(|i| i.roles.clone()).collect();
                roles.sort_by(|a, b| a.name.cmp(&b.name));
                roles.dedup_by(|a, b| a.id == b.id);
                let items = StoredValue::new(inv.items);
                let matching = Memo::new(move |_| items.with_value(|items| {
                    shown(items, &search.get(), &role.get(), status.get(), order.get())
                }));
                let rows = Signal::derive(move || matching.with(|m| m.iter().take(limit.get()).cloned().collect::<Vec<_>>()));
                view! {
                    <div class="filters" role="search">
                        <label class="filters__search">
                            <span class="visually-hidden">"Search keys by name"</span>
                            <input type="search" id="inventory-search" placeholder="Search keys by name" autocomplete="off"
                                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
                        </label>
                        <label>"Role "
                            <select id="inventory-role" on:change=move |ev| role.set(event_target_value(&ev))>
                                <option value="">"Any role"</option>
                                {roles.into_iter().map(|r| view! { <option value=r.id.clone()>{r.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Status "
                            <select id="inventory-status" on:change=move |ev| status.set(ApiKeyStatus::parse(&event_target_value(&ev)))>
                                <option value="">"Any status"</option>
                                {ApiKeyStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Sort "
                            <select id="inventory-sort" on:change=move |ev| order.set(match event_target_value(&ev).as_str() {
                                "unused" => Order::MostUnused,
                                "last_used" => Order::LastUsed,
                                _ => Order::Name,
                            })>
                                <option value="name">"Name"</option>
                                <option value="unused">"Most unused permissions"</option>
                                <option value="last_used">"Recently used"</option>
                            </select>
                        </label>
                    </div>
                    <p class="muted" role="status">{move || format!("{} of {} keys", matching.with(Vec::len), items.with_value(Vec::len))}</p>
                    <InventoryMatrix columns=inv.permissions rows=rows/>
                    {move || (matching.with(Vec::len) > limit.get()).then(|| view! {
                        <button type="button" class="button load-more" on:click=move |_| limit.update(|n| *n += ROWS_PER_STEP)>
                            {format!("Show {ROWS_PER_STEP} more")}
                        </button>
                    })}
                }
            }))}
        </DataBoundary>
    }
}
