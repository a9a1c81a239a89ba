//! Regenerate: a confirmation that names the key and says who gets
//! disconnected, with an optional grace period for a smooth rotation.

use keydesk_contract::types::{ApiKey, GenerateRequest, GeneratedApiKey};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::use_action_outcome;

/// A request for a new secret: the key's id and the grace period asked for.
pub type NewSecret = (String, GenerateRequest);

/// Grace periods offered: (seconds, label).
const GRACE: [(u32, &str); 3] = [
    (0, "Immediately"),
    (3_600, "After 1 hour"),
    (86_400, "After 24 hours"),
];

#[component]
pub fn RegenerateDialog(
    key: ApiKey,
    /// Makes the new secret. Whoever passes it shows the secret when it
    /// arrives (this dialog then goes away).
    generate: Action<NewSecret, ApiResult<GeneratedApiKey>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let grace = RwSignal::new(0u32);
    let outcome = use_action_outcome(generate);
    let (busy, failure) = (outcome.pending, outcome.failure);
    let id = key.id.clone();
    let confirm = move |_| {
        if busy.get_untracked() {
            return;
        }
        let seconds = grace.get_untracked();
        let request = GenerateRequest {
            grace_period_seconds: (seconds > 0).then_some(seconds),
            expires_at: None,
        };
        generate.dispatch((id.clone(), request));
    };
    let confirm_again = confirm.clone();
    view! {
        <Modal labelled_by="regenerate-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="regenerate-title">{format!("Regenerate {}?", key.name)}</h2>
            </header>
            <div class="modal__content">
                <p class="warning" role="note">
                    "Every system using the current secret of " <strong>{key.name.clone()}</strong>
                    {key.display_prefix.clone().map(|p| format!(" ({p}…)"))}
                    " will be disconnected when the old secret stops working."
                </p>
                {if key.status == keydesk_contract::types::ApiKeyStatus::Leaked {
                    // A leaked secret gets no grace: it is already out there.
                    view! {
                        <p>"Its secret was reported leaked, so the old one never works again. The key is switched on with the new secret."</p>
                    }.into_any()
                } else {
                    view! {
                        <label for="grace-period">"Old secret stops working"</label>
                        <select id="grace-period" on:change=move |ev| grace.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {GRACE.iter().map(|(s, label)| view! { <option value=s.to_string() selected=move || grace.get() == *s>{*label}</option> }).collect_view()}
                        </select>
                        <p class="field__hint">"A grace period lets you roll the new secret out before the old one ends."</p>
                    }.into_any()
                }}
                {move || failure.get().map(|e| {
                    let retry = confirm_again.clone();
                    view! { <ErrorPanel error=e on_retry=Callback::new(move |_| retry(()))/> }
                })}
            </div>
            <footer class="modal__actions">
                <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button--danger" disabled=move || busy.get() on:click=move |_| confirm(())>
                    {move || if busy.get() { "Regenerating…" } else { "Regenerate key" }}
                </button>
            </footer>
        </Modal>
    }
}
