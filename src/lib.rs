//! keydesk web app: a Leptos single-page app over the keydesk JSON API.
//!
//! - [`api`]: every URL and HTTP call, and the typed [`api::ApiError`].
//! - [`session`]: who is signed in, shared through context.
//! - [`pages`]: one routed screen per file.
//! - [`components`]: reusable pieces (dialogs, table, error panel).

pub mod api;
pub mod components;
pub mod first_screen;
pub mod hooks;
pub mod pages;
pub mod parts;
pub mod session;
pub mod time;
pub mod webauthn;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use components::require_session::RequireSession;
use pages::{not_found::NotFound, sign_in::SignIn};
use parts::{Screen, SignedInScreen, Welcome, WelcomeScreen};
use session::{Session, SessionState};

/// Starts the app: takes over the sign-in form the page came with, sends
/// the first reads of the screen opening and fetches its part of the wasm
/// (both beside `/me`, not after it), and mounts.
pub fn start() {
    first_screen::take_over();
    let path = window().location().pathname().unwrap_or_default();
    api::early::start(&path, pages::api_keys::list::first_key_query());
    parts::preload_for(&path);
    leptos::mount::mount_to_body(App);
}

/// The whole app: the session, the router and its screens.
#[component]
pub fn App() -> impl IntoView {
    Session::provide(SessionState::Checking).check();
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=|| view! { <Redirect path="/api-keys"/> }/>
                <Route path=path!("/sign-in") view=SignIn/>
                <Route path=path!("/sign-up") view=|| view! { <WelcomeScreen screen=Welcome::SignUp/> }/>
                <Route path=path!("/invitation") view=|| view! { <WelcomeScreen screen=Welcome::Invitation/> }/>
                // Every signed-in screen, behind one guard (and one shell),
                // in a part of the wasm of its own (see `parts`).
                <ParentRoute path=path!("") view=|| view! { <RequireSession><Outlet/></RequireSession> }>
                    // One route for the list and /new, so opening Create keeps the page.
                    <Route path=path!("/api-keys/:action?") view=|| view! { <SignedInScreen screen=Screen::ApiKeys/> }/>
                    <Route path=path!("/people") view=|| view! { <SignedInScreen screen=Screen::People/> }/>
                    <Route path=path!("/roles") view=|| view! { <SignedInScreen screen=Screen::Roles/> }/>
                    <Route path=path!("/inventory") view=|| view! { <SignedInScreen screen=Screen::Inventory/> }/>
                    <Route path=path!("/audit") view=|| view! { <SignedInScreen screen=Screen::Audit/> }/>
                    <Route path=path!("/account") view=|| view! { <SignedInScreen screen=Screen::Account/> }/>
                    <Route path=path!("/settings") view=|| view! { <SignedInScreen screen=Screen::Settings/> }/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
