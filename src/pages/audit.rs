//! Audit: who changed what, and when, newest first (product rule 8).

use keydesk_contract::roles;
use keydesk_contract::types::{ActorKind, AuditEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::error_panel::ErrorPanel;
use crate::session::use_session;
use crate::time;

/// What happened, in words: "created API key", "regenerated the secret of".
pub fn describe(event: &AuditEvent) -> String {
    let regenerated = event
        .details
        .get("regenerated")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    match event.action.as_str() {
        "api_key.created" => "created API key".into(),
        "api_key.updated" => "edited API key".into(),
        "api_key.generated" if regenerated => "regenerated the secret of API key".into(),
        "api_key.generated" => "generated the secret of API key".into(),
        "api_key.deleted" => "removed API key".into(),
        "user.created" => "added".into(),
        "user.signed_in" => "signed in".into(),
        "user.locked_out" => "was locked out after repeated failed sign-ins".into(),
        "organization.created" => "created the organization".into(),
        other => other.replace(['.', '_'], " "),
    }
}

/// Whether the event is about its own actor (a sign-in): then the target
/// is not named a second time.
pub fn about_oneself(event: &AuditEvent) -> bool {
    event.target.id == event.actor.id
}

/// What an edit changed, e.g. "roles: Billing Reader → Developer; renamed from Billing",
/// or where a sign-in came from.
pub fn changes(event: &AuditEvent) -> Option<String> {
    if let Some(address) = event.details.get("client_address").and_then(|a| a.as_str()) {
        return Some(format!("from {address}"));
    }
    if event.action != "api_key.updated" {
        return None;
    }
    let role_names = |v: &serde_json::Value| -> String {
        let names: Vec<&str> = v
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| id.as_str())
                    .map(|id| roles::find(id).map_or(id, |r| r.name))
                    .collect()
            })
            .unwrap_or_default();
        names.join(", ")
    };
    let d = &event.details;
    let mut parts = Vec::new();
    if let Some(r) = d.get("role_ids").filter(|r| !r.is_null()) {
        parts.push(format!(
            "roles: {} → {}",
            role_names(&r["from"]),
            role_names(&r["to"])
        ));
    }
    if let Some(from) = d.get("name").and_then(|n| n["from"].as_str()) {
        parts.push(format!("renamed from {from}"));
    }
    if d.get("description").is_some_and(|v| !v.is_null()) {
        parts.push("description changed".into());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[component]
pub fn AuditTrailPage() -> impl IntoView {
    let session = use_session();
    let events = RwSignal::new(Vec::<AuditEvent>::new());
    let next = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(true);

    let load = move |cursor: Option<String>| {
        loading.set(true);
        failure.set(None);
        spawn_local(async move {
            let result = api::audit_events(cursor.as_deref()).await;
            if loading.is_disposed() {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    let first = cursor.is_none();
                    events.update(|e| {
                        if first {
                            e.clear();
                        }
                        e.extend(page.items);
                    });
                    next.set(page.next_cursor);
                }
                Err(e) => {
                    failure.set(Some(e.clone()));
                    session.notice(&e);
                }
            }
        });
    };
    load(None);

    view! {
        <header class="page__header">
            <h1>"Audit trail"</h1>
            <p class="page__lead">"Every change to API keys and people: who made it, when, and what changed."</p>
        </header>
        {move || failure.get().map(|e| {
            let e = match e {
                ApiError::Forbidden(_) => ApiError::Forbidden("Viewing the audit trail needs the audit-events.retrieve permission.".into()),
                other => other,
            };
            view! { <ErrorPanel error=e on_retry=Callback::new(move |_| load(None))/> }
        })}
        <AuditList events=events/>
        {move || (loading.get() && events.with(Vec::is_empty)).then(|| view! { <p class="loading" role="status">"Loading…"</p> })}
        {move || next.get().map(|cursor| view! {
            <button type="button" class="button load-more" disabled=move || loading.get()
                on:click=move |_| load(Some(cursor.clone()))>"Load more"</button>
        })}
    }
}

/// The events as a list a person can scan.
#[component]
pub fn AuditList(#[prop(into)] events: Signal<Vec<AuditEvent>>) -> impl IntoView {
    view! {
        <ol class="audit-list">
            <For each=move || events.get() key=|e| e.id.clone() let:event>
                <li class="audit-event">
                    <time datetime=event.at.clone() title=time::exact(&event.at)>{time::ago(&event.at)}</time>
                    <p class="audit-event__what">
                        <strong>{event.actor.name.clone()}</strong>
                        {(event.actor.kind == ActorKind::ApiKey).then_some(" (API key)")}
                        " " {describe(&event)}
                        {(!about_oneself(&event)).then(|| view! { " " <strong>{event.target.name.clone()}</strong> })}
                    </p>
                    {changes(&event).map(|c| view! { <p class="audit-event__changes">{c}</p> })}
                </li>
            </For>
        </ol>
    }
}
