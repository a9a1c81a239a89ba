//! The inventory's matrix: a row per key, a column per permission grouped by
//! resource, each cell used, granted but unused, or empty.

use keydesk_contract::permissions;
use keydesk_contract::types::{InventoryCell, InventoryItem};
use leptos::prelude::*;

use crate::time;

/// The permissions' resources in order, each with how many columns it spans.
fn resource_groups(columns: &[String]) -> Vec<(String, usize)> {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for id in columns {
        let resource = id.split_once('.').map_or(id.as_str(), |(r, _)| r);
        match groups.last_mut() {
            Some((last, n)) if last == resource => *n += 1,
            _ => groups.push((resource.to_string(), 1)),
        }
    }
    groups
}

#[component]
pub fn InventoryMatrix(
    /// Every permission, in catalogue order.
    columns: Vec<String>,
    #[prop(into)] rows: Signal<Vec<InventoryItem>>,
) -> impl IntoView {
    let groups = resource_groups(&columns);
    let header_cells = columns
        .iter()
        .map(|id| {
            let action = id
                .split_once('.')
                .map_or(id.as_str(), |(_, a)| a)
                .to_string();
            let title = permissions::find(id)
                .map(|p| p.description)
                .unwrap_or_default();
            view! { <th scope="col" class="matrix__action" title=title><span>{action}</span></th> }
        })
        .collect_view();
    let columns = StoredValue::new(columns);
    view! {
        <div class="matrix-scroll" tabindex="0" role="region" aria-label="Keys and their permissions">
            <table class="matrix">
                <thead>
                    <tr>
                        <td class="matrix__corner"></td>
                        {groups.into_iter().map(|(resource, span)| view! {
                            <th scope="colgroup" colspan=span.to_string() class="matrix__resource">{resource}</th>
                        }).collect_view()}
                    </tr>
                    <tr>
                        <th scope="col" class="matrix__key">"Key"</th>
                        {header_cells}
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|item| item.api_key.id.clone() let:item>
                        <MatrixRow item=item columns=columns.get_value()/>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn MatrixRow(item: InventoryItem, columns: Vec<String>) -> impl IntoView {
    let unused = item.unused();
    let last_used = item.last_used_at.as_deref().map_or_else(
        || "never used".to_string(),
        |t| format!("last used {}", time::ago(t)),
    );
    let cells = columns
        .iter()
        .map(|p| {
            let (class, mark, words) = match item.cell(p) {
                InventoryCell::Used => ("cell cell--used", "●", "used"),
                InventoryCell::Unused => ("cell cell--unused", "○", "granted, unused"),
                InventoryCell::Empty => ("cell", "", "not granted"),
            };
            let title = format!("{p}: {words}");
            view! {
                <td class=class title=title>
                    <span aria-hidden="true">{mark}</span><span class="visually-hidden">{words}</span>
                </td>
            }
        })
        .collect_view();
    view! {
        <tr data-key-name=item.api_key.name.clone()>
            <th scope="row" class="matrix__key">
                <span class="matrix__name">{item.api_key.name.clone()}</span>
                <span class="matrix__meta">
                    <span class=format!("status status--{}", item.status.as_str())>{item.status.label()}</span>
                    " " {last_used}
                    {(unused > 0).then(|| format!(" · {unused} unused"))}
                </span>
            </th>
            {cells}
        </tr>
    }
}
