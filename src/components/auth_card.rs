//! The card every screen before the console stands on (sign-in, create an
//! organization, join, set one's own password): the brand, a title, the form.

use leptos::prelude::*;

use super::shell::Logo;

#[component]
pub fn AuthCard(
    /// The screen's one heading.
    title: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <main class="auth" id="main">
            <div class="auth__card">
                <p class="auth__brand"><Logo/>" keydesk"</p>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}
