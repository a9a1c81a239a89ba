//! My account: change the password (every other session ends) and sign out
//! everywhere (a lost laptop, a shared computer).

use keydesk_contract::types::{ChangePasswordRequest, FieldErrors};
use keydesk_contract::validation;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::{self, ApiError, ApiResult};
use crate::components::error_panel::ErrorPanel;
use crate::components::field::TextField;
use crate::components::second_factors_panel::{SecondFactorsPanel, SecurityCalls};
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::use_session;

/// `/account`, over the keydesk API.
#[component]
pub fn MyAccountPage() -> impl IntoView {
    let change = Action::new_local(|req: &ChangePasswordRequest| {
        let req = req.clone();
        async move { api::change_password(&req).await }
    });
    let everywhere = Action::new_local(|_: &()| api::sign_out_everywhere());
    let who = use_session()
        .me_now()
        .map(|m| m.user.email)
        .unwrap_or_default();
    view! {
        <MyAccount change=change everywhere=everywhere/>
        <SecondFactorsPanel calls=security_calls() who=who/>
    }
}

/// The Security panel's calls, over the keydesk API and the browser's WebAuthn.
pub fn security_calls() -> SecurityCalls {
    SecurityCalls {
        load: Action::new_local(|_: &()| api::second_factors()),
        begin_totp: Action::new_local(|p: &String| api::begin_totp(p.clone())),
        confirm_totp: Action::new_local(|c: &String| api::confirm_totp(c.clone())),
        remove_totp: Action::new_local(|p: &String| api::remove_totp(p.clone())),
        new_codes: Action::new_local(|p: &String| api::new_recovery_codes(p.clone())),
        add_passkey: Action::new_local(|name: &String| {
            let name = name.clone();
            async move {
                let name = keydesk_contract::second_factors::passkey_name(&name).map_err(|m| {
                    ApiError::Invalid {
                        message: m.clone(),
                        fields: [("name".to_string(), m)].into(),
                    }
                })?;
                let options = api::passkey_options().await?;
                let credential =
                    crate::webauthn::create(&options.public_key)
                        .await
                        .map_err(|refused| ApiError::Invalid {
                            message: refused.0,
                            fields: FieldErrors::new(),
                        })?;
                api::add_passkey(name, credential).await
            }
        }),
        remove_passkey: Action::new_local(|id: &String| {
            let id = id.clone();
            async move { api::remove_passkey(&id).await }
        }),
    }
}

#[component]
pub fn MyAccount(
    /// Changes the password.
    change: Action<ChangePasswordRequest, ApiResult<()>>,
    /// Ends every session.
    everywhere: Action<(), ApiResult<()>>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let changed = RwSignal::new(false);
    let changing = use_action_outcome_with_options(
        change,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |()| {
                current.set(String::new());
                new.set(String::new());
                changed.set(true);
            })),
            on_fields: Some(Callback::new(move |fields| errors.set(fields))),
        },
    );
    let leaving = use_action_outcome_with_options(
        everywhere,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |()| {
                navigate("/sign-in", Default::default());
                session.signed_out();
            })),
            ..Default::default()
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if changing.pending.get_untracked() {
            return;
        }
        changed.set(false);
        // The length rule here; strength and the current password on the server.
        let mut found = FieldErrors::new();
        validation::check(
            &mut found,
            "new_password",
            validation::new_password(&new.get_untracked()),
        );
        errors.set(found.clone());
        if found.is_empty() {
            change.dispatch(ChangePasswordRequest {
                current_password: current.get_untracked(),
                new_password: new.get_untracked(),
            });
        }
    };
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));

    view! {
        <header class="page__header">
            <h1>"My account"</h1>
            <p class="page__lead">{move || session.me().map(|m| format!("{} · {}", m.user.name, m.user.email))}</p>
        </header>
        <section class="account-section" aria-labelledby="password-title">
            <h2 id="password-title">"Change password"</h2>
            <p>"Every other place you are signed in is signed out; this one stays."</p>
            <form on:submit=submit novalidate>
                <TextField id="current-password" label="Current password" kind="password" value=current
                    error=error("current_password") autocomplete="current-password"/>
                <TextField id="new-password" label="New password" kind="password" value=new
                    error=error("new_password") autocomplete="new-password"
                    hint=format!("{} to {} characters. A few uncommon words work well.", validation::PASSWORD_MIN, validation::PASSWORD_MAX)/>
                {move || changing.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                {move || changed.get().then(|| view! {
                    <p class="notice" role="status">"Password changed. Your other sessions were signed out."</p>
                })}
                <button type="submit" class="button button--primary" disabled=move || changing.pending.get()>
                    {move || if changing.pending.get() { "Changing…" } else { "Change password" }}
                </button>
            </form>
        </section>
        <section class="account-section" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Sign out everywhere"</h2>
            <p>"Ends every session of yours, on every device, this one too. Use it if a device was lost or shared."</p>
            {move || leaving.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            <button type="button" class="button button--danger" disabled=move || leaving.pending.get()
                on:click=move |_| { if !leaving.pending.get_untracked() { everywhere.dispatch(()); } }>
                {move || if leaving.pending.get() { "Signing out…" } else { "Sign out everywhere" }}
            </button>
        </section>
    }
}
