//! The frame around signed-in screens: who and where you are, the tabs, sign out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::session::use_session;

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let signing_out = RwSignal::new(false);
    let me = move || session.me();
    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            // Whatever the server says, this browser forgets the session.
            let _ = api::sign_out().await;
            signing_out.set(false);
            navigate("/sign-in", Default::default());
            session.signed_out();
        });
    };
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
                    <span class="topbar__name">{move || me().map(|m| m.user.name)}</span>
                    <button type="button" class="button button--small" disabled=move || signing_out.get() on:click=sign_out>
                        "Sign out"
                    </button>
                </div>
            </header>
            <nav class="tabs" aria-label="Sections">
                <A href="/api-keys" attr:class="tabs__tab">"API Keys"</A>
                <A href="/roles" attr:class="tabs__tab">"Roles"</A>
                <A href="/audit" attr:class="tabs__tab">"Audit"</A>
            </nav>
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
