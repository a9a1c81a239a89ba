use leptos::prelude::*;
use leptos_router::components::A;

/// Shown for any address the app does not know, with a way home.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="page page--centered" aria-labelledby="not-found-title">
            <h1 id="not-found-title">"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <A href="/" attr:class="button button--primary">"Go to API keys"</A>
        </main>
    }
}
