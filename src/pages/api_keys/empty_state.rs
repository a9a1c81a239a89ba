//! What the tab shows when there is no key to list.

use leptos::prelude::*;

use crate::components::key_filters::KeyFilters;

/// What a key is and how to plan them, before the first one exists.
#[component]
pub fn EmptyState() -> impl IntoView {
    view! {
        <section class="empty" aria-labelledby="empty-title">
            <h2 id="empty-title">"No API keys yet"</h2>
            <p>
                "An API key lets one of your systems call the render API on its own, without a person signed in. "
                "It acts with exactly the permissions of the roles you give it."
            </p>
            <ul class="empty__tips">
                <li>"Create one key per system, named after it: " <code>"Billing_Reader"</code>", " <code>"CRM_Sync"</code>"."</li>
                <li>"Give each key only the roles its system needs."</li>
                <li>"The secret is shown once: have your secret store ready."</li>
            </ul>
        </section>
    }
}

/// Keys exist, but none matches the filters.
#[component]
pub fn NoMatches(filters: KeyFilters) -> impl IntoView {
    view! {
        <div class="empty empty--filtered">
            <p>"No keys match these filters."</p>
            <button type="button" class="button" on:click=move |_| filters.clear()>"Clear filters"</button>
        </div>
    }
}
