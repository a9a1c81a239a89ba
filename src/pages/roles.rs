//! Roles: every role with what it grants, so people can plan keys.

use keydesk_contract::types::Role;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::error_panel::ErrorPanel;
use crate::components::permission_list::PermissionList;
use crate::session::use_session;

#[component]
pub fn RolesPage() -> impl IntoView {
    let session = use_session();
    let attempt = RwSignal::new(0u32);
    let roles = LocalResource::new(move || {
        attempt.get();
        api::roles()
    });
    view! {
        <header class="page__header">
            <h1>"Roles"</h1>
            <p class="page__lead">"A role is a named set of permissions. Keys and people get permissions only through roles."</p>
        </header>
        {move || match roles.get() {
            None => view! { <p class="loading" role="status">"Loading roles…"</p> }.into_any(),
            Some(Ok(list)) => view! { <RoleCards roles=list/> }.into_any(),
            Some(Err(e)) => {
                session.notice(&e);
                let e = match e {
                    ApiError::Forbidden(_) => ApiError::Forbidden("Viewing roles needs the roles.retrieve permission.".into()),
                    other => other,
                };
                view! { <ErrorPanel error=e on_retry=Callback::new(move |_| attempt.update(|n| *n += 1))/> }.into_any()
            }
        }}
    }
}

#[component]
pub fn RoleCards(roles: Vec<Role>) -> impl IntoView {
    view! {
        <div class="role-cards">
            {roles.into_iter().map(|role| {
                let count = role.permissions.len();
                view! {
                    <article class="role-card" aria-labelledby=format!("role-card-{}", role.id)>
                        <header class="role-card__header">
                            <h2 id=format!("role-card-{}", role.id)>{role.name.clone()}</h2>
                            <span class="chip">{if role.built_in { "Built-in" } else { "Custom" }}</span>
                        </header>
                        <p class="role-card__description">{role.description.clone()}</p>
                        <details>
                            <summary>{format!("{count} permissions")}</summary>
                            <PermissionList permissions=role.permissions.clone()/>
                        </details>
                    </article>
                }
            }).collect_view()}
        </div>
    }
}
