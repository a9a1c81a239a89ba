//! "Confirm with your password": the step before a sensitive change to
//! one's own account (setting up or removing an authenticator app, new
//! recovery codes). A wrong password shows at the field and the dialog stays.

use keydesk_contract::types::FieldErrors;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::field::TextField;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

#[component]
pub fn PasswordPrompt<T>(
    #[prop(into)] title: String,
    #[prop(into)] lead: String,
    /// The button's words, e.g. "Continue", "Remove".
    #[prop(into)]
    confirm: String,
    /// Makes the change with the password.
    action: Action<String, ApiResult<T>>,
    #[prop(into)] on_done: Callback<T>,
    #[prop(into)] on_close: Callback<()>,
    /// A danger button instead of a primary one.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let outcome = use_action_outcome_with_options(
        action,
        UseActionOutcomeOptions {
            on_success: Some(on_done),
            on_fields: Some(Callback::new(move |f| errors.set(f))),
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if outcome.pending.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        action.dispatch(password.get_untracked());
    };
    let error = Signal::derive(move || errors.with(|e| e.get("password").cloned()));
    let class = if danger {
        "button button--danger"
    } else {
        "button button--primary"
    };
    view! {
        <Modal labelled_by="password-prompt-title" on_close=on_close can_close=outcome.idle()>
            <form on:submit=submit novalidate>
                <header class="modal__header">
                    <h2 id="password-prompt-title">{title}</h2>
                </header>
                <div class="modal__content">
                    <p>{lead}</p>
                    <TextField id="prompt-password" label="Your password" kind="password" value=password
                        error=error autocomplete="current-password" autofocus=true/>
                    {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                </div>
                <footer class="modal__actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())
                        disabled=move || outcome.pending.get()>"Cancel"</button>
                    <button type="submit" class=class disabled=move || outcome.pending.get()>
                        {move || if outcome.pending.get() { "Checking…".to_string() } else { confirm.clone() }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
