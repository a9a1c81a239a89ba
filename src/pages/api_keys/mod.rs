//! The API Keys tab: `/api-keys`, and `/api-keys/new` with Create open.
//! [`KeysApi`] is everything it reads and writes, [`list`] shows the keys,
//! [`dialogs`] holds what opens from the header and the rows.

mod dialogs;
mod empty_state;
mod keys_api;
pub mod list;

pub use dialogs::Open;
pub use keys_api::KeysApi;

use keydesk_contract::permissions;
use keydesk_contract::types::GenerateRequest;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::keys_table::{RowAction, RowPermissions};
use crate::pages::not_found::NotFound;
use crate::session::use_session;
use dialogs::KeyDialogs;
use list::KeysList;

/// `/api-keys` and `/api-keys/new`; any other `/api-keys/…` is not found.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let params = use_params_map();
    // Memos, so moving between the list and /new keeps the page (and its list).
    let known = Memo::new(move |_| params.with(|p| p.get("action")).is_none_or(|a| a == "new"));
    let at_new = Memo::new(move |_| params.with(|p| p.get("action")).as_deref() == Some("new"));
    move || {
        if known.get() {
            view! { <ApiKeys at_new=at_new/> }.into_any()
        } else {
            view! { <NotFound/> }.into_any()
        }
    }
}

#[component]
pub fn ApiKeys(
    /// The address is `/api-keys/new`: Create is open (if the person may create).
    #[prop(into)]
    at_new: Signal<bool>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let api = KeysApi::in_context();
    let roles = LocalResource::new(move || api.roles());
    let roles = Signal::derive(move || roles.get().and_then(Result::ok).unwrap_or_default());
    let can_create = move || session.can(permissions::SERVICE_ACCOUNTS_CREATE);
    let creating = Signal::derive(move || at_new.get() && can_create());
    let allowed = RowPermissions {
        refresh: session.can_now(permissions::SERVICE_ACCOUNTS_REFRESH),
        update: session.can_now(permissions::SERVICE_ACCOUNTS_UPDATE),
        delete: session.can_now(permissions::SERVICE_ACCOUNTS_DELETE),
    };
    let open = RwSignal::new(Open::Nothing);
    let announce = RwSignal::new(String::new());
    let on_action = Callback::new(move |action: RowAction| match action {
        RowAction::Generate(key) if !api.generate.pending().get_untracked() => {
            api.generate.dispatch((key.id, GenerateRequest::default()));
        }
        RowAction::Generate(_) => {}
        RowAction::Regenerate(key) => open.set(Open::Regenerate(key)),
        RowAction::Edit(key) => open.set(Open::Edit(key)),
        RowAction::Usage(key) => open.set(Open::Usage(key)),
        RowAction::Disable(key) => open.set(Open::Disable(key)),
        RowAction::Enable(key) if !api.switch.pending().get_untracked() => {
            api.switch.dispatch((key.id, key.version, false));
        }
        RowAction::Enable(_) => {}
        RowAction::Remove(key) => open.set(Open::Remove(key)),
        RowAction::Networks(key) => open.set(Open::Networks(key)),
    });

    view! {
        <header class="page__header page__header--with-action">
            <div>
                <h1>"API Keys"</h1>
                <p class="page__lead">"Keys let your systems call the render API. Give each system its own key, with only the roles it needs."</p>
            </div>
            <div class="page__action">
                <button type="button" class="button button--primary" disabled=move || !can_create()
                    aria-describedby="create-key-reason" on:click=move |_| navigate("/api-keys/new", Default::default())>"Create API Key"</button>
                <p id="create-key-reason" class="page__action-reason" hidden=can_create>
                    "You cannot create keys: your roles do not include service-accounts.create. Ask an admin."
                </p>
            </div>
        </header>
        {move || (at_new.get() && !can_create()).then(|| view! {
            <p class="notice" role="alert">"Creating API keys needs the service-accounts.create permission, which your roles do not grant."</p>
        })}
        <p class="visually-hidden" role="status" aria-live="polite">{move || announce.get()}</p>
        <KeyDialogs api=api roles=roles open=open creating=creating announce=announce/>
        <KeysList api=api roles=roles allowed=allowed on_action=on_action/>
    }
}
