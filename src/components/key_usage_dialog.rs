//! What one key really does: when and from where it was last used, its
//! requests over the last 30 days as a sparkline, each permission marked
//! used or unused, and least privilege: the narrowest set of roles that
//! covers what it used, which opens Edit pre-filled, or, when no set of
//! roles is narrower than the key's own, a custom role made to measure.

use keydesk_contract::types::{ApiKey, KeyUsage, Role, Suggestion, UsageDay};
use leptos::prelude::*;

use super::loading::Loading;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api;
use crate::time;

/// The window the view looks at.
const DAYS: u32 = keydesk_contract::validation::USAGE_WINDOW_DAYS;

#[component]
pub fn KeyUsageDialog(
    key: ApiKey,
    #[prop(into)] roles: Signal<Vec<Role>>,
    /// Opens Edit with these roles in place of the key's.
    #[prop(into)]
    on_narrow: Callback<Vec<String>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let id = key.id.clone();
    // One request: the usage answer carries least privilege too.
    let answer = LocalResource::new(move || {
        let id = id.clone();
        async move { api::key_usage(&id, DAYS).await }
    });
    let name = key.name.clone();
    let key = StoredValue::new(key);
    view! {
        <Modal labelled_by="usage-title" on_close=on_close can_close=Signal::stored(true)>
            <header class="modal__header">
                <h2 id="usage-title">{format!("{name}: usage")}</h2>
            </header>
            <div class="modal__content">
                {move || match answer.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(usage)) => {
                        let suggestion = usage.suggestion.clone();
                        view! {
                            <UsageSummary usage=usage.clone()/>
                            {suggestion.map(|suggestion| view! {
                                <LeastPrivilege suggestion=suggestion key_name=key.with_value(|k| k.name.clone()) roles=roles on_narrow=on_narrow/>
                            })}
                            <PermissionUses usage=usage/>
                        }.into_any()
                    }
                }}
                <footer class="modal__actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
                </footer>
            </div>
        </Modal>
    }
}

#[component]
fn UsageSummary(usage: KeyUsage) -> impl IntoView {
    let requests: u64 = usage.days.iter().map(|d| d.requests).sum();
    let refused: u64 = usage.days.iter().map(|d| d.refused).sum();
    let last = match (&usage.last_used_at, &usage.last_used_from) {
        (Some(t), Some(from)) => format!("Last used {} from {from}.", time::ago(t)),
        (Some(t), None) => format!("Last used {}.", time::ago(t)),
        _ => "Never used.".to_string(),
    };
    view! {
        <p class="usage__last">{last}</p>
        <figure class="usage__chart">
            <Sparkline days=usage.days/>
            <figcaption>{format!("{requests} requests in the last {DAYS} days, {refused} refused")}</figcaption>
        </figure>
    }
}

/// One bar per day, refused requests stacked in the danger colour.
/// Whole-pixel coordinates: integers are all the bars need, and they keep
/// float formatting (two of core's larger routines) out of the wasm.
#[component]
pub fn Sparkline(days: Vec<UsageDay>) -> impl IntoView {
    const HEIGHT: u64 = 40;
    let most = days.iter().map(|d| d.requests).max().unwrap_or(0).max(1);
    // Any day with requests shows at least one pixel.
    let pixels = |n: u64| (n * HEIGHT).div_ceil(most);
    let width = days.len() * 6;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = i * 6 + 1;
            let h = pixels(d.requests);
            let r = pixels(d.refused.min(d.requests));
            let title = format!("{}: {} requests, {} refused", d.date, d.requests, d.refused);
            view! {
                <g>
                    <title>{title}</title>
                    <rect class="spark__bar" x=x y=HEIGHT - h width=4 height=h/>
                    <rect class="spark__refused" x=x y=HEIGHT - r width=4 height=r/>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="spark" viewBox=format!("0 0 {width} {HEIGHT}") width=width height=HEIGHT role="img"
            aria-label=format!("Requests per day over the last {} days", days.len())>
            <line class="spark__base" x1="0" y1=HEIGHT x2=width y2=HEIGHT/>
            {bars}
        </svg>
    }
}

#[component]
pub fn LeastPrivilege(
    suggestion: Suggestion,
    /// The key's name, to name a role made to measure for it.
    key_name: String,
    #[prop(into)] roles: Signal<Vec<Role>>,
    on_narrow: Callback<Vec<String>>,
) -> impl IntoView {
    if suggestion.unused.is_empty() {
        return view! { <p class="notice notice--good">"It used every permission it holds."</p> }
            .into_any();
    }
    let n = suggestion.unused.len();
    let held = format!(
        "It holds {n} permission{} it has not used in {DAYS} days.",
        if n == 1 { "" } else { "s" }
    );
    let suggested = suggestion.suggested_role_ids.clone();
    if suggested.is_empty() {
        return view! {
            <div class="notice" role="note">
                <p>{held}</p>
                <p>"It used none: if nothing needs it any more, disable it and see who complains, then remove it."</p>
            </div>
        }
        .into_any();
    }
    let narrower = suggestion.narrower;
    let exactly = suggestion.custom_role_permissions.clone();
    let names = move || {
        roles.with(|all| {
            suggested
                .iter()
                .map(|id| {
                    all.iter()
                        .find(|r| r.id == *id)
                        .map_or(id.clone(), |r| r.name.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    let ids = suggestion.suggested_role_ids;
    view! {
        <div class="notice" role="note">
            <p>{held}</p>
            {if !narrower {
                let n = exactly.len();
                let href = format!(
                    "/roles?new={}&for={}",
                    crate::api::encode(&exactly.join(",")),
                    crate::api::encode(&key_name),
                );
                view! {
                    <p>"No set of roles is narrower than the ones it holds."</p>
                    {(n > 0).then(|| view! {
                        <a class="button button--primary" href=href>
                            {format!("Create a role with exactly these {n} permission{}…", if n == 1 { "" } else { "s" })}
                        </a>
                    })}
                }.into_any()
            } else {
                view! {
                    <p>"What it used is covered by: " <strong>{names}</strong> "."</p>
                    <button type="button" class="button button--primary" on:click=move |_| on_narrow.run(ids.clone())>
                        "Narrow its roles…"
                    </button>
                }.into_any()
            }}
        </div>
    }
    .into_any()
}

#[component]
fn PermissionUses(usage: KeyUsage) -> impl IntoView {
    view! {
        <h3 class="usage__heading">"Permissions"</h3>
        <ul class="usage__permissions">
            {usage.permissions.into_iter().map(|p| {
                let (class, words) = if p.requests > 0 {
                    let times = if p.requests == 1 { "once".to_string() } else { format!("{} times", p.requests) };
                    ("tag tag--used", format!("used {times}, last {}", p.last_used_at.as_deref().map(time::ago).unwrap_or_default()))
                } else {
                    ("tag tag--unused", "unused".to_string())
                };
                view! {
                    <li data-permission=p.permission.clone()>
                        <code>{p.permission.clone()}</code>
                        " " <span class=class>{words}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
