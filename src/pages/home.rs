use leptos::prelude::*;

/// Placeholder start page until the API Keys screen exists.
#[component]
pub fn Home() -> impl IntoView {
    view! { <main class="page"><h1>"keydesk"</h1></main> }
}
