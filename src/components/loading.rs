//! The quiet line shown while something loads, announced to screen readers.

use leptos::prelude::*;

#[component]
pub fn Loading(
    /// What is loading, e.g. "Loading keys…" (default "Loading…").
    #[prop(optional)]
    text: Option<&'static str>,
) -> impl IntoView {
    view! { <p class="loading" role="status">{text.unwrap_or("Loading…")}</p> }
}
