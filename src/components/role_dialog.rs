//! Create, duplicate or edit a custom role: *Details* (name, description,
//! permissions) → *Double-check* (what it grants; for an edit, the
//! permissions added and removed and how many keys and people it affects)
//! → Save. Validation is the contract's, so messages match the server's.

use keydesk_contract::types::{CreateRoleRequest, FieldErrors, Role, UpdateRoleRequest};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::field::{DescriptionField, TextField};
use super::modal::Modal;
use super::permission_list::{PermissionDiff, PermissionList};
use super::permission_picker::PermissionPicker;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

/// What the dialog saves: a new role, or an edit decided on a role's version.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleSave {
    Create(CreateRoleRequest),
    Update {
        id: String,
        version: u64,
        change: UpdateRoleRequest,
    },
}

/// Where the dialog starts.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleDraftFrom {
    /// An empty role.
    Nothing,
    /// A copy of this role (built-in or custom), under a new name.
    Copy(Role),
    /// An edit of this custom role.
    Edit(Role),
    /// A new role made to measure: exactly these permissions, for the key
    /// named `for_key` (least privilege offers it).
    Exactly {
        for_key: String,
        permissions: Vec<String>,
    },
}

#[component]
pub fn RoleDialog(
    from: RoleDraftFrom,
    /// What the person holds: they can grant nothing else.
    my_permissions: Vec<String>,
    save: Action<RoleSave, ApiResult<Role>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let held = |p: &String| my_permissions.contains(p);
    let (name, description, permissions, editing) = match &from {
        RoleDraftFrom::Nothing => (String::new(), String::new(), Vec::new(), None),
        // A copy starts with what the person may grant of the original.
        RoleDraftFrom::Copy(r) => (
            format!("{} copy", r.name),
            r.description.clone(),
            r.permissions.iter().filter(|p| held(p)).cloned().collect(),
            None,
        ),
        RoleDraftFrom::Edit(r) => (
            r.name.clone(),
            r.description.clone(),
            r.permissions.clone(),
            Some(r.clone()),
        ),
        RoleDraftFrom::Exactly {
            for_key,
            permissions,
        } => (
            format!("{for_key} exactly"),
            format!("Exactly what {for_key} used."),
            permissions.iter().filter(|p| held(p)).cloned().collect(),
            None,
        ),
    };
    let dropped = match &from {
        RoleDraftFrom::Copy(r) => r.permissions.iter().filter(|p| !held(p)).count(),
        _ => 0,
    };
    let name = RwSignal::new(name);
    let description = RwSignal::new(description);
    let chosen = RwSignal::new(permissions);
    let errors = RwSignal::new(FieldErrors::new());
    let reviewing = RwSignal::new(false);
    let outcome = use_action_outcome_with_options(
        save,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |_| on_close.run(()))),
            on_fields: Some(Callback::new(move |fields| {
                errors.set(fields);
                reviewing.set(false);
            })),
        },
    );
    let request = move || CreateRoleRequest {
        name: name.get_untracked(),
        description: description.get_untracked(),
        permissions: chosen.get_untracked(),
    };
    let next = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match request().validate() {
            Ok(_) => {
                errors.set(FieldErrors::new());
                reviewing.set(true);
            }
            Err(found) => errors.set(found),
        }
    };
    let editing = StoredValue::new(editing);
    let save_now = move || {
        if outcome.pending.get_untracked() {
            return;
        }
        let req = request();
        save.dispatch(match editing.get_value() {
            None => RoleSave::Create(req),
            Some(role) => RoleSave::Update {
                id: role.id,
                version: role.version,
                change: UpdateRoleRequest {
                    name: Some(req.name),
                    description: Some(req.description),
                    permissions: Some(req.permissions),
                },
            },
        });
    };
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));
    let title = match &from {
        RoleDraftFrom::Edit(r) => format!("Edit role {}", r.name),
        RoleDraftFrom::Copy(r) => format!("Duplicate {}", r.name),
        RoleDraftFrom::Nothing | RoleDraftFrom::Exactly { .. } => "Create role".to_string(),
    };
    let my_permissions = StoredValue::new(my_permissions);
    view! {
        <Modal labelled_by="role-dialog-title" on_close=on_close can_close=outcome.idle() class="modal--wide">
            <header class="modal__header">
                <p class="modal__step">{move || if reviewing.get() { "Step 2 of 2" } else { "Step 1 of 2" }}</p>
                <h2 id="role-dialog-title">{title}</h2>
            </header>
            {move || if !reviewing.get() {
                view! {
                    <form class="modal__content" on:submit=next>
                        {(dropped > 0).then(|| view! {
                            <p class="warning" role="note">{format!(
                                "{dropped} permission{} of the original {} left out: you do not hold {}.",
                                if dropped == 1 { "" } else { "s" },
                                if dropped == 1 { "is" } else { "are" },
                                if dropped == 1 { "it" } else { "them" },
                            )}</p>
                        })}
                        <TextField id="role-name" label="Name" value=name error=error("name") autocomplete="off" autofocus=true
                            hint="What the people or systems holding it do, e.g. Support Desk. 3–64 letters, digits, spaces, _ - ."/>
                        <DescriptionField id="role-description" value=description error=error("description")
                            hint="When to give this role, so others pick it correctly."/>
                        <PermissionPicker chosen=chosen error=error("permissions") my_permissions=my_permissions.get_value()/>
                        <footer class="modal__actions">
                            <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                            <button type="submit" class="button button--primary">"Next: double-check"</button>
                        </footer>
                    </form>
                }.into_any()
            } else {
                let after = keydesk_contract::permissions::union(
                    chosen.get_untracked().iter().map(String::as_str),
                ).into_iter().map(String::from).collect::<Vec<_>>();
                let clean_name = name.get_untracked().trim().to_string();
                view! {
                    <div class="modal__content" tabindex="0" role="region" aria-label="Permissions to review">
                        {match editing.get_value() {
                            None => view! {
                                <p class="double-check__lead">
                                    {format!("{} will grant these {} permissions:", clean_name, after.len())}
                                </p>
                                <PermissionList permissions=after/>
                            }.into_any(),
                            Some(role) => {
                                let usage = role.used_by.unwrap_or_default();
                                view! {
                                    <p class="double-check__lead" role="note">
                                        "This change applies at once to everyone holding the role: it affects "
                                        <strong class="role-usage">{usage.describe()}</strong> "."
                                    </p>
                                    <PermissionDiff before=role.permissions.clone() after=after/>
                                }.into_any()
                            }
                        }}
                        {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e on_retry=Callback::new(move |_| save_now())/> })}
                    </div>
                    <footer class="modal__actions">
                        <button type="button" class="button" disabled=move || outcome.pending.get() on:click=move |_| reviewing.set(false)>"Back"</button>
                        <button type="button" class="button button--primary" disabled=move || outcome.pending.get() on:click=move |_| save_now()>
                            {move || match (outcome.pending.get(), editing.with_value(Option::is_some)) {
                                (true, _) => "Saving…",
                                (false, true) => "Save changes",
                                (false, false) => "Create role",
                            }}
                        </button>
                    </footer>
                }.into_any()
            }}
        </Modal>
    }
}
