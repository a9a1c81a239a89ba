//! Permissions as people check them: grouped by resource, each with its
//! description, from the contract's catalogue. Also the added/removed view of an edit.

use keydesk_contract::permissions::{self, PermissionDef};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Every permission in `ids`, grouped by resource.
#[component]
pub fn PermissionList(
    /// Permission ids, e.g. `billing.retrieve`.
    permissions: Vec<String>,
    /// Adds a class to each item, e.g. to mark added or removed ones.
    #[prop(into, optional)]
    mark: Option<String>,
) -> impl IntoView {
    let groups = permissions::group_by_resource(permissions.iter().map(String::as_str));
    let mark = mark.unwrap_or_default();
    view! {
        <div class="permission-groups">
            {groups
                .into_iter()
                .map(|(resource, items)| {
                    let mark = mark.clone();
                    view! {
                        <section class="permission-group">
                            <h4 class="permission-group__resource">{resource}</h4>
                            <ul class="permission-group__items">
                                {items.into_iter().map(|p| item(p, &mark)).collect_view()}
                            </ul>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

fn item(p: &'static PermissionDef, mark: &str) -> impl IntoView {
    view! {
        <li class=format!("permission {mark}") data-permission=p.id>
            <code class="permission__id">{p.id}</code>
            <span class="permission__description">{p.description}</span>
        </li>
    }
}

/// The difference between a key's permissions before and after an edit.
#[component]
pub fn PermissionDiff(before: Vec<String>, after: Vec<String>) -> impl IntoView {
    let before: BTreeSet<String> = before.into_iter().collect();
    let after: BTreeSet<String> = after.into_iter().collect();
    let added: Vec<String> = after.difference(&before).cloned().collect();
    let removed: Vec<String> = before.difference(&after).cloned().collect();
    let kept: Vec<String> = after.intersection(&before).cloned().collect();
    let unchanged = added.is_empty() && removed.is_empty();
    view! {
        <div class="permission-diff">
            {unchanged.then(|| view! { <p class="permission-diff__none">"The permissions do not change."</p> })}
            {(!added.is_empty()).then(|| view! {
                <section class="permission-diff__added" aria-label="Added permissions">
                    <h3>{format!("Added ({})", added.len())}</h3>
                    <PermissionList permissions=added.clone() mark="permission--added"/>
                </section>
            })}
            {(!removed.is_empty()).then(|| view! {
                <section class="permission-diff__removed" aria-label="Removed permissions">
                    <h3>{format!("Removed ({})", removed.len())}</h3>
                    <PermissionList permissions=removed.clone() mark="permission--removed"/>
                </section>
            })}
            {(!kept.is_empty()).then(|| view! {
                <details class="permission-diff__kept">
                    <summary>{format!("Unchanged ({})", kept.len())}</summary>
                    <PermissionList permissions=kept.clone()/>
                </details>
            })}
        </div>
    }
}
