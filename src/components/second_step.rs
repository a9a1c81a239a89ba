//! The second step of signing in, after the right password: a code from the
//! authenticator app, a passkey, or a recovery code, offering only the
//! methods the person has. Wrong codes say so and keep the form; a sign-in
//! that waited too long (5 minutes) says to start again.

use keydesk_contract::second_factors::{SecondFactorMethod, SecondStepRequest};
use keydesk_contract::types::Me;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::field::TextField;
use crate::api::{ApiError, ApiResult};
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asking {
    AppCode,
    RecoveryCode,
    Passkey,
}

#[component]
pub fn SecondStep(
    /// The person's methods, as the server listed them.
    methods: Vec<SecondFactorMethod>,
    /// Sends a code or a recovery code.
    submit: Action<SecondStepRequest, ApiResult<Me>>,
    /// Asks the browser for one of the person's passkeys and sends it.
    passkey: Action<(), ApiResult<Me>>,
    #[prop(into)] on_signed_in: Callback<Me>,
    /// Back to the password (a new sign-in).
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let has = |m| methods.contains(&m);
    let (has_app, has_passkey, has_codes) = (
        has(SecondFactorMethod::Totp),
        has(SecondFactorMethod::Passkey),
        has(SecondFactorMethod::RecoveryCode),
    );
    let asking = RwSignal::new(if has_app {
        Asking::AppCode
    } else if has_passkey {
        Asking::Passkey
    } else {
        Asking::RecoveryCode
    });
    let code = RwSignal::new(String::new());
    let sending = use_action_outcome_with_options(
        submit,
        UseActionOutcomeOptions {
            on_success: Some(on_signed_in),
            ..Default::default()
        },
    );
    let using_passkey = use_action_outcome_with_options(
        passkey,
        UseActionOutcomeOptions {
            on_success: Some(on_signed_in),
            ..Default::default()
        },
    );
    let busy = move || sending.pending.get() || using_passkey.pending.get();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy() {
            return;
        }
        let typed = code.get_untracked();
        submit.dispatch(match asking.get_untracked() {
            Asking::RecoveryCode => SecondStepRequest {
                recovery_code: Some(typed),
                ..Default::default()
            },
            _ => SecondStepRequest {
                code: Some(typed),
                ..Default::default()
            },
        });
    };
    let switch = move |to: Asking| {
        code.set(String::new());
        asking.set(to);
    };
    let failure = move || {
        let last = match asking.get() {
            Asking::Passkey => using_passkey.failure.get(),
            _ => sending.failure.get(),
        };
        last.map(|e| match e {
            ApiError::InvalidCredentials(m) | ApiError::TooManyAttempts(m) => {
                view! { <p class="form-error" role="alert">{m}</p> }.into_any()
            }
            ApiError::Unauthenticated(m) => view! {
                <p class="form-error" role="alert">{m}</p>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Start again"</button>
            }
            .into_any(),
            other => view! { <ErrorPanel error=other/> }.into_any(),
        })
    };
    // The app's code and a recovery code are typed into the same form.
    let code_form = move |lead: &'static str,
                          id: &'static str,
                          label: &'static str,
                          autocomplete: &'static str| {
        view! {
            <form on:submit=send novalidate>
                <p>{lead}</p>
                <TextField id=id label=label value=code error=Signal::derive(|| None::<String>)
                    autocomplete=autocomplete autofocus=true/>
                <button type="submit" class="button button--primary button--block" disabled=busy>
                    {move || if sending.pending.get() { "Checking…" } else { "Verify" }}
                </button>
            </form>
        }
        .into_any()
    };
    view! {
        <div class="second-step">
            {move || match asking.get() {
                Asking::AppCode => code_form(
                    "Enter the 6-digit code from your authenticator app.",
                    "second-step-code", "Code", "one-time-code",
                ),
                Asking::RecoveryCode => code_form(
                    "Enter one of your recovery codes. Each works once.",
                    "second-step-recovery", "Recovery code", "off",
                ),
                Asking::Passkey => view! {
                    <p>"Use your passkey: your fingerprint, face, device PIN or security key."</p>
                    <button type="button" class="button button--primary button--block" disabled=busy
                        on:click=move |_| if !busy() { passkey.dispatch(()); }>
                        {move || if using_passkey.pending.get() { "Waiting for the passkey…" } else { "Use a passkey" }}
                    </button>
                }.into_any(),
            }}
            {failure}
            <ul class="second-step__other" aria-label="Other ways">
                {move || (has_app && asking.get() != Asking::AppCode).then(|| view! {
                    <li><button type="button" class="link-button" on:click=move |_| switch(Asking::AppCode)>"Use your authenticator app"</button></li>
                })}
                {move || (has_passkey && asking.get() != Asking::Passkey).then(|| view! {
                    <li><button type="button" class="link-button" on:click=move |_| switch(Asking::Passkey)>"Use a passkey"</button></li>
                })}
                {move || (has_codes && asking.get() != Asking::RecoveryCode).then(|| view! {
                    <li><button type="button" class="link-button" on:click=move |_| switch(Asking::RecoveryCode)>"Use a recovery code"</button></li>
                })}
                <li><button type="button" class="link-button" on:click=move |_| on_cancel.run(())>"Cancel"</button></li>
            </ul>
        </div>
    }
}
