//! Delete a custom role. A role someone holds cannot be deleted: the dialog
//! says by how many keys and people, instead of offering a button the server
//! would refuse.

use keydesk_contract::types::Role;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

/// A role to delete, as it was read: its id and version.
pub type RoleRemoval = (String, u64);

#[component]
pub fn DeleteRoleDialog(
    role: Role,
    delete: Action<RoleRemoval, ApiResult<()>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let outcome = use_action_outcome_with_options(
        delete,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |_| on_close.run(()))),
            ..Default::default()
        },
    );
    let usage = role.used_by.unwrap_or_default();
    let in_use = !usage.is_unused();
    let removal = (role.id.clone(), role.version);
    view! {
        <Modal labelled_by="delete-role-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="delete-role-title">{
                    if in_use { format!("{} is in use", role.name) } else { format!("Delete {}?", role.name) }
                }</h2>
            </header>
            <div class="modal__content">
                {if in_use {
                    view! {
                        <p class="warning" role="note">
                            <strong>{role.name.clone()}</strong> " is held by " <strong class="role-usage">{usage.describe()}</strong>
                            ". Give them other roles first (API Keys and People tabs); then it can be deleted."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <p>"No key or person holds " <strong>{role.name.clone()}</strong> ". Deleting it cannot be undone."</p>
                    }.into_any()
                }}
                {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            </div>
            <footer class="modal__actions">
                <button type="button" class="button" disabled=move || outcome.pending.get() on:click=move |_| on_close.run(())>
                    {if in_use { "Close" } else { "Cancel" }}
                </button>
                {(!in_use).then(|| view! {
                    <button type="button" class="button button--danger" disabled=move || outcome.pending.get()
                        on:click=move |_| { delete.dispatch(removal.clone()); }>
                        {move || if outcome.pending.get() { "Deleting…" } else { "Delete role" }}
                    </button>
                })}
            </footer>
        </Modal>
    }
}
