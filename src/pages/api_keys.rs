//! The API Keys tab: the list with search, filters, sorting and "load more",
//! and every action on keys, each in its dialog.

use keydesk_contract::permissions;
use keydesk_contract::types::{
    ApiKey, ApiKeyQuery, ApiKeySort, GenerateRequest, GeneratedApiKey, Role,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::{self, pending, ApiError};
use crate::components::create_key_dialog::CreateKeyDialog;
use crate::components::edit_key_dialog::EditKeyDialog;
use crate::components::error_panel::ErrorPanel;
use crate::components::generated_key_dialog::GeneratedKeyDialog;
use crate::components::key_filters::{KeyFilterBar, KeyFilters};
use crate::components::keys_table::{KeysTable, RowAction, RowPermissions};
use crate::components::regenerate_dialog::RegenerateDialog;
use crate::components::remove_key_dialog::RemoveKeyDialog;
use crate::pages::not_found::NotFound;
use crate::session::use_session;

/// Keys fetched per page.
const PAGE_SIZE: u32 = 25;

/// Which dialog is open.
#[derive(Debug, Clone, PartialEq)]
enum Open {
    Nothing,
    Create,
    Edit(ApiKey),
    Regenerate(ApiKey),
    Remove(ApiKey),
    Generated(GeneratedApiKey),
}

#[derive(Debug, Clone, PartialEq)]
enum Loaded {
    Loading,
    Ready,
    Failed(ApiError),
}

/// `/api-keys` and `/api-keys/new`; any other `/api-keys/…` is not found.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let params = use_params_map();
    // A memo, so moving between the list and /new keeps the page (and its list).
    let known = Memo::new(move |_| params.with(|p| p.get("action")).is_none_or(|a| a == "new"));
    move || {
        if known.get() {
            view! { <ApiKeys/> }.into_any()
        } else {
            view! { <NotFound/> }.into_any()
        }
    }
}

#[component]
fn ApiKeys() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let params = use_params_map();
    let creating = Memo::new(move |_| params.with(|p| p.get("action")).as_deref() == Some("new"));
    let can_create = move || session.can(permissions::SERVICE_ACCOUNTS_CREATE);
    let my_permissions = move || session.me().map(|m| m.permissions).unwrap_or_default();
    let allowed = RowPermissions {
        refresh: session.can_now(permissions::SERVICE_ACCOUNTS_REFRESH),
        update: session.can_now(permissions::SERVICE_ACCOUNTS_UPDATE),
        delete: session.can_now(permissions::SERVICE_ACCOUNTS_DELETE),
    };

    let filters = KeyFilters::new();
    let sort = RwSignal::new(ApiKeySort::default());
    let keys = RwSignal::new(Vec::<ApiKey>::new());
    let total = RwSignal::new(0u64);
    let next_cursor = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(Loaded::Loading);
    let loading_more = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    // Answers to an older query are dropped: only the newest request counts.
    let generation = StoredValue::new(0u64);
    let announce = RwSignal::new(String::new());

    let query = move |cursor: Option<String>| ApiKeyQuery {
        search: Some(filters.search.get_untracked().trim().to_string()),
        role: Some(filters.role.get_untracked()),
        status: filters.status.get_untracked(),
        sort: Some(sort.get_untracked()),
        cursor,
        limit: Some(PAGE_SIZE),
    };

    Effect::new(move || {
        // Reload whenever a filter, the sort or `reload` changes.
        filters.search.track();
        filters.role.track();
        filters.status.track();
        sort.track();
        reload.track();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if keys.with_untracked(Vec::is_empty) {
            loaded.set(Loaded::Loading);
        }
        let q = query(None);
        spawn_local(async move {
            let result = api::list_keys(&q).await;
            // The page may be gone (signed out meanwhile), or a newer query asked.
            if keys.is_disposed() || generation.get_value() != mine {
                return;
            }
            match result {
                Ok(page) => {
                    keys.set(page.items);
                    total.set(page.total);
                    next_cursor.set(page.next_cursor);
                    loaded.set(Loaded::Ready);
                }
                Err(e) => {
                    loaded.set(Loaded::Failed(e.clone()));
                    session.notice(&e);
                }
            }
        });
    });

    let load_more = move |_| {
        let Some(cursor) = next_cursor.get_untracked() else {
            return;
        };
        if loading_more.get_untracked() {
            return;
        }
        loading_more.set(true);
        let mine = generation.get_value();
        let q = query(Some(cursor));
        spawn_local(async move {
            let result = api::list_keys(&q).await;
            if keys.is_disposed() {
                return;
            }
            loading_more.set(false);
            if generation.get_value() != mine {
                return;
            }
            match result {
                Ok(page) => {
                    keys.update(|k| k.extend(page.items));
                    total.set(page.total);
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => {
                    loaded.set(Loaded::Failed(e.clone()));
                    session.notice(&e);
                }
            }
        });
    };

    let roles = RwSignal::new(Vec::<Role>::new());
    spawn_local(async move {
        let result = api::roles().await;
        if roles.is_disposed() {
            return;
        }
        match result {
            Ok(list) => roles.set(list),
            // Without roles.retrieve or .create there is nothing to pick from.
            Err(e) => session.notice(&e),
        }
    });

    let open = RwSignal::new(Open::Nothing);
    // The address says whether the Create dialog is open, so it can be linked
    // to, and so typing it without the permission opens nothing.
    Effect::new(move || match (creating.get(), can_create()) {
        (true, true) => open.set(Open::Create),
        (false, _) if open.with_untracked(|o| *o == Open::Create) => open.set(Open::Nothing),
        _ => {}
    });
    let refused_create = move || creating.get() && !can_create();
    let close = {
        let navigate = navigate.clone();
        Callback::new(move |_| {
            open.set(Open::Nothing);
            if creating.get_untracked() {
                navigate("/api-keys", Default::default());
            }
        })
    };
    let generating = RwSignal::new(None::<String>);
    let generate_failure = RwSignal::new(None::<ApiError>);
    let leave_create = {
        let navigate = navigate.clone();
        move || {
            if creating.get_untracked() {
                navigate("/api-keys", Default::default());
            }
        }
    };
    let generate_now = Callback::new(move |key: ApiKey| {
        if generating.get_untracked().is_some() {
            return;
        }
        leave_create();
        generating.set(Some(key.id.clone()));
        generate_failure.set(None);
        spawn_local(async move {
            let result = api::generate_key(&key.id, &GenerateRequest::default()).await;
            if generating.is_disposed() {
                return;
            }
            generating.set(None);
            match result {
                Ok(generated) => {
                    open.set(Open::Generated(generated));
                    reload.update(|n| *n += 1);
                }
                Err(e) => {
                    open.set(Open::Nothing);
                    generate_failure.set(Some(e.clone()));
                    session.notice(&e);
                }
            }
        });
    });
    let on_action = Callback::new(move |action: RowAction| match action {
        RowAction::Generate(key) => generate_now.run(key),
        RowAction::Regenerate(key) => open.set(Open::Regenerate(key)),
        RowAction::Edit(key) => open.set(Open::Edit(key)),
        RowAction::Remove(key) => open.set(Open::Remove(key)),
    });

    let create_button = {
        let navigate = navigate.clone();
        move |_| navigate("/api-keys/new", Default::default())
    };
    let origin = window().location().origin().unwrap_or_default();

    view! {
        <header class="page__header page__header--with-action">
            <div>
                <h1>"API Keys"</h1>
                <p class="page__lead">"Keys let your systems call the render API. Give each system its own key, with only the roles it needs."</p>
            </div>
            <div class="page__action">
                <button type="button" class="button button--primary" disabled=move || !can_create()
                    aria-describedby="create-key-reason" on:click=create_button>"Create API Key"</button>
                <p id="create-key-reason" class="page__action-reason" hidden=can_create>
                    "You cannot create keys: your roles do not include service-accounts.create. Ask an admin."
                </p>
            </div>
        </header>
        {move || refused_create().then(|| view! {
            <p class="notice" role="alert">"Creating API keys needs the service-accounts.create permission, which your roles do not grant."</p>
        })}
        <p class="visually-hidden" role="status" aria-live="polite">{move || announce.get()}</p>
        {move || generate_failure.get().map(|e| view! { <ErrorPanel error=e/> })}
        <KeyFilterBar filters=filters roles=roles/>
        {move || match loaded.get() {
            Loaded::Loading => view! { <p class="loading" role="status">"Loading keys…"</p> }.into_any(),
            Loaded::Failed(e) => view! { <ErrorPanel error=e on_retry=Callback::new(move |_| reload.update(|n| *n += 1))/> }.into_any(),
            Loaded::Ready if keys.with(Vec::is_empty) && !filters.any() => view! { <EmptyState/> }.into_any(),
            Loaded::Ready if keys.with(Vec::is_empty) => view! {
                <div class="empty empty--filtered">
                    <p>"No keys match these filters."</p>
                    <button type="button" class="button" on:click=move |_| filters.clear()>"Clear filters"</button>
                </div>
            }.into_any(),
            Loaded::Ready => view! {
                <p class="list-count">{move || match total.get() { 1 => "1 key".to_string(), n => format!("{n} keys") }}</p>
                <div class="table-wrap">
                    <KeysTable keys=keys sort=sort allowed=allowed on_action=on_action/>
                </div>
                {move || next_cursor.get().is_some().then(|| view! {
                    <button type="button" class="button load-more" disabled=move || loading_more.get() on:click=load_more>
                        {move || if loading_more.get() { "Loading…".to_string() } else { format!("Load more ({} of {})", keys.with(Vec::len), total.get()) }}
                    </button>
                })}
            }.into_any(),
        }}
        {move || match open.get() {
            Open::Nothing => ().into_any(),
            Open::Create => view! {
                <CreateKeyDialog
                    roles=roles
                    my_permissions=my_permissions()
                    submit=UnsyncCallback::new(|req| pending(async move { api::create_key(&req).await }))
                    on_created=move |key: ApiKey| {
                        announce.set(format!("{} was created.", key.name));
                        reload.update(|n| *n += 1);
                    }
                    on_generate=generate_now
                    on_close=close
                />
            }.into_any(),
            Open::Edit(key) => view! {
                <EditKeyDialog
                    key=key
                    roles=roles
                    my_permissions=my_permissions()
                    submit=UnsyncCallback::new(|(id, version, req): (String, u64, _)| pending(async move { api::update_key(&id, version, &req).await }))
                    on_saved=move |key: ApiKey| {
                        announce.set(format!("{} was saved.", key.name));
                        open.set(Open::Nothing);
                        reload.update(|n| *n += 1);
                    }
                    on_close=close
                />
            }.into_any(),
            Open::Regenerate(key) => view! {
                <RegenerateDialog
                    key=key
                    submit=UnsyncCallback::new(|(id, req): (String, GenerateRequest)| pending(async move { api::generate_key(&id, &req).await }))
                    on_generated=move |generated: GeneratedApiKey| {
                        open.set(Open::Generated(generated));
                        reload.update(|n| *n += 1);
                    }
                    on_close=close
                />
            }.into_any(),
            Open::Remove(key) => {
                let name = key.name.clone();
                view! {
                    <RemoveKeyDialog
                        key=key
                        submit=UnsyncCallback::new(|id: String| pending(async move { api::delete_key(&id).await }))
                        on_removed=move |_| {
                            announce.set(format!("{name} was removed."));
                            open.set(Open::Nothing);
                            reload.update(|n| *n += 1);
                        }
                        on_close=close
                    />
                }.into_any()
            }
            Open::Generated(generated) => view! {
                <GeneratedKeyDialog generated=generated origin=origin.clone() on_close=close/>
            }.into_any(),
        }}
    }
}

/// What a key is and how to plan them, before the first one exists.
#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <section class="empty" aria-labelledby="empty-title">
            <h2 id="empty-title">"No API keys yet"</h2>
            <p>
                "An API key lets one of your systems call the render API on its own, without a person signed in. "
                "It acts with exactly the permissions of the roles you give it."
            </p>
            <ul class="empty__tips">
                <li>"Create one key per system, named after it: " <code>"Billing_Reader"</code>", " <code>"CRM_Sync"</code>"."</li>
                <li>"Give each key only the roles its system needs."</li>
                <li>"The secret is shown once: have your secret store ready."</li>
            </ul>
        </section>
    }
}
