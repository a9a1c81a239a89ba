//! Create an organization: its first person becomes its Admin.

use keydesk_contract::types::{FieldErrors, SignUpRequest};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::components::auth_card::AuthCard;
use crate::components::error_panel::ErrorPanel;
use crate::components::field::TextField;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::{use_session, SessionState};

#[component]
pub fn SignUp() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let organization = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let sign_up = Action::new_local(|request: &SignUpRequest| {
        let request = request.clone();
        async move { api::sign_up(&request).await }
    });
    let outcome = use_action_outcome_with_options(
        sign_up,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |me| session.signed_in(me))),
            on_fields: Some(Callback::new(move |fields| errors.set(fields))),
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);

    Effect::new(move || {
        if matches!(session.state.get(), SessionState::SignedIn(_)) {
            navigate("/api-keys", Default::default());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = SignUpRequest {
            organization: organization.get_untracked(),
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        // The contract's rules first: the same messages the server would send.
        if let Err(found) = request.validate() {
            errors.set(found);
            return;
        }
        errors.set(FieldErrors::new());
        sign_up.dispatch(request);
    };
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));

    view! {
        <AuthCard title="Create organization">
                <p class="auth__lead">"You will be its first admin and can invite your team afterwards."</p>
                <form on:submit=submit novalidate>
                    <TextField id="sign-up-organization" label="Organization name" value=organization error=error("organization") autocomplete="organization" autofocus=true/>
                    <TextField id="sign-up-name" label="Your name" value=name error=error("name") autocomplete="name"/>
                    <TextField id="sign-up-email" label="Email" kind="email" value=email error=error("email") autocomplete="email"/>
                    <TextField id="sign-up-password" label="Password" kind="password" value=password error=error("password")
                        autocomplete="new-password" hint=format!(
                            "{} to {} characters. A few uncommon words work well; common or guessable passwords are refused.",
                            keydesk_contract::validation::PASSWORD_MIN, keydesk_contract::validation::PASSWORD_MAX)/>
                    {move || failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                    <button type="submit" class="button button--primary button--block" disabled=move || busy.get()>
                        {move || if busy.get() { "Creating…" } else { "Create organization" }}
                    </button>
                </form>
                <p class="auth__switch">"Already have an account? " <A href="/sign-in">"Sign in"</A></p>
        </AuthCard>
    }
}
