//! Edit → Networks: where a key may be used from (IPv4 and IPv6 ranges,
//! one a line; none: anywhere), and whether a call from elsewhere is
//! refused or only reported. It suggests the networks the key was actually
//! used from, busiest first, so an allowlist breaks nothing that works.

use keydesk_contract::guardrails::KeyNetworksSeen;
use keydesk_contract::types::{ApiKey, FieldErrors, NetworkMode, UpdateApiKeyRequest};
use leptos::prelude::*;

use super::edit_key_dialog::KeyEdit;
use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::time;

#[component]
pub fn NetworksDialog(
    key: ApiKey,
    /// Where the key was used from (by its id).
    seen: Action<String, ApiResult<KeyNetworksSeen>>,
    update: Action<KeyEdit, ApiResult<ApiKey>>,
    #[prop(into)] on_saved: Callback<ApiKey>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    seen.dispatch(key.id.clone());
    let asked = seen.version().get_untracked() + 1;
    let seen_now = move || {
        (seen.version().get() >= asked)
            .then(|| seen.value().get())
            .flatten()
    };
    let text = RwSignal::new(key.allowed_networks.join("\n"));
    let mode = RwSignal::new(key.network_mode);
    let errors = RwSignal::new(FieldErrors::new());
    let outcome = use_action_outcome_with_options(
        update,
        UseActionOutcomeOptions {
            on_success: Some(on_saved),
            on_fields: Some(Callback::new(move |f| errors.set(f))),
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);
    let (id, version) = (key.id.clone(), key.version);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        let networks: Vec<String> = text
            .get_untracked()
            .split(['\n', ',', ' '])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let request = UpdateApiKeyRequest {
            allowed_networks: Some(networks),
            network_mode: Some(mode.get_untracked()),
            ..Default::default()
        };
        update.dispatch((id.clone(), version, request));
    };
    let field_error = move || errors.with(|e| e.get("allowed_networks").cloned());
    view! {
        <Modal labelled_by="networks-title" on_close=on_close can_close=outcome.idle() class="modal--wide">
            <header class="modal__header">
                <h2 id="networks-title">{format!("Networks of {}", key.name)}</h2>
            </header>
            <form class="modal__content" novalidate on:submit=save>
                <label for="allowed-networks">"Allowed networks"</label>
                <p class="field__hint" id="allowed-networks-hint">"One IPv4 or IPv6 range a line, e.g. 203.0.113.0/24 or 2001:db8::/32. Empty: anywhere."</p>
                <textarea id="allowed-networks" rows="5" spellcheck="false"
                    aria-describedby="allowed-networks-hint allowed-networks-error"
                    aria-invalid=move || field_error().is_some().then_some("true")
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                {move || field_error().map(|m| view! { <p class="field__error" id="allowed-networks-error">{m}</p> })}
                <fieldset class="plain-fieldset">
                    <legend>"From elsewhere"</legend>
                    <label class="acknowledge"><input type="radio" name="network-mode" id="network-enforce"
                        prop:checked=move || mode.get() == NetworkMode::Enforce on:change=move |_| mode.set(NetworkMode::Enforce)/>
                        "Refuse (403), and raise an alarm"</label>
                    <label class="acknowledge"><input type="radio" name="network-mode" id="network-report"
                        prop:checked=move || mode.get() == NetworkMode::Report on:change=move |_| mode.set(NetworkMode::Report)/>
                        "Report only: serve it, and raise an alarm (try an allowlist before enforcing it)"</label>
                </fieldset>
                <h3>"Where it was used from"</h3>
                {move || match seen_now() {
                    None => view! { <p>"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(s)) if s.seen.is_empty() => view! { <p class="field__hint">"Not used yet."</p> }.into_any(),
                    Some(Ok(s)) => {
                        let suggested = s.suggested.join("\n");
                        view! {
                            <ul class="seen-networks">
                                {s.seen.into_iter().map(|n| view! {
                                    <li class="seen-network"><code>{n.network}</code>{format!(" — {} requests, last {}", n.requests, time::ago(&n.last_used_at))}</li>
                                }).collect_view()}
                            </ul>
                            <button type="button" class="button button--small" on:click=move |_| text.set(suggested.clone())>"Use these networks"</button>
                        }.into_any()
                    }
                }}
                {move || failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                <footer class="modal__actions">
                    <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save networks" }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
