//! Add person: *Details* (name, email, roles) → *Double-check* of what the
//! roles grant → the invitation link, shown once.

use keydesk_contract::types::{CreateUserRequest, FieldErrors, Invitation, Role, User};
use leptos::prelude::*;

use super::double_check::DoubleCheckStep;
use super::field::TextField;
use super::invitation_link::InvitationLink;
use super::modal::Modal;
use super::roles_picker::RolesPicker;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use keydesk_contract::roles::RoleSet;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Details,
    DoubleCheck,
    Link(Invitation),
}

#[component]
pub fn AddPersonDialog(
    #[prop(into)] roles: Signal<Vec<Role>>,
    /// What the person adding holds.
    my_permissions: Vec<String>,
    /// Adds the person (without a password: invited).
    create: Action<CreateUserRequest, ApiResult<User>>,
    /// Issues an invitation link for the person with this id.
    invite: Action<String, ApiResult<Invitation>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role_ids = RwSignal::new(Vec::<String>::new());
    let errors = RwSignal::new(FieldErrors::new());
    let step = RwSignal::new(Step::Details);
    let added = use_action_outcome_with_options(
        create,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |user: User| {
                invite.dispatch(user.id);
            })),
            on_fields: Some(Callback::new(move |fields| {
                errors.set(fields);
                step.set(Step::Details);
            })),
        },
    );
    let linked = use_action_outcome_with_options(
        invite,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |i| step.set(Step::Link(i)))),
            ..Default::default()
        },
    );
    let busy = Signal::derive(move || added.pending.get() || linked.pending.get());
    let request = move || CreateUserRequest {
        name: name.get_untracked(),
        email: email.get_untracked(),
        password: None,
        role_ids: role_ids.get_untracked(),
    };
    let next = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let known = |id: &str| roles.with_untracked(|r| r.iter().any(|role| role.id == id));
        match request().validate(known) {
            Ok(_) => {
                errors.set(FieldErrors::new());
                step.set(Step::DoubleCheck);
            }
            Err(found) => errors.set(found),
        }
    };
    let add = move |()| {
        if !busy.get_untracked() {
            create.dispatch(request());
        }
    };
    let error = move |f: &'static str| Signal::derive(move || errors.with(|e| e.get(f).cloned()));
    let my_permissions = StoredValue::new(my_permissions);
    let can_close = Signal::derive(move || !busy.get());

    view! {
        <Modal labelled_by="add-person-title" on_close=on_close can_close=can_close class="modal--wide">
            {move || match step.get() {
                Step::Details => view! {
                    <header class="modal__header">
                        <p class="modal__step">"Step 1 of 2"</p>
                        <h2 id="add-person-title">"Add person"</h2>
                    </header>
                    <form class="modal__content" on:submit=next novalidate>
                        <TextField id="person-name" label="Name" value=name error=error("name") autocomplete="off" autofocus=true/>
                        <TextField id="person-email" label="Email" kind="email" value=email error=error("email") autocomplete="off"
                            hint="They sign in with this address."/>
                        <RolesPicker roles=roles role_ids=role_ids error=error("role_ids") my_permissions=my_permissions.get_value()
                            hint="Give them only what their work needs."/>
                        <footer class="modal__actions">
                            <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                            <button type="submit" class="button button--primary">"Next: double-check"</button>
                        </footer>
                    </form>
                }.into_any(),
                Step::DoubleCheck => view! {
                    <DoubleCheckStep title_id="add-person-title" grantee=name.get_untracked().trim().to_string()
                        permissions=roles.with_untracked(|r| r.granted_ids(&role_ids.get_untracked()))
                        failure=Signal::derive(move || added.failure.get().or(linked.failure.get()))
                        busy=busy on_back=move |_| step.set(Step::Details) on_confirm=add
                        confirm=("Add person", "Adding…")/>
                }.into_any(),
                Step::Link(invitation) => view! {
                    <header class="modal__header">
                        <h2 id="add-person-title">"Invitation link"</h2>
                    </header>
                    <div class="modal__content">
                        <InvitationLink invitation=invitation name=name.get_untracked().trim().to_string()/>
                    </div>
                    <footer class="modal__actions">
                        <button type="button" class="button button--primary" on:click=move |_| on_close.run(())>"Done"</button>
                    </footer>
                }.into_any(),
            }}
        </Modal>
    }
}
