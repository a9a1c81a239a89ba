//! My account → Security: the person's second factors. An authenticator
//! app (set up with the password, confirmed with a code), passkeys (named,
//! listed with last use, removable) and recovery codes (how many are left,
//! a new set with the password). Every change ends by reading the factors
//! again, so what is shown is what the server holds.

use keydesk_contract::second_factors::{
    AddedPasskey, PasskeySummary, RecoveryCodes, SecondFactors, TotpEnrolment,
};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::field::TextField;
use super::modal::Modal;
use super::password_prompt::PasswordPrompt;
use super::recovery_codes_dialog::RecoveryCodesDialog;
use super::totp_setup_dialog::TotpSetupDialog;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::time;

/// What the panel asks of the server (the API, or stand-ins in tests).
#[derive(Clone, Copy)]
pub struct SecurityCalls {
    pub load: Action<(), ApiResult<SecondFactors>>,
    /// With the password: a pending app's secret.
    pub begin_totp: Action<String, ApiResult<TotpEnrolment>>,
    /// With a code from the app: the recovery codes.
    pub confirm_totp: Action<String, ApiResult<RecoveryCodes>>,
    /// With the password.
    pub remove_totp: Action<String, ApiResult<()>>,
    /// With the password.
    pub new_codes: Action<String, ApiResult<RecoveryCodes>>,
    /// With the new passkey's name (the browser makes the passkey).
    pub add_passkey: Action<String, ApiResult<AddedPasskey>>,
    /// With the passkey's id.
    pub remove_passkey: Action<String, ApiResult<()>>,
}

#[derive(Clone)]
enum Open {
    Nothing,
    TotpPassword,
    TotpScan(TotpEnrolment),
    Codes(Vec<String>),
    RemoveTotp,
    NewCodes,
    RemovePasskey(PasskeySummary),
}

#[component]
pub fn SecondFactorsPanel(
    calls: SecurityCalls,
    /// The person's email (written into the recovery codes file).
    #[prop(into)]
    who: String,
    /// Runs when a change is done and its dialog closed (e.g. to lift a
    /// required step: never while recovery codes are still on screen).
    #[prop(into, optional)]
    on_changed: Option<Callback<()>>,
) -> impl IntoView {
    let open = RwSignal::new(Open::Nothing);
    let factors = calls.load.value();
    calls.load.dispatch(());
    let reload = move || {
        calls.load.dispatch(());
    };
    let close = Callback::new(move |()| open.set(Open::Nothing));
    // A change is done once its dialog is gone.
    let done = Callback::new(move |()| {
        open.set(Open::Nothing);
        if let Some(changed) = on_changed {
            changed.run(());
        }
    });
    let show_codes = Callback::new(move |codes: RecoveryCodes| {
        open.set(Open::Codes(codes.recovery_codes));
        reload();
    });

    let name = RwSignal::new(String::new());
    let adding = use_action_outcome_with_options(
        calls.add_passkey,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |added: AddedPasskey| {
                name.set(String::new());
                reload();
                match added.recovery_codes {
                    Some(codes) => open.set(Open::Codes(codes)),
                    None => done.run(()),
                }
            })),
            ..Default::default()
        },
    );
    let name_error = Signal::derive(move || adding.failure.get().and_then(|e| e.field("name")));
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !adding.pending.get_untracked() {
            calls.add_passkey.dispatch(name.get_untracked());
        }
    };

    let loaded = move || factors.get().and_then(|r| r.ok());
    let totp_on = move || loaded().is_some_and(|f| f.totp);
    let passkeys = move || loaded().map(|f| f.passkeys).unwrap_or_default();
    let codes_left = move || loaded().map(|f| f.recovery_codes_left).unwrap_or(0);
    let has_any = move || loaded().is_some_and(|f| f.any());

    let who = StoredValue::new(who);
    view! {
        <section class="account-section" aria-labelledby="security-title">
            <h2 id="security-title">"Security"</h2>
            <p>"A second factor keeps your account closed to anyone who learns your password."</p>
            {move || factors.get().and_then(|r| r.err()).map(|e| view! {
                <ErrorPanel error=e on_retry=Callback::new(move |()| { calls.load.dispatch(()); })/>
            })}
            {move || loaded().filter(|f| f.required && !f.any()).map(|_| view! {
                <p class="warning" role="note">"Your organization requires a second factor: set one up to go on."</p>
            })}

            <h3 id="app-title">"Authenticator app"</h3>
            {move || if totp_on() {
                view! {
                    <p class="factor-status"><span class="badge badge--ok">"On"</span>" Sign-in asks for a code from your app."</p>
                    <button type="button" class="button" on:click=move |_| open.set(Open::RemoveTotp)>"Remove app"</button>
                }.into_any()
            } else {
                view! {
                    <p class="factor-status">"Not set up."</p>
                    <button type="button" class="button button--primary" on:click=move |_| open.set(Open::TotpPassword)>"Set up an authenticator app"</button>
                }.into_any()
            }}

            <h3 id="passkeys-title">"Passkeys"</h3>
            <p>"Sign in with your fingerprint, face or device PIN, or a security key; a passkey also signs in alone."</p>
            {move || {
                let list = passkeys();
                if list.is_empty() {
                    view! { <p class="factor-status">"No passkeys yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="passkeys" aria-labelledby="passkeys-title">
                            {list.into_iter().map(|p| {
                                let shown = p.clone();
                                let used = p.last_used_at.as_deref().map(time::ago).unwrap_or_else(|| "never".into());
                                view! {
                                    <li class="passkeys__item">
                                        <span class="passkeys__name">{p.name.clone()}</span>
                                        <span class="passkeys__meta">{format!("Added {} · last used {used}", time::ago(&p.created_at))}</span>
                                        <button type="button" class="button button--small"
                                            aria-label=format!("Remove passkey {}", p.name)
                                            on:click=move |_| open.set(Open::RemovePasskey(shown.clone()))>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {if crate::webauthn::supported() {
                view! {
                <form class="passkeys__add" on:submit=add novalidate>
                    <TextField id="passkey-name" label="Name for a new passkey" value=name error=name_error
                        hint="Where it lives, e.g. \u{201c}Work laptop\u{201d} or \u{201c}YubiKey\u{201d}."/>
                    {move || adding.failure.get().filter(|e| e.field("name").is_none()).map(|e| view! { <ErrorPanel error=e/> })}
                    <button type="submit" class="button" disabled=move || adding.pending.get()>
                        {move || if adding.pending.get() { "Waiting for the passkey…" } else { "Add a passkey" }}
                    </button>
                </form>
                }.into_any()
            } else {
                view! {
                    <p class="field__hint">"To add a passkey, open keydesk at its host name (not an IP address) in a current browser."</p>
                }.into_any()
            }}

            <h3 id="codes-title">"Recovery codes"</h3>
            {move || if has_any() {
                view! {
                    <p class="factor-status">{move || format!("{} of 10 left. Each works once, if your phone or passkeys are lost.", codes_left())}</p>
                    <button type="button" class="button" on:click=move |_| open.set(Open::NewCodes)>"New recovery codes"</button>
                }.into_any()
            } else {
                view! { <p class="factor-status">"You get ten with your first second factor."</p> }.into_any()
            }}
        </section>
        {move || match open.get() {
            Open::Nothing => ().into_any(),
            Open::TotpPassword => view! {
                <PasswordPrompt title="Set up an authenticator app" confirm="Continue"
                    lead="Confirm it is you: enter your password."
                    action=calls.begin_totp
                    on_done=Callback::new(move |e: TotpEnrolment| open.set(Open::TotpScan(e)))
                    on_close=close/>
            }.into_any(),
            Open::TotpScan(enrolment) => view! {
                <TotpSetupDialog enrolment=enrolment confirm=calls.confirm_totp on_confirmed=show_codes on_close=close/>
            }.into_any(),
            Open::Codes(codes) => view! {
                <RecoveryCodesDialog codes=codes who=who.get_value() on_close=done/>
            }.into_any(),
            Open::RemoveTotp => view! {
                <PasswordPrompt title="Remove the authenticator app?" confirm="Remove app" danger=true
                    lead="Sign-in stops asking for its codes. If it is your last second factor, your recovery codes go too."
                    action=calls.remove_totp
                    on_done=Callback::new(move |()| { reload(); done.run(()); })
                    on_close=close/>
            }.into_any(),
            Open::NewCodes => view! {
                <PasswordPrompt title="New recovery codes" confirm="Make new codes"
                    lead="Your current codes stop working. Enter your password to go on."
                    action=calls.new_codes
                    on_done=show_codes
                    on_close=close/>
            }.into_any(),
            Open::RemovePasskey(passkey) => view! {
                <RemovePasskeyDialog passkey=passkey remove=calls.remove_passkey
                    on_removed=Callback::new(move |()| { reload(); done.run(()); })
                    on_close=close/>
            }.into_any(),
        }}
    }
}

#[component]
fn RemovePasskeyDialog(
    passkey: PasskeySummary,
    remove: Action<String, ApiResult<()>>,
    #[prop(into)] on_removed: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let outcome = use_action_outcome_with_options(
        remove,
        UseActionOutcomeOptions {
            on_success: Some(on_removed),
            ..Default::default()
        },
    );
    let id = passkey.id.clone();
    view! {
        <Modal labelled_by="remove-passkey-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="remove-passkey-title">{format!("Remove the passkey {}?", passkey.name)}</h2>
            </header>
            <div class="modal__content">
                <p>"It no longer signs you in. The passkey stays on its device until you delete it there."</p>
                {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            </div>
            <footer class="modal__actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button--danger" disabled=move || outcome.pending.get()
                    on:click=move |_| if !outcome.pending.get_untracked() { remove.dispatch(id.clone()); }>
                    {move || if outcome.pending.get() { "Removing…" } else { "Remove passkey" }}
                </button>
            </footer>
        </Modal>
    }
}
