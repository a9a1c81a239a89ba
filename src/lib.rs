//! keydesk web app: a Leptos single-page app over the keydesk JSON API.
//!
//! - [`api`]: every URL and HTTP call, and the typed [`api::ApiError`].
//! - [`pages`]: one routed screen per file.
//! - [`components`]: reusable pieces (dialogs, tables, error panel).

pub mod api;
pub mod components;
pub mod pages;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The whole app: the router and its screens.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=|| view! { <pages::not_found::NotFound/> }>
                <Route path=path!("/") view=pages::home::Home/>
            </Routes>
        </Router>
    }
}
