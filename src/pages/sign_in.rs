//! Sign in. One message for a wrong email or password (the server does not
//! say which either); for a person with a second factor, its step follows;
//! "Sign in with a passkey" needs no password at all. Afterwards, back to
//! where the person was going.

use keydesk_contract::second_factors::{SecondFactorChallenge, SecondStepRequest};
use keydesk_contract::types::{Me, SignInRequest};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, ApiError, ApiResult, SignedInOr};
use crate::components::auth_card::AuthCard;
use crate::components::error_panel::ErrorPanel;
use crate::components::field::TextField;
use crate::components::second_step::SecondStep;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::{use_session, SessionState};

/// Where to go after signing in: a page of this app, whatever form `next`
/// takes (backslashes, control characters, percent-encodings, scheme or
/// protocol-relative forms). Judged as the browser will read it: parsed as a
/// URL against this page's origin, and kept only if the origin is unchanged.
pub fn safe_next(next: Option<String>) -> String {
    let origin = window().location().origin().unwrap_or_default();
    next.and_then(|n| same_origin_path(&n, &origin))
        .unwrap_or_else(|| "/api-keys".to_string())
}

/// `next` as a path, search and fragment on `origin`, if that is where it leads.
pub fn same_origin_path(next: &str, origin: &str) -> Option<String> {
    // Only paths: anything else (a scheme, a host, whitespace first) is not ours.
    if !next.starts_with('/') {
        return None;
    }
    let url = web_sys::Url::new_with_base(next, origin).ok()?;
    let path = url.pathname();
    let leaves = url.origin() != origin
        // "/.//evil" normalises to "//evil": as a path it would read as a host.
        || path.starts_with("//")
        || path.starts_with("/\\")
        || path.starts_with("/sign-");
    (!leaves).then(|| format!("{path}{}{}", url.search(), url.hash()))
}

#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));
    // What the page's own form held, if the app took it over (first_screen.rs).
    let typed = crate::first_screen::typed().unwrap_or_default();
    let email = RwSignal::new(typed.email.clone());
    let password = RwSignal::new(typed.password.clone());
    let sign_in = Action::new_local(|request: &SignInRequest| {
        let request = request.clone();
        async move { api::sign_in(&request).await }
    });
    // Set while the right password waits for its second step.
    let step = RwSignal::new(None::<SecondFactorChallenge>);
    let outcome = use_action_outcome_with_options(
        sign_in,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |answer| match answer {
                SignedInOr::SignedIn(me) => session.signed_in(*me),
                SignedInOr::SecondStep(challenge) => {
                    password.set(String::new());
                    step.set(Some(challenge));
                }
            })),
            ..Default::default()
        },
    );
    let submit_step = Action::new_local(|request: &SecondStepRequest| {
        let request = request.clone();
        async move { api::second_step(&request).await }
    });
    let step_passkey = Action::new_local(|_: &()| async {
        let options = api::second_step_passkey_options().await?;
        let assertion = browser_passkey(&options.public_key).await?;
        api::second_step(&SecondStepRequest {
            passkey: Some(assertion),
            ..Default::default()
        })
        .await
    });
    let passkey_alone = Action::new_local(|_: &()| passkey_sign_in());
    let alone = use_action_outcome_with_options(
        passkey_alone,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |me| session.signed_in(me))),
            ..Default::default()
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);

    // Already signed in (e.g. Back after signing in): go on.
    {
        let navigate = navigate.clone();
        Effect::new(move || {
            if matches!(session.state.get(), SessionState::SignedIn(_)) {
                navigate(&next(), Default::default());
            }
        });
    }

    // Email first: an address whose organization signs in through its
    // identity provider goes there; others get the password.
    let sso_start = RwSignal::new(None::<String>);
    let probe = move || {
        let typed = email.get_untracked();
        leptos::task::spawn_local(async move {
            let start = match keydesk_contract::validation::email(&typed) {
                Ok(valid) => api::sso_start_for(&valid).await,
                Err(_) => None,
            };
            // Set only on a change: the form must not move under typing.
            if sso_start.try_get_untracked().flatten() != start {
                sso_start.try_set(start);
            }
        });
    };
    Effect::new(move || {
        if let Some(Err(ApiError::SsoRequired(_))) = sign_in.value().get() {
            probe();
        }
    });
    // A provider's refusal comes back as ?error=<code>.
    let sso_refusal = query
        .with_untracked(|q| q.get("error"))
        .map(|code| keydesk_contract::sso::refusal::message(&code));
    let send = move || {
        if busy.get_untracked() {
            return;
        }
        if let Some(start) = sso_start.get_untracked() {
            let _ = window().location().set_href(&start);
            return;
        }
        sign_in.dispatch(SignInRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send();
    };
    // Once rendered: the focus back where it was in the page's form, and a
    // submit made there before the app was ready, sent.
    Effect::new(move |done: Option<()>| {
        if done.is_none() {
            typed.restore_focus();
            if typed.submitted {
                send();
            }
        }
    });
    let field_error = move |name: &'static str| {
        Signal::derive(move || failure.with(|f| f.as_ref().and_then(|e| e.field(name))))
    };
    let general = move || {
        failure
            .get()
            .filter(|e| !matches!(e, ApiError::Invalid { .. }))
    };

    let signed_in = Callback::new(move |me: Me| session.signed_in(me));
    move || {
        match step.get() {
        Some(challenge) => view! {
            <AuthCard title="Confirm it is you">
                <SecondStep methods=challenge.methods submit=submit_step passkey=step_passkey
                    on_signed_in=signed_in on_cancel=Callback::new(move |()| step.set(None))/>
            </AuthCard>
        }.into_any(),
        None => view! {
        <AuthCard title="Sign in">
                {sso_refusal.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                <form method="post" on:submit=submit novalidate>
                    <div on:focusout=move |_| probe()>
                        <TextField id="sign-in-email" label="Email" kind="email" name="email" value=email error=field_error("email") autocomplete="username" autofocus=true/>
                    </div>
                    <div hidden=move || sso_start.get().is_some()>
                        <TextField id="sign-in-password" label="Password" kind="password" name="password" value=password error=field_error("password") autocomplete="current-password"/>
                    </div>
                    {move || general().map(|e| match e {
                        ApiError::InvalidCredentials(m) | ApiError::TooManyAttempts(m) | ApiError::SsoRequired(m) => view! { <p class="form-error" role="alert">{m}</p> }.into_any(),
                        other => view! { <ErrorPanel error=other/> }.into_any(),
                    })}
                    <button type="submit" class="button button--primary button--block" disabled=move || busy.get()>
                        {move || if sso_start.get().is_some() {
                            "Continue with single sign-on"
                        } else if busy.get() {
                            "Signing in…"
                        } else {
                            "Sign in"
                        }}
                    </button>
                </form>
                {crate::webauthn::supported().then(|| view! {
                    <div class="auth__alternative">
                        <button type="button" class="button button--block" disabled=move || alone.pending.get()
                            on:click=move |_| if !alone.pending.get_untracked() { passkey_alone.dispatch(()); }>
                            {move || if alone.pending.get() { "Waiting for the passkey…" } else { "Sign in with a passkey" }}
                        </button>
                        {move || alone.failure.get().map(|e| match e {
                            ApiError::InvalidCredentials(m) => view! { <p class="form-error" role="alert">{m}</p> }.into_any(),
                            other => view! { <ErrorPanel error=other/> }.into_any(),
                        })}
                    </div>
                })}
                <p class="auth__switch">"New to keydesk? " <A href="/sign-up">"Create an organization"</A></p>
        </AuthCard>
        }.into_any(),
    }
    }
}

/// A passkey the browser picks for these request options; a refusal
/// (closed prompt, no passkey) reads like a failed sign-in.
async fn browser_passkey(public_key: &serde_json::Value) -> ApiResult<serde_json::Value> {
    crate::webauthn::get(public_key)
        .await
        .map_err(|refused| ApiError::InvalidCredentials(refused.0))
}

/// Signs in with a passkey alone (a discoverable credential).
async fn passkey_sign_in() -> ApiResult<Me> {
    let options = api::passkey_sign_in_options().await?;
    let assertion = browser_passkey(&options.public_key).await?;
    api::passkey_sign_in(assertion).await
}
