//! Change a person's roles: pick roles → review the permissions added and
//! removed → Save. It applies on the person's next request.

use keydesk_contract::types::{FieldErrors, Role, UpdateUserRequest, User};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use super::permission_list::PermissionDiff;
use super::roles_picker::RolesPicker;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use keydesk_contract::roles::RoleSet;

/// A change to a person: their id and what changes.
pub type PersonChange = (String, UpdateUserRequest);

#[component]
pub fn ChangeRolesDialog(
    person: User,
    #[prop(into)] roles: Signal<Vec<Role>>,
    /// What the person changing holds.
    my_permissions: Vec<String>,
    update: Action<PersonChange, ApiResult<User>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let before: Vec<String> = person.roles.iter().map(|r| r.id.clone()).collect();
    let role_ids = RwSignal::new(before.clone());
    let errors = RwSignal::new(FieldErrors::new());
    let reviewing = RwSignal::new(false);
    let outcome = use_action_outcome_with_options(
        update,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |_| on_close.run(()))),
            on_fields: Some(Callback::new(move |fields| {
                errors.set(fields);
                reviewing.set(false);
            })),
        },
    );
    let next = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = UpdateUserRequest {
            name: None,
            role_ids: Some(role_ids.get_untracked()),
        };
        let known = |id: &str| roles.with_untracked(|r| r.iter().any(|role| role.id == id));
        match request.validate(known) {
            Ok(_) => {
                errors.set(FieldErrors::new());
                reviewing.set(true);
            }
            Err(found) => errors.set(found),
        }
    };
    let id = person.id.clone();
    let save = move |_| {
        if !outcome.pending.get_untracked() {
            update.dispatch((
                id.clone(),
                UpdateUserRequest {
                    name: None,
                    role_ids: Some(role_ids.get_untracked()),
                },
            ));
        }
    };
    let error = Signal::derive(move || errors.with(|e| e.get("role_ids").cloned()));
    let my_permissions = StoredValue::new(my_permissions);
    let before = StoredValue::new(before);
    let name = person.name.clone();
    view! {
        <Modal labelled_by="change-roles-title" on_close=on_close can_close=outcome.idle() class="modal--wide">
            <header class="modal__header">
                <p class="modal__step">{move || if reviewing.get() { "Step 2 of 2" } else { "Step 1 of 2" }}</p>
                <h2 id="change-roles-title">{format!("Change the roles of {}", person.name)}</h2>
            </header>
            {move || if !reviewing.get() {
                view! {
                    <form class="modal__content" on:submit=next>
                        <RolesPicker roles=roles role_ids=role_ids error=error my_permissions=my_permissions.get_value()
                            hint="Give them only what their work needs."/>
                        <footer class="modal__actions">
                            <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                            <button type="submit" class="button button--primary">"Next: review changes"</button>
                        </footer>
                    </form>
                }.into_any()
            } else {
                let was = roles.with_untracked(|r| r.granted_ids(&before.get_value()));
                let will = roles.with_untracked(|r| r.granted_ids(&role_ids.get_untracked()));
                let name = name.clone();
                view! {
                    <div class="modal__content" tabindex="0" role="region" aria-label="Changes to review">
                        <p class="double-check__lead">
                            "Review what changes for " <strong>{name}</strong> ". It applies on their next request."
                        </p>
                        <PermissionDiff before=was after=will/>
                        {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                    </div>
                    <footer class="modal__actions">
                        <button type="button" class="button" disabled=move || outcome.pending.get() on:click=move |_| reviewing.set(false)>"Back"</button>
                        <button type="button" class="button button--primary" disabled=move || outcome.pending.get() on:click=save.clone()>
                            {move || if outcome.pending.get() { "Saving…" } else { "Save changes" }}
                        </button>
                    </footer>
                }.into_any()
            }}
        </Modal>
    }
}
