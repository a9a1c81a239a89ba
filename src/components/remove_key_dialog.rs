//! Remove an API key: says what stops working, and asks for the key's name
//! to be typed before the button wakes up.

use keydesk_contract::types::ApiKey;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

#[component]
pub fn RemoveKeyDialog(
    key: ApiKey,
    /// Removes the key with this id (over the API, or a stand-in in tests).
    remove: Action<String, ApiResult<()>>,
    #[prop(into)] on_removed: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let outcome = use_action_outcome_with_options(
        remove,
        UseActionOutcomeOptions {
            on_success: Some(on_removed),
            ..Default::default()
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);
    let name = key.name.clone();
    let matches = {
        let name = name.clone();
        move || typed.get().trim() == name
    };
    let matches_now = matches.clone();
    let id = key.id.clone();
    let confirm = move || {
        if matches_now() && !busy.get_untracked() {
            remove.dispatch(id.clone());
        }
    };
    view! {
        <Modal labelled_by="remove-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="remove-title">{format!("Remove {name}?")}</h2>
            </header>
            <form class="modal__content" on:submit=move |ev| { ev.prevent_default(); confirm(); }>
                <p class="warning" role="note">
                    "Systems using this key stop working at once: every request they send with it will be refused. "
                    "This cannot be undone."
                </p>
                <label for="confirm-name">"Type " <strong>{name.clone()}</strong> " to confirm"</label>
                <input id="confirm-name" autocomplete="off" spellcheck="false" autofocus
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                {move || failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                <footer class="modal__actions">
                    <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button button--danger" disabled=move || busy.get() || !matches()>
                        {move || if busy.get() { "Removing…" } else { "Remove key" }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
