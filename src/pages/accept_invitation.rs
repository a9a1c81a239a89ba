//! `/invitation#<token>`: an invited person sets their password and lands
//! signed in. The token comes from the fragment, which never reaches a
//! server log or a referrer.

use keydesk_contract::types::{AcceptInvitationRequest, FieldErrors};
use keydesk_contract::validation;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::components::auth_card::AuthCard;
use crate::components::error_panel::ErrorPanel;
use crate::components::field::TextField;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::use_session;

#[component]
pub fn AcceptInvitation() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let token = window()
        .location()
        .hash()
        .unwrap_or_default()
        .trim_start_matches('#')
        .to_string();
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let accept = Action::new_local(|req: &AcceptInvitationRequest| {
        let req = req.clone();
        async move { api::accept_invitation(&req).await }
    });
    let outcome = use_action_outcome_with_options(
        accept,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |me| {
                session.signed_in(me);
                navigate("/api-keys", Default::default());
            })),
            on_fields: Some(Callback::new(move |fields| errors.set(fields))),
        },
    );
    let has_token = !token.is_empty();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if outcome.pending.get_untracked() {
            return;
        }
        let mut found = FieldErrors::new();
        validation::check(
            &mut found,
            "password",
            validation::new_password(&password.get_untracked()),
        );
        errors.set(found.clone());
        if found.is_empty() {
            accept.dispatch(AcceptInvitationRequest {
                token: token.clone(),
                password: password.get_untracked(),
            });
        }
    };
    let error = Signal::derive(move || errors.with(|e| e.get("password").cloned()));
    view! {
        <AuthCard title="Join your team">
                {if has_token {
                    view! {
                        <p class="auth__lead">"Choose the password you will sign in with. The link works once."</p>
                        <form on:submit=submit novalidate>
                            <TextField id="invitation-password" label="Password" kind="password" value=password error=error
                                autocomplete="new-password" autofocus=true
                                hint=format!("{} to {} characters. A few uncommon words work well; common or guessable passwords are refused.",
                                    validation::PASSWORD_MIN, validation::PASSWORD_MAX)/>
                            {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                            <button type="submit" class="button button--primary button--block" disabled=move || outcome.pending.get()>
                                {move || if outcome.pending.get() { "Joining…" } else { "Set password and sign in" }}
                            </button>
                        </form>
                    }.into_any()
                } else {
                    view! {
                        <p class="notice" role="alert">"This link is incomplete. Open the whole invitation link you were given, or ask for a new one."</p>
                    }.into_any()
                }}
        </AuthCard>
    }
}
