//! Settings: the organization's own rules, for people holding
//! `accounts.retrieve`; only `accounts.update` may change them. Security →
//! "Require a second factor": people without one are then led to set one up
//! before anything else (their open sessions too).

use keydesk_contract::key_policy::KeyPolicyRequest;
use keydesk_contract::permissions;
use keydesk_contract::second_factors::OrganizationSecurity;
use keydesk_contract::sso::SsoRequest;
use leptos::prelude::*;

use crate::api::{self, ApiResult};
use crate::components::error_panel::ErrorPanel;
use crate::components::event_destinations_settings::{EventCalls, EventDestinationsSettings};
use crate::components::key_policy_settings::KeyPolicySettings;
use crate::components::loading::Loading;
use crate::components::sso_settings::SsoSettings;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::use_session;

/// `/settings`, over the keydesk API.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    let load = Action::new_local(|_: &()| api::organization_security());
    let save = Action::new_local(|required: &bool| api::update_organization_security(*required));
    let roles = LocalResource::new(api::roles);
    let people = LocalResource::new(move || {
        let may = session.can_now(permissions::USERS_RETRIEVE);
        async move {
            if may {
                api::users(Some(keydesk_contract::types::UserStatus::Active)).await
            } else {
                Ok(Vec::new())
            }
        }
    });
    let save_sso = Action::new_local(|req: &SsoRequest| {
        let req = req.clone();
        async move { api::save_sso(&req).await }
    });
    let test_sso = Action::new_local(|issuer: &String| api::test_sso(issuer.clone()));
    let remove_sso = Action::new_local(|_: &()| api::remove_sso());
    let policy = LocalResource::new(api::key_policy);
    let preview_policy = Action::new_local(|req: &KeyPolicyRequest| {
        let req = req.clone();
        async move { api::key_policy_preview(&req).await }
    });
    let save_policy = Action::new_local(|req: &KeyPolicyRequest| {
        let req = req.clone();
        async move { api::save_key_policy(&req).await }
    });
    view! {
        <Settings load=load save=save/>
        {move || policy.get().and_then(Result::ok).map(|current| view! {
            <KeyPolicySettings current=current preview=preview_policy save=save_policy
                may_change=session.can_now(permissions::ACCOUNTS_UPDATE)/>
        })}
        {move || match (load.value().get(), roles.get(), people.get()) {
            (Some(Ok(security)), Some(Ok(roles)), Some(Ok(people))) => view! {
                <SsoSettings current=security.sso roles=roles people=people save=save_sso test=test_sso
                    remove=remove_sso may_change=session.can_now(permissions::ACCOUNTS_UPDATE)/>
            }.into_any(),
            _ => ().into_any(),
        }}
        <EventDestinationsSettings calls=event_calls() may_change=session.can_now(permissions::ACCOUNTS_UPDATE)/>
    }
}

/// Settings → Events over the keydesk API.
pub fn event_calls() -> EventCalls {
    EventCalls {
        list: Action::new_local(|_: &()| api::event_destinations()),
        create: Action::new_local(|req: &keydesk_contract::events::CreateDestination| {
            let req = req.clone();
            async move { api::create_event_destination(&req).await }
        }),
        update: Action::new_local(
            |(id, req): &(String, keydesk_contract::events::UpdateDestination)| {
                let (id, req) = (id.clone(), req.clone());
                async move { api::update_event_destination(&id, &req).await }
            },
        ),
        remove: Action::new_local(|id: &String| {
            let id = id.clone();
            async move { api::delete_event_destination(&id).await }
        }),
        rotate: Action::new_local(|id: &String| {
            let id = id.clone();
            async move { api::rotate_event_destination_secret(&id).await }
        }),
        deliveries: Action::new_local(|id: &String| {
            let id = id.clone();
            async move { api::event_deliveries(&id).await }
        }),
        test: Action::new_local(|id: &String| {
            let id = id.clone();
            async move { api::send_test_event(&id).await }
        }),
        replay: Action::new_local(|(id, since): &(String, String)| {
            let (id, since) = (id.clone(), since.clone());
            async move { api::replay_events(&id, since).await }
        }),
    }
}

#[component]
pub fn Settings(
    load: Action<(), ApiResult<OrganizationSecurity>>,
    /// Requires a second factor of everyone (`true`) or stops requiring it.
    save: Action<bool, ApiResult<OrganizationSecurity>>,
) -> impl IntoView {
    let session = use_session();
    let may_change = move || session.can(permissions::ACCOUNTS_UPDATE);
    load.dispatch(());
    let required = RwSignal::new(false);
    let saved = RwSignal::new(None::<bool>);
    Effect::new(move || {
        if let Some(Ok(security)) = load.value().get() {
            required.set(security.require_second_factor);
        }
    });
    let saving = use_action_outcome_with_options(
        save,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |s: OrganizationSecurity| {
                required.set(s.require_second_factor);
                saved.set(Some(s.require_second_factor));
            })),
            ..Default::default()
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !saving.pending.get_untracked() {
            saved.set(None);
            save.dispatch(required.get_untracked());
        }
    };
    view! {
        <header class="page__header">
            <h1>"Settings"</h1>
            <p class="page__lead">"How everyone in your organization signs in."</p>
        </header>
        {move || match load.value().get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorPanel error=e on_retry=Callback::new(move |()| { load.dispatch(()); })/> }.into_any(),
            Some(Ok(_)) => view! {
                <section class="account-section" aria-labelledby="org-security-title">
                    <h2 id="org-security-title">"Security"</h2>
                    <form on:submit=submit novalidate>
                        <label class="acknowledge">
                            <input type="checkbox" id="require-second-factor" disabled=move || !may_change()
                                aria-describedby="require-second-factor-hint"
                                prop:checked=move || required.get()
                                on:change=move |ev| required.set(event_target_checked(&ev))/>
                            "Require a second factor"
                        </label>
                        <p class="field__hint" id="require-second-factor-hint">
                            "Everyone must have an authenticator app or a passkey. People without one can only set one up \
                             until they do, starting with their next request. Set one up for yourself first."
                        </p>
                        {move || saving.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                        {move || saved.get().map(|on| view! {
                            <p class="notice" role="status">{if on {
                                "Saved: a second factor is now required of everyone."
                            } else {
                                "Saved: a second factor is no longer required."
                            }}</p>
                        })}
                        {move || if may_change() {
                            view! {
                                <button type="submit" class="button button--primary" disabled=move || saving.pending.get()>
                                    {move || if saving.pending.get() { "Saving…" } else { "Save" }}
                                </button>
                            }.into_any()
                        } else {
                            view! { <p class="field__hint">"Changing this needs the accounts.update permission."</p> }.into_any()
                        }}
                    </form>
                </section>
            }.into_any(),
        }}
    }
}
