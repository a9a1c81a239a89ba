//! Reset a person's second factors (a lost phone, a person locked out):
//! their authenticator app, passkeys and recovery codes are removed and
//! their sessions end; they sign in with their password alone, and set one
//! up again if the organization requires it.

use keydesk_contract::types::User;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

#[component]
pub fn ResetSecondFactorsDialog(
    person: User,
    /// Resets the person with this id.
    reset: Action<String, ApiResult<()>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let outcome = use_action_outcome_with_options(
        reset,
        UseActionOutcomeOptions {
            on_success: Some(on_close),
            ..Default::default()
        },
    );
    let id = person.id.clone();
    view! {
        <Modal labelled_by="reset-factors-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="reset-factors-title">{format!("Reset the second factors of {}?", person.name)}</h2>
            </header>
            <div class="modal__content">
                <p class="warning" role="note">
                    "Their authenticator app, passkeys and recovery codes stop working, and they are signed out everywhere. "
                    "Do this only once you are sure who is asking: their password alone will sign them in until they set one up again."
                </p>
                {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            </div>
            <footer class="modal__actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button--danger" disabled=move || outcome.pending.get()
                    on:click=move |_| if !outcome.pending.get_untracked() { reset.dispatch(id.clone()); }>
                    {move || if outcome.pending.get() { "Resetting…" } else { "Reset second factors" }}
                </button>
            </footer>
        </Modal>
    }
}
