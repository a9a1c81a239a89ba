//! Sign in. One message for a wrong email or password (the server does not
//! say which either); afterwards, back to where the person was going.

use keydesk_contract::types::SignInRequest;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, ApiError};
use crate::components::auth_card::AuthCard;
use crate::components::error_panel::ErrorPanel;
use crate::components::field::TextField;
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
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = Action::new_local(|request: &SignInRequest| {
        let request = request.clone();
        async move { api::sign_in(&request).await }
    });
    let outcome = use_action_outcome_with_options(
        sign_in,
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

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        sign_in.dispatch(SignInRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };
    let field_error = move |name: &'static str| {
        Signal::derive(move || failure.with(|f| f.as_ref().and_then(|e| e.field(name))))
    };
    let general = move || {
        failure
            .get()
            .filter(|e| !matches!(e, ApiError::Invalid { .. }))
    };

    view! {
        <AuthCard title="Sign in">
                <form on:submit=submit novalidate>
                    <TextField id="sign-in-email" label="Email" kind="email" value=email error=field_error("email") autocomplete="username" autofocus=true/>
                    <TextField id="sign-in-password" label="Password" kind="password" value=password error=field_error("password") autocomplete="current-password"/>
                    {move || general().map(|e| match e {
                        ApiError::InvalidCredentials(m) | ApiError::TooManyAttempts(m) => view! { <p class="form-error" role="alert">{m}</p> }.into_any(),
                        other => view! { <ErrorPanel error=other/> }.into_any(),
                    })}
                    <button type="submit" class="button button--primary button--block" disabled=move || busy.get()>
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
                <p class="auth__switch">"New to keydesk? " <A href="/sign-up">"Create an organization"</A></p>
        </AuthCard>
    }
}
