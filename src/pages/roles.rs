//! Roles: every role with what it grants, so people can plan keys.

use keydesk_contract::types::Role;
use leptos::prelude::*;

use crate::api;
use crate::components::data_boundary::DataBoundary;
use crate::components::permission_list::PermissionList;

#[component]
pub fn RolesPage() -> impl IntoView {
    let roles = LocalResource::new(api::roles);
    view! {
        <header class="page__header">
            <h1>"Roles"</h1>
            <p class="page__lead">"A role is a named set of permissions. Keys and people get permissions only through roles."</p>
        </header>
        {move || roles.get().is_none().then(|| view! { <p class="loading" role="status">"Loading roles…"</p> })}
        <DataBoundary on_retry=move |_| roles.refetch()>
            {move || roles.get().map(|r| r.map(|list| view! { <RoleCards roles=list/> }))}
        </DataBoundary>
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
