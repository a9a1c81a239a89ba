//! People: everyone in the organization with their roles, status and last
//! sign-in and whether they have a second factor; deactivate (their sessions
//! end at once; keys they created keep working), activate again, and reset
//! someone's second factors.

use keydesk_contract::permissions;
use keydesk_contract::types::{CreateUserRequest, Invitation, Role, User, UserStatus};
use leptos::prelude::*;

use crate::components::loading::Loading;

use crate::api::{self, ApiResult};
use crate::components::add_person_dialog::AddPersonDialog;
use crate::components::change_roles_dialog::{ChangeRolesDialog, PersonChange};
use crate::components::data_boundary::DataBoundary;
use crate::components::deactivate_dialog::DeactivateDialog;
use crate::components::new_link_dialog::NewLinkDialog;
use crate::components::reset_second_factors_dialog::ResetSecondFactorsDialog;
use crate::session::use_session;
use crate::time;

pub use crate::components::deactivate_dialog::AccessChange;

/// `/people`, over the keydesk API.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let session = use_session();
    let status = RwSignal::new(None::<UserStatus>);
    let change = Action::new_local(|(id, active): &AccessChange| {
        let (id, active) = (id.clone(), *active);
        async move { api::set_user_active(&id, active).await }
    });
    let create = Action::new_local(|req: &CreateUserRequest| {
        let req = req.clone();
        async move { api::create_user(&req).await }
    });
    let invite = Action::new_local(|id: &String| {
        let id = id.clone();
        async move { api::invite(&id).await }
    });
    let update = Action::new_local(|(id, req): &PersonChange| {
        let (id, req) = (id.clone(), req.clone());
        async move { api::update_user(&id, &req).await }
    });
    let reset = Action::new_local(|id: &String| {
        let id = id.clone();
        async move { api::reset_second_factors(&id).await }
    });
    let people = LocalResource::new(move || {
        change.version().track();
        reset.version().track();
        create.version().track();
        update.version().track();
        api::users(status.get())
    });
    let roles = LocalResource::new(api::roles);
    let roles = Signal::derive(move || roles.get().and_then(Result::ok).unwrap_or_default());
    let adding = RwSignal::new(false);
    let can_add = move || session.can(permissions::USERS_CREATE);
    view! {
        <header class="page__header page__header--with-action">
            <div>
                <h1>"People"</h1>
                <p class="page__lead">"Everyone who can sign in to this organization. Keys belong to the organization, not to the person who created them."</p>
            </div>
            <div class="page__action">
                <button type="button" class="button button--primary" disabled=move || !can_add()
                    title=move || (!can_add()).then_some("You need the users.create permission.")
                    on:click=move |_| adding.set(true)>"Add person"</button>
            </div>
        </header>
        {move || adding.get().then(|| view! {
            <AddPersonDialog roles=roles my_permissions=session.me().map(|m| m.permissions).unwrap_or_default()
                create=create invite=invite on_close=move |_| adding.set(false)/>
        })}
        <div class="filters">
            <div>
                <label for="people-status-filter">"Status"</label>
                <select id="people-status-filter" on:change=move |ev| status.set(UserStatus::parse(&event_target_value(&ev)))>
                    <option value="">"Anyone"</option>
                    {UserStatus::ALL.iter().copied().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
        </div>
        {move || people.get().is_none().then(|| view! { <Loading text="Loading people…"/> })}
        <DataBoundary on_retry=move |_| people.refetch()>
            {move || people.get().map(|r| r.map(|list| view! {
                <PeopleTable people=list roles=roles change=change invite=invite update=update reset=reset/>
            }))}
        </DataBoundary>
    }
}

#[component]
pub fn PeopleTable(
    people: Vec<User>,
    /// Deactivates or activates a person.
    change: Action<AccessChange, ApiResult<User>>,
    /// Issues a new invitation link for an invited person.
    invite: Action<String, ApiResult<Invitation>>,
    /// Changes a person's roles.
    update: Action<PersonChange, ApiResult<User>>,
    /// Every role there is, to pick from.
    #[prop(into)]
    roles: Signal<Vec<Role>>,
    /// Resets a person's second factors (none offered without it).
    #[prop(optional)]
    reset: Option<Action<String, ApiResult<()>>>,
) -> impl IntoView {
    let session = use_session();
    let me = session.me().map(|m| m.user.id).unwrap_or_default();
    let can_deactivate = session.can_now(permissions::USERS_DEACTIVATE);
    let can_activate = session.can_now(permissions::USERS_ACTIVATE);
    let confirming = RwSignal::new(None::<User>);
    let can_invite = session.can_now(permissions::USERS_CREATE);
    let linking = RwSignal::new(None::<User>);
    let can_update = session.can_now(permissions::USERS_UPDATE);
    let changing = RwSignal::new(None::<User>);
    let resetting = RwSignal::new(None::<User>);
    let my_permissions = move || session.me().map(|m| m.permissions).unwrap_or_default();
    view! {
        <div class="table-wrap">
            <table class="keys-table people-table">
                <caption class="visually-hidden">"People"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Roles"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Second factor"</th>
                        <th scope="col">"Last sign-in"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {people.into_iter().map(|person| {
                        let is_me = person.id == me;
                        let active = person.status == UserStatus::Active;
                        let for_deactivate = person.clone();
                        let for_link = person.clone();
                        let for_roles = person.clone();
                        let for_reset = person.clone();
                        let resettable = reset.is_some() && person.second_factor && !is_me;
                        let invited = person.status == UserStatus::Invited;
                        let id = person.id.clone();
                        view! {
                            <tr class="key-row" data-person=person.email.clone()>
                                <th scope="row" data-label="Name">
                                    <span class="key-row__name">{person.name.clone()}</span>
                                    <span class="key-row__description">{person.email.clone()}</span>
                                </th>
                                <td data-label="Roles">
                                    <ul class="chips">{person.roles.iter().map(|r| view! { <li class="chip">{r.name.clone()}</li> }).collect_view()}</ul>
                                </td>
                                <td data-label="Status">
                                    <span class=format!("status status--{}", person.status.as_str())>{person.status.label()}</span>
                                </td>
                                <td data-label="Second factor">
                                    {if person.second_factor {
                                        view! { <span class="badge badge--ok">"On"</span> }.into_any()
                                    } else {
                                        view! { <span class="muted">"None"</span> }.into_any()
                                    }}
                                </td>
                                <td data-label="Last sign-in">
                                    {match person.last_signed_in_at.clone() {
                                        Some(t) => view! { <time datetime=t.clone() title=time::exact(&t)>{time::ago(&t)}</time> }.into_any(),
                                        None => view! { <span class="muted">"Never"</span> }.into_any(),
                                    }}
                                </td>
                                <td class="key-row__actions"><div class="key-row__buttons">
                                    <button type="button" class="button button--small" disabled=!can_update
                                        title=(!can_update).then_some("You need the users.update permission.")
                                        aria-label=format!("Change roles of {}", for_roles.name)
                                        on:click=move |_| changing.set(Some(for_roles.clone()))>"Change roles"</button>
                                    {resettable.then(|| view! {
                                        <button type="button" class="button button--small" disabled=!can_update
                                            title=(!can_update).then_some("You need the users.update permission.")
                                            aria-label=format!("Reset second factors of {}", for_reset.name)
                                            on:click=move |_| resetting.set(Some(for_reset.clone()))>"Reset 2FA"</button>
                                    })}
                                    {invited.then(|| view! {
                                        <button type="button" class="button button--small" disabled=!can_invite
                                            aria-label=format!("New link for {}", for_link.name)
                                            on:click=move |_| linking.set(Some(for_link.clone()))>"New link"</button>
                                    })}
                                    {if active || invited {
                                        view! {
                                            <button type="button" class="button button--small button--danger-quiet"
                                                disabled=is_me || !can_deactivate
                                                title=if is_me { Some("You cannot deactivate yourself.") } else if !can_deactivate { Some("You need the users.deactivate permission.") } else { None }
                                                aria-label=format!("Deactivate {}", person.name)
                                                on:click=move |_| confirming.set(Some(for_deactivate.clone()))>"Deactivate"</button>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <button type="button" class="button button--small" disabled=!can_activate
                                                aria-label=format!("Activate {}", person.name)
                                                on:click=move |_| { change.dispatch((id.clone(), true)); }>"Activate"</button>
                                        }.into_any()
                                    }}
                                </div></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || confirming.get().map(|person| view! {
            <DeactivateDialog person=person change=change on_close=move |_| confirming.set(None)/>
        })}
        {move || changing.get().map(|person| view! {
            <ChangeRolesDialog person=person roles=roles my_permissions=my_permissions() update=update
                on_close=move |_| changing.set(None)/>
        })}
        {move || resetting.get().zip(reset).map(|(person, reset)| view! {
            <ResetSecondFactorsDialog person=person reset=reset on_close=move |_| resetting.set(None)/>
        })}
        {move || linking.get().map(|person| view! {
            <NewLinkDialog person=person invite=invite on_close=move |_| linking.set(None)/>
        })}
    }
}
