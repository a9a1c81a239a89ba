//! The table of API keys, with sortable columns and per-row actions gated by
//! what the person may do.

use keydesk_contract::types::{ApiKey, ApiKeySort, ApiKeyStatus};
use leptos::prelude::*;

use super::key_selection::Selection;
use crate::time;

/// What the person may do to keys; actions they may not take are disabled with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowPermissions {
    pub refresh: bool,
    pub update: bool,
    pub delete: bool,
}

/// A row action the person chose.
#[derive(Debug, Clone, PartialEq)]
pub enum RowAction {
    Generate(ApiKey),
    Regenerate(ApiKey),
    Edit(ApiKey),
    Usage(ApiKey),
    Disable(ApiKey),
    Enable(ApiKey),
    Remove(ApiKey),
    /// Where it may be used from.
    Networks(ApiKey),
}

#[component]
pub fn KeysTable(
    #[prop(into)] keys: Signal<Vec<ApiKey>>,
    sort: RwSignal<ApiKeySort>,
    allowed: RowPermissions,
    #[prop(into)] on_action: Callback<RowAction>,
    /// Rows can be selected for a bulk action.
    selection: Selection,
) -> impl IntoView {
    let visible = move || keys.with(|k| k.iter().map(|k| k.id.clone()).collect::<Vec<_>>());
    let all_on_page = move || {
        let rows = visible();
        !rows.is_empty() && rows.iter().all(|id| selection.contains(id))
    };
    view! {
        <table class="keys-table">
            <caption class="visually-hidden">"API keys"</caption>
            <thead>
                <tr>
                    <th scope="col" class="select-cell">
                        <input type="checkbox" id="select-page" aria-label="Select every key shown"
                            prop:checked=all_on_page
                            on:change=move |ev| selection.set(&visible(), event_target_checked(&ev))/>
                    </th>
                    <SortHeader label="Name" asc=ApiKeySort::NameAsc desc=Some(ApiKeySort::NameDesc) sort=sort/>
                    <th scope="col">"Roles"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Key"</th>
                    <SortHeader label="Created" asc=ApiKeySort::CreatedAsc desc=Some(ApiKeySort::CreatedDesc) sort=sort/>
                    <SortHeader label="Last used" asc=ApiKeySort::LastUsed desc=None sort=sort/>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                <For each=move || keys.get() key=|k| (k.id.clone(), k.updated_at.clone(), k.last_used_at.clone()) let:key>
                    <KeyRow key=key allowed=allowed on_action=on_action selection=selection rows=Signal::derive(visible)/>
                </For>
            </tbody>
        </table>
    }
}

/// A column header that sorts: first click ascending (or the only order), next descending.
#[component]
fn SortHeader(
    label: &'static str,
    asc: ApiKeySort,
    desc: Option<ApiKeySort>,
    sort: RwSignal<ApiKeySort>,
) -> impl IntoView {
    let state = move || {
        let s = sort.get();
        if s == asc {
            if desc.is_some() {
                "ascending"
            } else {
                "descending"
            }
        } else if Some(s) == desc {
            "descending"
        } else {
            "none"
        }
    };
    let click = move |_| {
        let next = match desc {
            Some(d) if sort.get_untracked() == asc => d,
            _ => asc,
        };
        sort.set(next);
    };
    view! {
        <th scope="col" aria-sort=state>
            <button type="button" class="sort-button" on:click=click>
                {label}
                <span class="sort-button__arrow" aria-hidden="true">
                    {move || match state() { "ascending" => "▲", "descending" => "▼", _ => "↕" }}
                </span>
            </button>
        </th>
    }
}

#[component]
fn KeyRow(
    key: ApiKey,
    allowed: RowPermissions,
    on_action: Callback<RowAction>,
    selection: Selection,
    /// Every row's id, in order (for shift-click ranges).
    rows: Signal<Vec<String>>,
) -> impl IntoView {
    let status_class = format!("status status--{}", key.status.as_str());
    let prefix = key
        .display_prefix
        .as_ref()
        .map(|p| format!("{p}…"))
        .unwrap_or_else(|| "—".into());
    let created_title = format!(
        "{} by {}",
        time::exact(&key.created_at),
        key.created_by.name
    );
    let last_used = key.last_used_at.clone();
    let generated = key.status != ApiKeyStatus::NotGenerated;
    let expired = key.status == ApiKeyStatus::Expired;
    let no = |what: &str| format!("You need the service-accounts.{what} permission.");
    let disabled = key.status == ApiKeyStatus::Disabled;
    // A leaked key comes back only with a new secret: Regenerate, never Enable.
    let leaked = key.status == ApiKeyStatus::Leaked;
    let (k1, k2, k3, k4, k5) = (
        key.clone(),
        key.clone(),
        key.clone(),
        key.clone(),
        key.clone(),
    );
    let k6 = key.clone();
    let k7 = key.clone();
    let where_from = match (key.allowed_networks.len(), key.network_mode) {
        (0, _) => "From anywhere".to_string(),
        (n, mode) => format!(
            "From {n} network{}{}",
            if n == 1 { "" } else { "s" },
            if mode == keydesk_contract::types::NetworkMode::Report {
                " (report only)"
            } else {
                ""
            }
        ),
    };
    // Least privilege at a glance: permissions unused in the usage window.
    let unused = key.unused_permissions.filter(|n| *n > 0).map(|n| {
        let words = format!(
            "{n} permission{} unused for {} days",
            if n == 1 { "" } else { "s" },
            keydesk_contract::validation::USAGE_WINDOW_DAYS
        );
        view! {
            <button type="button" class="link-button key-row__unused"
                title="See what it used and the roles that would cover it"
                on:click=move |_| on_action.run(RowAction::Usage(k6.clone()))>{words}</button>
        }
    });
    view! {
        <tr class="key-row" data-key-name=key.name.clone()>
            <td class="select-cell">
                <input type="checkbox" aria-label=format!("Select {}", key.name)
                    prop:checked={ let id = key.id.clone(); move || selection.contains(&id) }
                    on:click={
                        let id = key.id.clone();
                        move |ev: leptos::ev::MouseEvent| {
                            let on = event_target_checked(&ev);
                            selection.click(&rows.get_untracked(), &id, on, ev.shift_key());
                        }
                    }/>
            </td>
            <th scope="row" data-label="Name">
                <span class="key-row__name">{key.name.clone()}</span>
                {(!key.description.is_empty()).then(|| view! { <span class="key-row__description">{key.description.clone()}</span> })}
            </th>
            <td data-label="Roles">
                <ul class="chips">
                    {key.roles.iter().map(|r| view! { <li class="chip">{r.name.clone()}</li> }).collect_view()}
                </ul>
                {unused}
            </td>
            <td data-label="Status">
                <span class=status_class>{key.status.label()}</span>
                {key.expires_at.clone().map(|t| {
                    let words = if expired { format!("expired {}", time::ago(&t)) } else { format!("expires {}", time::ago(&t)) };
                    view! { <time class="key-row__by" datetime=t.clone() title=time::exact(&t)>{words}</time> }
                })}
                {key.policy_violation.clone().map(|v| {
                    let why = match v.reason.as_str() { "no_expiry" => "never expires", _ => "lives too long" };
                    let when = v.enforce_from.as_deref().map(|t| format!(", stops {}; regenerate to renew", time::ago(t))).unwrap_or_default();
                    view! { <span class="key-row__policy" title=v.enforce_from.as_deref().map(time::exact)>{format!("Outside the key policy: {why}{when}")}</span> }
                })}
                {leaked.then(|| view! { <span class="key-row__policy">"Its secret was reported leaked. Regenerate to switch it on with a new one."</span> })}
                {(key.status == ApiKeyStatus::Decoy).then(|| view! { <span class="key-row__by">"Authenticates nothing; any use raises an alarm"</span> })}
                <button type="button" class="link-button key-row__networks" disabled=!allowed.update
                    aria-label=format!("Networks of {}: {}", key.name, where_from)
                    on:click=move |_| on_action.run(RowAction::Networks(k7.clone()))>{where_from.clone()}</button>
            </td>
            <td data-label="Key"><code class="prefix">{prefix}</code></td>
            <td data-label="Created">
                <time datetime=key.created_at.clone() title=created_title>{time::ago(&key.created_at)}</time>
                <span class="key-row__by">{format!("by {}", key.created_by.name)}</span>
            </td>
            <td data-label="Last used">
                {match last_used {
                    Some(t) => view! { <time datetime=t.clone() title=time::exact(&t)>{time::ago(&t)}</time> }.into_any(),
                    None => view! { <span class="muted">"Never"</span> }.into_any(),
                }}
                {key.last_used_from.clone().map(|from| view! { <span class="key-row__by">{format!("from {from}")}</span> })}
                <button type="button" class="link-button key-row__usage"
                    aria-label=format!("Usage of {}", key.name)
                    on:click=move |_| on_action.run(RowAction::Usage(k5.clone()))>"Usage"</button>
            </td>
            <td class="key-row__actions">
                <div class="key-row__buttons">
                {if generated {
                    view! {
                        <button type="button" class=if leaked { "button button--small button--primary" } else { "button button--small" }
                            disabled=!allowed.refresh
                            title=(!allowed.refresh).then(|| no("refresh"))
                            on:click=move |_| on_action.run(RowAction::Regenerate(k1.clone()))>"Regenerate"</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button button--small button--primary" disabled=!allowed.refresh || expired
                            title=(!allowed.refresh).then(|| no("refresh"))
                            on:click=move |_| on_action.run(RowAction::Generate(k1.clone()))>"Generate"</button>
                    }.into_any()
                }}
                <button type="button" class="button button--small" disabled=!allowed.update
                    title=(!allowed.update).then(|| no("update"))
                    aria-label=format!("Edit {}", key.name)
                    on:click=move |_| on_action.run(RowAction::Edit(k2.clone()))>"Edit"</button>
                {(!leaked).then(|| view! {
                    <button type="button" class="button button--small" disabled=!allowed.update
                        title=(!allowed.update).then(|| no("update"))
                        aria-label=format!("{} {}", if disabled { "Enable" } else { "Disable" }, k4.name)
                        on:click=move |_| on_action.run(if disabled { RowAction::Enable(k4.clone()) } else { RowAction::Disable(k4.clone()) })>
                        {if disabled { "Enable" } else { "Disable" }}
                    </button>
                })}
                <button type="button" class="button button--small button--danger-quiet" disabled=!allowed.delete
                    title=(!allowed.delete).then(|| no("delete"))
                    aria-label=format!("Remove {}", key.name)
                    on:click=move |_| on_action.run(RowAction::Remove(k3.clone()))>"Remove"</button>
                </div>
            </td>
        </tr>
    }
}
