//! Labelled inputs with their hint and their error, linked for screen readers:
//! a one-line [`TextField`] and an optional, counted [`DescriptionField`].

use leptos::prelude::*;

#[component]
pub fn TextField(
    /// Unique id of the input.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    /// The message shown under the field when it is invalid.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(into, optional)] hint: Option<String>,
    /// `text`, `email`, `password`.
    #[prop(into, default = "text".into())]
    kind: String,
    #[prop(into, optional)] autocomplete: Option<String>,
    /// The field's name, for password managers.
    #[prop(into, optional)]
    name: Option<String>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id, has_hint) = (hint_id.clone(), error_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                autofocus=autofocus
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <p class="field__error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

/// An optional description: a text area with its hint, a live character
/// count against the contract's limit, and its error.
#[component]
pub fn DescriptionField(
    /// Unique id of the text area.
    #[prop(into)]
    id: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] hint: String,
) -> impl IntoView {
    let length = move || value.with(|d| d.trim().chars().count());
    let (hint_id, count_id, error_id) = (
        format!("{id}-hint"),
        format!("{id}-count"),
        format!("{id}-error"),
    );
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label for=id.clone()>"Description " <span class="field__optional">"(optional)"</span></label>
            <p class="field__hint" id=hint_id.clone()>{hint}</p>
            <textarea
                id=id
                rows="3"
                aria-describedby=format!("{hint_id} {count_id} {error_id}")
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            <p class="field__count" id=count_id>
                {move || format!("{} / {}", length(), keydesk_contract::validation::DESCRIPTION_MAX)}
            </p>
            <p class="field__error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
