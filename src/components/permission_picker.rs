//! Picking the permissions of a custom role: the whole catalogue grouped by
//! resource, each permission with its description; those the person does not
//! hold are disabled with why (nobody grants what they lack), and a live
//! count says how many are chosen.

use keydesk_contract::permissions::{self, PermissionDef};
use leptos::prelude::*;

#[component]
pub fn PermissionPicker(
    /// The chosen permission ids.
    chosen: RwSignal<Vec<String>>,
    /// The message for the permissions, if they are not acceptable.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// What the person holds: anything else is shown disabled.
    my_permissions: Vec<String>,
) -> impl IntoView {
    let groups = permissions::group_by_resource(permissions::CATALOGUE.iter().map(|p| p.id));
    let count = move || match chosen.with(Vec::len) {
        0 => "No permissions chosen yet: choose at least one.".to_string(),
        1 => "1 permission chosen.".to_string(),
        n => format!("{n} permissions chosen."),
    };
    view! {
        <fieldset class="permission-picker" class:field--invalid=move || error.get().is_some()
            aria-describedby="permission-picker-count permission-picker-error">
            <legend>"Permissions"</legend>
            <p class="field__hint">"Grouped by what they act on. You can only grant permissions you hold yourself."</p>
            <div class="permission-groups">
                {groups.into_iter().map(|(resource, items)| view! {
                    <section class="permission-group">
                        <h4 class="permission-group__resource">{resource}</h4>
                        <ul class="permission-group__items">
                            {items.into_iter().map(|p| option(p, chosen, &my_permissions)).collect_view()}
                        </ul>
                    </section>
                }).collect_view()}
            </div>
            <p class="roles-picker__count" id="permission-picker-count" aria-live="polite">{count}</p>
            <p class="field__error" id="permission-picker-error" aria-live="polite">{move || error.get()}</p>
        </fieldset>
    }
}

fn option(
    p: &'static PermissionDef,
    chosen: RwSignal<Vec<String>>,
    mine: &[String],
) -> impl IntoView {
    let held = mine.iter().any(|m| m == p.id);
    let id = format!("permission-{}", p.id.replace('.', "-"));
    let described_by = if held {
        format!("{id}-description")
    } else {
        format!("{id}-description {id}-reason")
    };
    let toggle = move |ev| {
        let on = event_target_checked(&ev);
        chosen.update(|ids| {
            ids.retain(|c| c != p.id);
            if on {
                ids.push(p.id.to_string());
            }
        });
    };
    view! {
        <li class="permission permission-option" class:permission-option--disabled=!held data-permission=p.id>
            <input type="checkbox" id=id.clone() disabled=!held aria-describedby=described_by
                prop:checked=move || chosen.with(|ids| ids.iter().any(|c| c == p.id))
                on:change=toggle/>
            <label for=id.clone()><code class="permission__id">{p.id}</code></label>
            <span class="permission__description" id=format!("{id}-description")>{p.description}</span>
            {(!held).then(|| view! {
                <span class="role-option__reason" id=format!("{id}-reason")>"You do not hold this permission, so you cannot grant it."</span>
            })}
        </li>
    }
}
