//! Roles: every role with what it grants and who holds it, so people can plan
//! keys. Built-in roles are read-only, with *Duplicate* to start a custom one;
//! custom roles can be created, edited and deleted (when nobody holds them).

use keydesk_contract::permissions;
use keydesk_contract::types::Role;
use leptos::prelude::*;

use crate::components::loading::Loading;

use crate::api::{self, ApiResult};
use crate::components::data_boundary::DataBoundary;
use crate::components::delete_role_dialog::{DeleteRoleDialog, RoleRemoval};
use crate::components::permission_list::PermissionList;
use crate::components::role_dialog::{RoleDialog, RoleDraftFrom, RoleSave};
use crate::session::use_session;
use keydesk_contract::roles::missing_from;

/// `/roles`, over the keydesk API.
#[component]
pub fn RolesPage() -> impl IntoView {
    let session = use_session();
    let save = Action::new_local(|save: &RoleSave| {
        let save = save.clone();
        async move {
            match save {
                RoleSave::Create(req) => api::create_role(&req).await,
                RoleSave::Update {
                    id,
                    version,
                    change,
                } => api::update_role(&id, version, &change).await,
            }
        }
    });
    let delete = Action::new_local(|(id, version): &RoleRemoval| {
        let (id, version) = (id.clone(), *version);
        async move { api::delete_role(&id, version).await }
    });
    let roles = LocalResource::new(move || {
        save.version().track();
        delete.version().track();
        api::roles()
    });
    // `?new=a,b&for=Key` (from a key's least privilege): Create, pre-filled.
    let query = leptos_router::hooks::use_query_map();
    let made_to_measure = untrack(move || {
        query.with(|q| {
            q.get("new").map(|list| RoleDraftFrom::Exactly {
                for_key: q.get("for").unwrap_or_default(),
                permissions: list
                    .split(',')
                    .filter(|p| permissions::find(p).is_some())
                    .map(String::from)
                    .collect(),
            })
        })
    });
    let creating =
        RwSignal::new(made_to_measure.is_some() && session.can_now(permissions::ROLES_CREATE));
    let draft = StoredValue::new(made_to_measure.unwrap_or(RoleDraftFrom::Nothing));
    let can_create = move || session.can(permissions::ROLES_CREATE);
    view! {
        <header class="page__header page__header--with-action">
            <div>
                <h1>"Roles"</h1>
                <p class="page__lead">"A role is a named set of permissions. Keys and people get permissions only through roles."</p>
            </div>
            <div class="page__action">
                <button type="button" class="button button--primary" disabled=move || !can_create()
                    title=move || (!can_create()).then_some("You need the roles.create permission.")
                    on:click=move |_| creating.set(true)>"Create role"</button>
            </div>
        </header>
        {move || creating.get().then(|| view! {
            <RoleDialog from=draft.get_value() my_permissions=session.me().map(|m| m.permissions).unwrap_or_default()
                save=save on_close=move |_| { creating.set(false); draft.set_value(RoleDraftFrom::Nothing); }/>
        })}
        {move || roles.get().is_none().then(|| view! { <Loading text="Loading roles…"/> })}
        <DataBoundary on_retry=move |_| roles.refetch()>
            {move || roles.get().map(|r| r.map(|list| view! { <RoleCards roles=list save=save delete=delete/> }))}
        </DataBoundary>
    }
}

/// What a role card's dialog is doing.
#[derive(Debug, Clone, PartialEq)]
enum Open {
    Draft(RoleDraftFrom),
    Delete(Role),
}

#[component]
pub fn RoleCards(
    roles: Vec<Role>,
    /// Saves a new or edited role.
    save: Action<RoleSave, ApiResult<Role>>,
    /// Deletes a custom role.
    delete: Action<RoleRemoval, ApiResult<()>>,
) -> impl IntoView {
    let session = use_session();
    let mine = untrack(|| session.me())
        .map(|m| m.permissions)
        .unwrap_or_default();
    let can = |p| session.can_now(p);
    let (can_create, can_update, can_delete) = (
        can(permissions::ROLES_CREATE),
        can(permissions::ROLES_UPDATE),
        can(permissions::ROLES_DELETE),
    );
    let open = RwSignal::new(None::<Open>);
    let my_permissions = StoredValue::new(mine.clone());
    view! {
        {move || open.get().map(|o| match o {
            Open::Draft(from) => view! {
                <RoleDialog from=from my_permissions=my_permissions.get_value() save=save on_close=move |_| open.set(None)/>
            }.into_any(),
            Open::Delete(role) => view! {
                <DeleteRoleDialog role=role delete=delete on_close=move |_| open.set(None)/>
            }.into_any(),
        })}
        <div class="role-cards">
            {roles.into_iter().map(|role| {
                let count = role.permissions.len();
                // Nobody changes a role that grants more than they hold.
                let holds_it = missing_from(&role, &mine).is_empty();
                let why_not = |needed: &str, allowed: bool| match (allowed, holds_it) {
                    (false, _) => Some(format!("You need the {needed} permission.")),
                    (true, false) => Some("It grants permissions you do not hold.".to_string()),
                    (true, true) => None,
                };
                let edit_refusal = why_not("roles.update", can_update);
                let delete_refusal = why_not("roles.delete", can_delete);
                let usage = role.used_by.map(|u| format!("Held by {}", u.describe()));
                let (for_copy, for_edit, for_delete) = (role.clone(), role.clone(), role.clone());
                let name = role.name.clone();
                view! {
                    <article class="role-card" aria-labelledby=format!("role-card-{}", role.id) data-role=role.id.clone()>
                        <header class="role-card__header">
                            <h2 id=format!("role-card-{}", role.id)>{role.name.clone()}</h2>
                            <span class="chip">{if role.built_in { "Built-in" } else { "Custom" }}</span>
                        </header>
                        <p class="role-card__description">{role.description.clone()}</p>
                        {usage.map(|u| view! { <p class="role-card__usage muted">{u}</p> })}
                        <details>
                            <summary>{format!("{count} permissions")}</summary>
                            <PermissionList permissions=role.permissions.clone()/>
                        </details>
                        <footer class="role-card__actions">
                            <button type="button" class="button button--small" disabled=!can_create
                                aria-label=format!("Duplicate {name}")
                                title=(!can_create).then_some("You need the roles.create permission.")
                                on:click=move |_| open.set(Some(Open::Draft(RoleDraftFrom::Copy(for_copy.clone()))))>"Duplicate"</button>
                            {(!role.built_in).then(|| view! {
                                <button type="button" class="button button--small" disabled=edit_refusal.is_some()
                                    aria-label=format!("Edit {name}") title=edit_refusal.clone()
                                    on:click=move |_| open.set(Some(Open::Draft(RoleDraftFrom::Edit(for_edit.clone()))))>"Edit"</button>
                                <button type="button" class="button button--small button--danger-quiet" disabled=delete_refusal.is_some()
                                    aria-label=format!("Delete {name}") title=delete_refusal.clone()
                                    on:click=move |_| open.set(Some(Open::Delete(for_delete.clone())))>"Delete"</button>
                            })}
                        </footer>
                    </article>
                }
            }).collect_view()}
        </div>
    }
}
