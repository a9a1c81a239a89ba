//! Search (debounced), role and status filters above the keys table.

use keydesk_contract::types::{ApiKeyStatus, Role};
use leptos::prelude::*;
use std::time::Duration;

/// How long typing must pause before the search runs: long enough to fold a
/// paste, autorepeat or an input method's burst into one request, short
/// enough that results follow each keystroke (the list answers in a few
/// milliseconds, and only the newest answer is shown).
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(40);

/// The filters in effect; empty strings mean "any".
#[derive(Debug, Clone, Copy)]
pub struct KeyFilters {
    /// What the search box shows.
    pub typed: RwSignal<String>,
    /// What the list is searched by (follows `typed` after a pause).
    pub search: RwSignal<String>,
    pub role: RwSignal<String>,
    pub status: RwSignal<Option<ApiKeyStatus>>,
}

impl KeyFilters {
    pub fn new() -> Self {
        KeyFilters {
            typed: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
            role: RwSignal::new(String::new()),
            status: RwSignal::new(None),
        }
    }

    pub fn any(&self) -> bool {
        !(self.search.get().trim().is_empty()
            && self.role.get().is_empty()
            && self.status.get().is_none())
    }

    pub fn clear(&self) {
        self.typed.set(String::new());
        self.search.set(String::new());
        self.role.set(String::new());
        self.status.set(None);
    }
}

impl Default for KeyFilters {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn KeyFilterBar(filters: KeyFilters, #[prop(into)] roles: Signal<Vec<Role>>) -> impl IntoView {
    let on_search = move |ev| {
        let value = event_target_value(&ev);
        filters.typed.set(value.clone());
        // Search once typing pauses; a newer keystroke makes this one stale.
        set_timeout(
            move || {
                if filters.typed.get_untracked() == value {
                    filters.search.set(value);
                }
            },
            SEARCH_DEBOUNCE,
        );
    };
    view! {
        <div class="filters" role="search">
            <div class="filters__search">
                <label for="key-search" class="visually-hidden">"Search keys by name"</label>
                <input id="key-search" type="search" placeholder="Search by name" autocomplete="off"
                    prop:value=move || filters.typed.get() on:input=on_search/>
            </div>
            <div class="filters__select">
                <label for="key-role-filter">"Role"</label>
                <select id="key-role-filter" on:change=move |ev| filters.role.set(event_target_value(&ev))>
                    <option value="" selected=move || filters.role.get().is_empty()>"Any role"</option>
                    <For each=move || roles.get() key=|r| r.id.clone() let:role>
                        {
                            let id = role.id.clone();
                            view! { <option value=role.id.clone() selected=move || filters.role.get() == id>{role.name.clone()}</option> }
                        }
                    </For>
                </select>
            </div>
            <div class="filters__select">
                <label for="key-status-filter">"Status"</label>
                <select id="key-status-filter" on:change=move |ev| filters.status.set(ApiKeyStatus::parse(&event_target_value(&ev)))>
                    <option value="" selected=move || filters.status.get().is_none()>"Any status"</option>
                    {ApiKeyStatus::ALL.iter().copied().map(|s| view! {
                        <option value=s.as_str() selected=move || filters.status.get() == Some(s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
        </div>
    }
}
