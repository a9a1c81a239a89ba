//! The *Details* step shared by Create and Edit: name, description and roles,
//! with a live count of what the chosen roles grant. Validation is the
//! contract crate's, so messages match the server's word for word.

use keydesk_contract::types::{CreateApiKeyRequest, FieldErrors, Role};
use leptos::prelude::*;

use super::field::{DescriptionField, TextField};
use super::roles_picker::RolesPicker;

/// What the person has typed and chosen so far. Lives in the dialog, so going
/// to the next step and back keeps everything.
#[derive(Debug, Clone, Copy)]
pub struct KeyDraft {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub role_ids: RwSignal<Vec<String>>,
    /// Messages per field, from the local check or from the server.
    pub errors: RwSignal<FieldErrors>,
}

impl KeyDraft {
    pub fn new(name: &str, description: &str, role_ids: Vec<String>) -> Self {
        KeyDraft {
            name: RwSignal::new(name.to_string()),
            description: RwSignal::new(description.to_string()),
            role_ids: RwSignal::new(role_ids),
            errors: RwSignal::new(FieldErrors::new()),
        }
    }

    /// Checks the draft with the rules the server applies to a new key (the
    /// contract's own validation of the request); records the messages and
    /// answers whether it may go on. Edits check the same fields.
    pub fn validate(&self, roles: &[Role]) -> bool {
        let request = CreateApiKeyRequest {
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            role_ids: self.role_ids.get_untracked(),
            expires_in_days: None,
            expires_at: None,
            decoy: false,
        };
        let errors = request
            .validate(|id| roles.iter().any(|r| r.id == id))
            .err()
            .unwrap_or_default();
        let ok = errors.is_empty();
        self.errors.set(errors);
        ok
    }

    pub fn error(&self, field: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || errors.with(|e| e.get(field).cloned()))
    }

    /// The name as it will be saved.
    pub fn clean_name(&self) -> String {
        self.name.get().trim().to_string()
    }
}

#[component]
pub fn KeyDetailsForm(
    draft: KeyDraft,
    /// Every role there is (may still be loading).
    #[prop(into)]
    roles: Signal<Vec<Role>>,
    /// What the person holds: roles granting more are shown disabled.
    my_permissions: Vec<String>,
) -> impl IntoView {
    let my_permissions = StoredValue::new(my_permissions);

    view! {
        <div class="key-details">
            <TextField
                id="key-name"
                label="Name"
                value=draft.name
                error=draft.error("name")
                hint="Name it after the one system that will use it, e.g. Billing_Reader. 3–64 letters, digits, spaces, _ - ."
                autocomplete="off"
                autofocus=true
            />
            <DescriptionField id="key-description" value=draft.description error=draft.error("description")
                hint="What the system does with it, and who owns it."/>
            <RolesPicker roles=roles role_ids=draft.role_ids error=draft.error("role_ids")
                my_permissions=my_permissions.get_value()
                hint="Give the key only what its system needs. Each role shows what it is for."/>
        </div>
    }
}
