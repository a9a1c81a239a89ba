//! A labelled text input with its hint and its error, linked for screen readers.

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
