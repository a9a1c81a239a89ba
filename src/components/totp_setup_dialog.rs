//! Setting up an authenticator app, after the password: the QR code (drawn
//! by the server) and the secret as text for typing in, then a code from
//! the app to prove it. The recovery codes come next, from the caller.

use keydesk_contract::second_factors::{RecoveryCodes, TotpEnrolment};
use keydesk_contract::types::FieldErrors;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::field::TextField;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

/// The secret in groups of four, as apps print it and people type it.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn TotpSetupDialog(
    enrolment: TotpEnrolment,
    /// Confirms the app with a code.
    confirm: Action<String, ApiResult<RecoveryCodes>>,
    #[prop(into)] on_confirmed: Callback<RecoveryCodes>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let outcome = use_action_outcome_with_options(
        confirm,
        UseActionOutcomeOptions {
            on_success: Some(on_confirmed),
            on_fields: Some(Callback::new(move |f| errors.set(f))),
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !outcome.pending.get_untracked() {
            confirm.dispatch(code.get_untracked());
        }
    };
    let error = Signal::derive(move || errors.with(|e| e.get("code").cloned()));
    view! {
        <Modal labelled_by="totp-title" on_close=on_close can_close=outcome.idle() class="modal--wide">
            <form on:submit=submit novalidate>
                <header class="modal__header">
                    <h2 id="totp-title">"Set up an authenticator app"</h2>
                    <p class="modal__subtitle">"1Password, Google Authenticator, Authy, Microsoft Authenticator…"</p>
                </header>
                <div class="modal__content totp-setup">
                    <div class="totp-setup__qr" role="img" aria-label="QR code of the secret for your authenticator app"
                        inner_html=enrolment.qr_svg.clone()></div>
                    <div>
                        <p>"Scan the code with the app, or type this secret into it:"</p>
                        <p><code class="totp-setup__secret" id="totp-secret">{grouped(&enrolment.secret)}</code></p>
                        <TextField id="totp-code" label="The 6-digit code the app shows" value=code error=error
                            autocomplete="one-time-code" autofocus=true/>
                        {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                    </div>
                </div>
                <footer class="modal__actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())
                        disabled=move || outcome.pending.get()>"Cancel"</button>
                    <button type="submit" class="button button--primary" disabled=move || outcome.pending.get()>
                        {move || if outcome.pending.get() { "Checking…" } else { "Confirm" }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
