//! Edit an API key: *Details* → a double-check of what changes (permissions
//! added and removed) → Save.

use keydesk_contract::types::{ApiKey, Role, UpdateApiKeyRequest};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::key_details::{KeyDetailsForm, KeyDraft};
use super::modal::Modal;
use super::permission_list::PermissionDiff;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use keydesk_contract::roles::RoleSet;

/// An edit as sent: the key's id, the version it was made on, the changes.
pub type KeyEdit = (String, u64, UpdateApiKeyRequest);

#[component]
pub fn EditKeyDialog(
    /// The key as it is now.
    key: ApiKey,
    #[prop(into)] roles: Signal<Vec<Role>>,
    my_permissions: Vec<String>,
    /// Saves the edit (over the API, or a stand-in in tests).
    update: Action<KeyEdit, ApiResult<ApiKey>>,
    #[prop(into)] on_saved: Callback<ApiKey>,
    #[prop(into)] on_close: Callback<()>,
    /// Roles to start from instead of the key's own (a least-privilege
    /// suggestion); the review still shows what changes against the key.
    #[prop(optional)]
    proposed_role_ids: Option<Vec<String>>,
) -> impl IntoView {
    let current_roles: Vec<String> =
        proposed_role_ids.unwrap_or_else(|| key.roles.iter().map(|r| r.id.clone()).collect());
    let draft = KeyDraft::new(&key.name, &key.description, current_roles);
    let reviewing = RwSignal::new(false);
    let outcome = use_action_outcome_with_options(
        update,
        UseActionOutcomeOptions {
            on_success: Some(on_saved),
            on_fields: Some(Callback::new(move |fields| {
                draft.errors.set(fields);
                reviewing.set(false);
            })),
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);
    let my_permissions = StoredValue::new(my_permissions);
    let key = StoredValue::new(key);

    let next = move |_| {
        if roles.with_untracked(|r| draft.validate(r)) {
            reviewing.set(true);
        }
    };
    let save = move |_| {
        if busy.get_untracked() {
            return;
        }
        let (id, version, request) = key.with_value(|k| {
            let name = draft.name.get_untracked();
            let description = draft.description.get_untracked();
            let role_ids = draft.role_ids.get_untracked();
            let old_roles: Vec<&String> = k.roles.iter().map(|r| &r.id).collect();
            let new_roles: Vec<&String> = role_ids.iter().collect();
            let same_roles = old_roles.len() == new_roles.len()
                && new_roles.iter().all(|r| old_roles.contains(r));
            // Send only what changed: the audit trail then says exactly that.
            let request = UpdateApiKeyRequest {
                name: (name.trim() != k.name).then_some(name),
                description: (description.trim() != k.description).then_some(description),
                role_ids: (!same_roles).then_some(role_ids),
                ..Default::default()
            };
            (k.id.clone(), k.version, request)
        });
        update.dispatch((id, version, request));
    };
    let can_close = outcome.idle();
    let title = key.with_value(|k| format!("Edit {}", k.name));

    view! {
        <Modal labelled_by="edit-key-title" on_close=on_close can_close=can_close class="modal--wide">
            <header class="modal__header">
                <p class="modal__step">{move || if reviewing.get() { "Step 2 of 2" } else { "Step 1 of 2" }}</p>
                <h2 id="edit-key-title">{title}</h2>
            </header>
            {move || if !reviewing.get() {
                view! {
                    <form class="modal__content" on:submit=move |ev| { ev.prevent_default(); next(()); }>
                        <KeyDetailsForm draft=draft roles=roles my_permissions=my_permissions.get_value()/>
                        <footer class="modal__actions">
                            <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                            <button type="submit" class="button button--primary">"Next: review changes"</button>
                        </footer>
                    </form>
                }.into_any()
            } else {
                let before = key.with_value(|k| k.permissions.clone());
                let after = roles.with_untracked(|r| r.granted_ids(&draft.role_ids.get_untracked()));
                view! {
                    <div class="modal__content" tabindex="0" role="region" aria-label="Changes to review">
                        <p class="double-check__lead">
                            "Review what changes for " <strong>{draft.clean_name()}</strong>
                            ". Systems using this key get the new permissions at once."
                        </p>
                        <PermissionDiff before=before after=after/>
                        {move || failure.get().map(|e| view! { <ErrorPanel error=e on_retry=Callback::new(move |_| save(()))/> })}
                    </div>
                    <footer class="modal__actions">
                        <button type="button" class="button" disabled=move || busy.get() on:click=move |_| reviewing.set(false)>"Back"</button>
                        <button type="button" class="button button--primary" disabled=move || busy.get() on:click=move |_| save(())>
                            {move || if busy.get() { "Saving…" } else { "Save changes" }}
                        </button>
                    </footer>
                }.into_any()
            }}
        </Modal>
    }
}
