//! Deactivate a person: says what happens (their sessions end at once;
//! their keys keep working) before it is done.

use keydesk_contract::types::User;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

/// A change of someone's access: their id and whether they may sign in.
pub type AccessChange = (String, bool);

/// Says what deactivation does before it is done.
#[component]
pub fn DeactivateDialog(
    person: User,
    change: Action<AccessChange, ApiResult<User>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let outcome = use_action_outcome_with_options(
        change,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |_| on_close.run(()))),
            on_fields: None,
        },
    );
    let id = person.id.clone();
    view! {
        <Modal labelled_by="deactivate-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="deactivate-title">{format!("Deactivate {}?", person.name)}</h2>
            </header>
            <div class="modal__content">
                <p class="warning" role="note">
                    "Every session of " <strong>{person.name.clone()}</strong>
                    " ends at once and they cannot sign in until activated again. "
                    "API keys they created keep working: keys belong to the organization."
                </p>
                {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            </div>
            <footer class="modal__actions">
                <button type="button" class="button" disabled=move || outcome.pending.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button--danger" disabled=move || outcome.pending.get()
                    on:click=move |_| { change.dispatch((id.clone(), false)); }>
                    {move || if outcome.pending.get() { "Deactivating…" } else { "Deactivate" }}
                </button>
            </footer>
        </Modal>
    }
}
