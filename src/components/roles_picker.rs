//! Picking roles for a key or a person: each role with its description,
//! those granting permissions the person lacks disabled with why, and a live
//! count of the permissions the chosen roles grant.

use keydesk_contract::types::Role;
use leptos::prelude::*;

use keydesk_contract::roles::{missing_from, RoleSet};

#[component]
pub fn RolesPicker(
    /// Every role there is (may still be loading).
    #[prop(into)]
    roles: Signal<Vec<Role>>,
    /// The chosen role ids.
    role_ids: RwSignal<Vec<String>>,
    /// The message for the roles, if they are not acceptable.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// What the person holds: roles granting more are shown disabled.
    my_permissions: Vec<String>,
    /// What to choose by.
    #[prop(into)]
    hint: String,
) -> impl IntoView {
    let my_permissions = StoredValue::new(my_permissions);
    let count = move || {
        let n = roles.with(|r| r.granted_ids(&role_ids.get()).len());
        match n {
            0 => "No permissions granted yet: choose at least one role.".to_string(),
            1 => "Grants 1 permission.".to_string(),
            n => format!("Grants {n} permissions."),
        }
    };
    view! {
        <fieldset class="roles-picker" class:field--invalid=move || error.get().is_some() aria-describedby="roles-count roles-error">
            <legend>"Roles & Access"</legend>
            <p class="field__hint">{hint}</p>
            <ul class="roles-picker__list">
                <For each=move || roles.get() key=|r| r.id.clone() let:role>
                    {my_permissions.with_value(|mine| role_option(role, role_ids, mine))}
                </For>
            </ul>
            <p class="roles-picker__count" id="roles-count" aria-live="polite">{count}</p>
            <p class="field__error" id="roles-error" aria-live="polite">{move || error.get()}</p>
        </fieldset>
    }
}

fn role_option(
    role: Role,
    role_ids: RwSignal<Vec<String>>,
    my_permissions: &[String],
) -> impl IntoView {
    let missing = missing_from(&role, my_permissions);
    let allowed = missing.is_empty();
    let id = format!("role-{}", role.id);
    let reason_id = format!("{id}-reason");
    let role_id = role.id.clone();
    let checked = {
        let role_id = role_id.clone();
        move || role_ids.with(|ids| ids.contains(&role_id))
    };
    let toggle = move |ev| {
        let on = event_target_checked(&ev);
        role_ids.update(|ids| {
            ids.retain(|r| *r != role_id);
            if on {
                ids.push(role_id.clone());
            }
        });
    };
    let reason = (!allowed).then(|| {
        let shown: Vec<&str> = missing.iter().take(3).copied().collect();
        let more = missing.len().saturating_sub(3);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!(
            "You cannot grant this role: it includes permissions you do not hold ({}{tail}).",
            shown.join(", ")
        )
    });
    view! {
        <li class="role-option" class:role-option--disabled=!allowed>
            <input
                type="checkbox"
                id=id.clone()
                disabled=!allowed
                aria-describedby=if allowed { format!("{id}-description") } else { format!("{id}-description {reason_id}") }
                prop:checked=checked
                on:change=toggle
            />
            <label for=id.clone()>
                <span class="role-option__name">{role.name.clone()}</span>
                <span class="role-option__count">{format!("{} permissions", role.permissions.len())}</span>
            </label>
            <p class="role-option__description" id=format!("{id}-description")>{role.description.clone()}</p>
            {reason.map(|r| view! { <p class="role-option__reason" id=reason_id.clone()>{r}</p> })}
        </li>
    }
}
