//! Set a password of one's own: the only thing a session opened with a
//! password someone else chose may do. Until it is done every other screen
//! would be refused (403 `password_change_required`), so this stands in for
//! them all.

use keydesk_contract::types::{ChangePasswordRequest, FieldErrors};
use keydesk_contract::validation;
use leptos::prelude::*;

use crate::api::{self, ApiResult};
use crate::components::auth_card::AuthCard;
use crate::components::error_panel::ErrorPanel;
use crate::components::field::TextField;
use crate::components::sign_out_link::SignOutLink;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::use_session;

/// The screen, over the keydesk API.
#[component]
pub fn SetOwnPasswordPage() -> impl IntoView {
    let change = Action::new_local(|req: &ChangePasswordRequest| {
        let req = req.clone();
        async move { api::change_password(&req).await }
    });
    view! { <SetOwnPassword change=change/> }
}

#[component]
pub fn SetOwnPassword(
    /// Sets the new password (the given one as the current).
    change: Action<ChangePasswordRequest, ApiResult<()>>,
) -> impl IntoView {
    let session = use_session();
    let given = RwSignal::new(String::new());
    let own = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let setting = use_action_outcome_with_options(
        change,
        UseActionOutcomeOptions {
            // Ask who we are again: the session may now do everything.
            on_success: Some(Callback::new(move |()| session.retry())),
            on_fields: Some(Callback::new(move |fields: FieldErrors| {
                let mut shown = FieldErrors::new();
                for (field, message) in fields {
                    let field = match field.as_str() {
                        "current_password" => "given_password".to_string(),
                        _ => field,
                    };
                    shown.insert(field, message);
                }
                errors.set(shown);
            })),
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if setting.pending.get_untracked() {
            return;
        }
        let mut found = FieldErrors::new();
        validation::check(
            &mut found,
            "new_password",
            validation::new_password(&own.get_untracked()),
        );
        errors.set(found.clone());
        if found.is_empty() {
            change.dispatch(ChangePasswordRequest {
                current_password: given.get_untracked(),
                new_password: own.get_untracked(),
            });
        }
    };
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));
    view! {
        <AuthCard title="Set your own password">
                <p>{move || session.me().map(|m| format!(
                    "{}: the password you signed in with was chosen by someone else. Choose one only you know before going on.",
                    m.user.email
                ))}</p>
                <form on:submit=submit novalidate>
                    <TextField id="given-password" label="The password you were given" kind="password" value=given
                        error=error("given_password") autocomplete="current-password"/>
                    <TextField id="own-password" label="Your own password" kind="password" value=own
                        error=error("new_password") autocomplete="new-password"
                        hint=format!("{} to {} characters. A few uncommon words work well.", validation::PASSWORD_MIN, validation::PASSWORD_MAX)/>
                    {move || setting.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                    <button type="submit" class="button button--primary" disabled=move || setting.pending.get()>
                        {move || if setting.pending.get() { "Saving…" } else { "Set my password" }}
                    </button>
                </form>
                <SignOutLink lead="Not you? "/>
        </AuthCard>
    }
}
