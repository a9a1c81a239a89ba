//! The frame around signed-in screens: who and where you are, the tabs, sign out.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::error_panel::ErrorPanel;
use crate::api;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::use_session;

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let me = move || session.me();
    // A sign-out the server did not confirm is shown as failed, never as
    // done: the session would still be alive behind a page that says
    // otherwise. (One it says had already ended is noticed by the API layer.)
    let sign_out = Action::new_local(|_: &()| api::sign_out());
    let outcome = use_action_outcome_with_options(
        sign_out,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |()| {
                navigate("/sign-in", Default::default());
                session.signed_out();
            })),
            ..Default::default()
        },
    );
    let (signing_out, sign_out_failure) = (outcome.pending, outcome.failure);
    let sign_out_now = Callback::new(move |()| {
        if !signing_out.get_untracked() {
            sign_out.dispatch(());
        }
    });
    view! {
        <div class="shell">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <div class="topbar__brand">
                    <Logo/>
                    <span class="topbar__product">"keydesk"</span>
                    <span class="topbar__org">{move || me().map(|m| m.organization.name)}</span>
                </div>
                <div class="topbar__user">
                    <A href="/account" attr:class="topbar__name" attr:title="My account">{move || me().map(|m| m.user.name)}</A>
                    <button type="button" class="button button--small" disabled=move || signing_out.get()
                        on:click=move |_| sign_out_now.run(())>
                        {move || if signing_out.get() { "Signing out…" } else { "Sign out" }}
                    </button>
                </div>
            </header>
            <nav class="tabs" aria-label="Sections">
                <A href="/api-keys" attr:class="tabs__tab">"API Keys"</A>
                {move || session.can(keydesk_contract::permissions::USERS_RETRIEVE).then(|| view! {
                    <A href="/people" attr:class="tabs__tab">"People"</A>
                })}
                <A href="/inventory" attr:class="tabs__tab">"Inventory"</A>
                <A href="/roles" attr:class="tabs__tab">"Roles"</A>
                <A href="/audit" attr:class="tabs__tab">"Audit"</A>
                {move || session.can(keydesk_contract::permissions::ACCOUNTS_RETRIEVE).then(|| view! {
                    <A href="/settings" attr:class="tabs__tab">"Settings"</A>
                })}
            </nav>
            {move || sign_out_failure.get().map(|e| view! {
                <div class="page page--notice">
                    <p class="notice" role="alert">"You are still signed in: signing out did not complete."</p>
                    <ErrorPanel error=e on_retry=sign_out_now/>
                </div>
            })}
            <main id="main" class="page">{children()}</main>
        </div>
    }
}

/// The keydesk mark: a key, drawn inline so no font or file is needed.
#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <svg class="logo" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
            <circle cx="8" cy="12" r="4.5" fill="none" stroke="currentColor" stroke-width="2.2"/>
            <path d="M12.5 12h9M18 12v3.5M21 12v2.5" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>
        </svg>
    }
}
