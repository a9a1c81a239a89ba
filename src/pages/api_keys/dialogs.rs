//! The tab's dialogs. Create is open exactly when the address is
//! `/api-keys/new` (so it can be linked to, and typing it without the
//! permission opens nothing); the others open from a row. Every new secret,
//! from "Generate" or "Regenerate", opens the Generated dialog.

use keydesk_contract::types::{ApiKey, ApiKeyStatus, GenerateRequest, GeneratedApiKey, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::keys_api::KeysApi;
use crate::components::create_key_dialog::CreateKeyDialog;
use crate::components::disable_key_dialog::DisableKeyDialog;
use crate::components::edit_key_dialog::EditKeyDialog;
use crate::components::error_panel::ErrorPanel;
use crate::components::generated_key_dialog::GeneratedKeyDialog;
use crate::components::key_usage_dialog::KeyUsageDialog;
use crate::components::networks_dialog::NetworksDialog;
use crate::components::regenerate_dialog::RegenerateDialog;
use crate::components::remove_key_dialog::RemoveKeyDialog;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::use_session;

/// Which row dialog is open.
#[derive(Debug, Clone, PartialEq)]
pub enum Open {
    Nothing,
    Edit(ApiKey),
    /// Edit starting from a least-privilege suggestion's roles.
    Narrow(ApiKey, Vec<String>),
    Usage(ApiKey),
    Regenerate(ApiKey),
    Disable(ApiKey),
    Remove(ApiKey),
    Networks(ApiKey),
    Generated(GeneratedApiKey),
}

#[component]
pub fn KeyDialogs(
    api: KeysApi,
    #[prop(into)] roles: Signal<Vec<Role>>,
    open: RwSignal<Open>,
    /// The address asks for the Create dialog, and the person may create.
    #[prop(into)]
    creating: Signal<bool>,
    /// Said to screen readers after a change.
    announce: RwSignal<String>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let my_permissions = move || session.me().map(|m| m.permissions).unwrap_or_default();
    // The key policy's default lifetime fills in Create's expiry.
    let key_policy = LocalResource::new(crate::api::key_policy);
    let policy = Signal::derive(move || key_policy.get().and_then(Result::ok));
    let generation = use_action_outcome_with_options(
        api.generate,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |g| open.set(Open::Generated(g)))),
            ..Default::default()
        },
    );
    // Enable runs straight from the row: say how it went.
    let switching = use_action_outcome_with_options(
        api.switch,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |key: ApiKey| {
                let state = if key.status == ApiKeyStatus::Disabled {
                    "disabled"
                } else {
                    "enabled"
                };
                announce.set(format!("{} was {state}.", key.name));
                open.set(Open::Nothing);
            })),
            ..Default::default()
        },
    );
    let leave_create = {
        let navigate = navigate.clone();
        move || {
            if creating.get_untracked() {
                navigate("/api-keys", Default::default());
            }
        }
    };
    let close = {
        let leave_create = leave_create.clone();
        Callback::new(move |_| {
            open.set(Open::Nothing);
            leave_create();
        })
    };
    let generate = Callback::new(move |key: ApiKey| {
        leave_create();
        if !generation.pending.get_untracked() {
            api.generate.dispatch((key.id, GenerateRequest::default()));
        }
    });
    let done = move |what: String| {
        announce.set(what);
        open.set(Open::Nothing);
    };
    let origin = window().location().origin().unwrap_or_default();

    view! {
        // A "Generate" that failed with no dialog to say so.
        {move || open.with(|o| *o == Open::Nothing).then(|| generation.failure.get()).flatten()
            .map(|e| view! { <ErrorPanel error=e/> })}
        {move || open.with(|o| *o == Open::Nothing).then(|| switching.failure.get()).flatten()
            .map(|e| view! { <ErrorPanel error=e/> })}
        {move || creating.get().then(|| view! {
            <CreateKeyDialog roles=roles my_permissions=my_permissions() create=api.create policy=policy
                on_created=move |key: ApiKey| announce.set(format!("{} was created.", key.name))
                on_generate=generate on_close=close/>
        })}
        {move || match open.get() {
            Open::Nothing => ().into_any(),
            Open::Edit(key) => view! {
                <EditKeyDialog key=key roles=roles my_permissions=my_permissions() update=api.update
                    on_saved=move |key: ApiKey| done(format!("{} was saved.", key.name)) on_close=close/>
            }.into_any(),
            Open::Narrow(key, role_ids) => view! {
                <EditKeyDialog key=key roles=roles my_permissions=my_permissions() update=api.update
                    proposed_role_ids=role_ids
                    on_saved=move |key: ApiKey| done(format!("{} was saved.", key.name)) on_close=close/>
            }.into_any(),
            Open::Networks(key) => {
                let seen = Action::new_local(|id: &String| {
                    let id = id.clone();
                    async move { crate::api::key_networks(&id).await }
                });
                view! {
                    <NetworksDialog key=key seen=seen update=api.update
                        on_saved=move |key: ApiKey| done(format!("Where {} may be used from was saved.", key.name)) on_close=close/>
                }.into_any()
            }
            Open::Usage(key) => {
                let narrowed = key.clone();
                let narrow = Callback::new(move |ids| open.set(Open::Narrow(narrowed.clone(), ids)));
                view! { <KeyUsageDialog key=key roles=roles on_close=close on_narrow=narrow/> }.into_any()
            }
            Open::Regenerate(key) => view! {
                <RegenerateDialog key=key generate=api.generate on_close=close/>
            }.into_any(),
            Open::Disable(key) => view! {
                <DisableKeyDialog key=key switch=api.switch on_disabled=move |_| {} on_close=close/>
            }.into_any(),
            Open::Remove(key) => {
                let name = key.name.clone();
                view! {
                    <RemoveKeyDialog key=key remove=api.remove
                        on_removed=move |_| done(format!("{name} was removed.")) on_close=close/>
                }.into_any()
            }
            Open::Generated(generated) => view! {
                <GeneratedKeyDialog generated=generated origin=origin.clone() on_close=close/>
            }.into_any(),
        }}
    }
}
