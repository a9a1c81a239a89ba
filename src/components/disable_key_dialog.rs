//! Disable an API key: the reversible off switch (incident response, or a
//! "scream test" before removal). Says what stops and that Enable undoes it.

use keydesk_contract::types::ApiKey;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

/// Switch the key with this id, decided on this version, off (`true`) or on.
pub type KeySwitch = (String, u64, bool);

#[component]
pub fn DisableKeyDialog(
    key: ApiKey,
    /// Switches the key (over the API, or a stand-in in tests).
    switch: Action<KeySwitch, ApiResult<ApiKey>>,
    #[prop(into)] on_disabled: Callback<ApiKey>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let outcome = use_action_outcome_with_options(
        switch,
        UseActionOutcomeOptions {
            on_success: Some(on_disabled),
            ..Default::default()
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);
    let name = key.name.clone();
    let confirm = move || {
        if !busy.get_untracked() {
            switch.dispatch((key.id.clone(), key.version, true));
        }
    };
    view! {
        <Modal labelled_by="disable-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="disable-title">{format!("Disable {name}?")}</h2>
            </header>
            <form class="modal__content" on:submit=move |ev| { ev.prevent_default(); confirm(); }>
                <p class="warning" role="note">
                    "Every request sent with this key is refused until you enable it again. "
                    "Its secret, roles and history stay as they are."
                </p>
                {move || failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                <footer class="modal__actions">
                    <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button button--danger" disabled=move || busy.get()>
                        {move || if busy.get() { "Disabling…" } else { "Disable key" }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
