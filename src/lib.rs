//! keydesk web app: a Leptos single-page app over the keydesk JSON API.
//!
//! - [`api`]: every URL and HTTP call, and the typed [`api::ApiError`].
//! - [`session`]: who is signed in, shared through context.
//! - [`pages`]: one routed screen per file.
//! - [`components`]: reusable pieces (dialogs, table, error panel).

pub mod api;
pub mod components;
pub mod hooks;
pub mod pages;
pub mod session;
pub mod time;
pub mod webauthn;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use components::require_session::RequireSession;
use pages::{
    api_keys::ApiKeysPage, not_found::NotFound, roles::RolesPage, sign_in::SignIn, sign_up::SignUp,
};
use session::{Session, SessionState};

/// The whole app: the session, the router and its screens.
#[component]
pub fn App() -> impl IntoView {
    Session::provide(SessionState::Checking).check();
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=|| view! { <Redirect path="/api-keys"/> }/>
                <Route path=path!("/sign-in") view=SignIn/>
                <Route path=path!("/sign-up") view=SignUp/>
                <Route path=path!("/invitation") view=pages::accept_invitation::AcceptInvitation/>
                // Every signed-in screen, behind one guard (and one shell).
                <ParentRoute path=path!("") view=|| view! { <RequireSession><Outlet/></RequireSession> }>
                    // One route for the list and /new, so opening Create keeps the page.
                    <Route path=path!("/api-keys/:action?") view=ApiKeysPage/>
                    <Route path=path!("/people") view=pages::people::PeoplePage/>
                    <Route path=path!("/roles") view=RolesPage/>
                    <Route path=path!("/inventory") view=pages::inventory::InventoryPage/>
                    <Route path=path!("/audit") view=pages::audit::AuditTrailPage/>
                    <Route path=path!("/account") view=pages::my_account::MyAccountPage/>
                    <Route path=path!("/settings") view=pages::settings::SettingsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
