//! The keys: filters and sort above a table, read through one resource that
//! reloads when a filter, the sort or the number of pages asked for
//! changes, and after any write. An answer to an older question is dropped
//! by the resource itself.

use keydesk_contract::types::{ApiKeyQuery, ApiKeySort, ApiKeyStatus, Role};
use leptos::prelude::*;

use crate::components::expiry_banner::ExpiryBanner;
use crate::components::loading::Loading;

use super::empty_state::{EmptyState, NoMatches};
use super::keys_api::KeysApi;
use crate::components::bulk_dialog::BulkDialog;
use crate::components::data_boundary::DataBoundary;
use crate::components::key_filters::{KeyFilterBar, KeyFilters};
use crate::components::key_selection::Selection;
use crate::components::keys_table::{KeysTable, RowAction, RowPermissions};
use keydesk_contract::bulk::{BulkAction, BULK_MAX_KEYS};

/// Keys fetched per page.
pub const PAGE_SIZE: u32 = 25;

/// The question the list asks for these filters and sort.
pub fn key_query(
    search: &str,
    role: String,
    status: Option<ApiKeyStatus>,
    sort: ApiKeySort,
) -> ApiKeyQuery {
    ApiKeyQuery {
        search: Some(search.trim().to_string()),
        role: Some(role),
        status,
        sort: Some(sort),
        cursor: None,
        limit: Some(PAGE_SIZE),
    }
}

/// The list's first question (no filter, the default sort): what
/// `api::early` sends as the app starts.
pub fn first_key_query() -> ApiKeyQuery {
    key_query("", String::new(), None, ApiKeySort::default())
}

#[component]
pub fn KeysList(
    api: KeysApi,
    #[prop(into)] roles: Signal<Vec<Role>>,
    /// What the person may do to keys.
    allowed: RowPermissions,
    #[prop(into)] on_action: Callback<RowAction>,
) -> impl IntoView {
    let filters = KeyFilters::new();
    let sort = RwSignal::new(ApiKeySort::default());
    // Read straight from the signals (not through a memo): the resource below
    // must see each change of filter or sort as its own.
    let query = move || {
        key_query(
            &filters.search.get(),
            filters.role.get(),
            filters.status.get(),
            sort.get(),
        )
    };
    // "Load more" counts pages for one query; another query starts at one.
    let more = RwSignal::new((untrack(query), 1usize));
    let pages = move || {
        let now = query();
        more.with(|(q, n)| if *q == now { *n } else { 1 })
    };
    let keys = LocalResource::new(move || {
        api.track_writes();
        let asked = pages();
        let answer = api.list(query(), asked);
        async move { (asked, answer.await) }
    });
    let page = Memo::new(move |_| keys.get().map(|(_, page)| page));
    let items = Memo::new(move |_| {
        page.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .map(|p| p.items.clone())
        })
        .unwrap_or_default()
    });
    let total = move || {
        page.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .map_or(0, |p| p.total)
        })
    };
    let has_more = move || page.with(|p| matches!(p, Some(Ok(p)) if p.next_cursor.is_some()));
    let loading_more = move || keys.with(|k| k.as_ref().is_some_and(|(n, _)| *n != pages()));
    let load_more = move |_| more.set((untrack(query), untrack(pages) + 1));
    let ready = move || matches!(page.get(), Some(Ok(_)));

    // Read once the list is, and again whenever it is (a regenerated key
    // stops warning); not before, so a start-up reads it once.
    let warnings = LocalResource::new(move || {
        let listed = page.with(Option::is_some);
        async move {
            match listed {
                true => crate::api::expiry_warnings().await.ok(),
                false => None,
            }
        }
    });
    let warnings = Signal::derive(move || warnings.get().flatten());

    // Bulk actions on the selected keys.
    let selection = Selection::new();
    let bulk = RwSignal::new(None::<BulkAction>);
    let gathering = RwSignal::new(false);
    // Every key the filters match (up to the bulk limit), beyond the rows loaded.
    let select_all_matching = move |_| {
        let wanted = (total() as usize).min(BULK_MAX_KEYS);
        let pages = wanted.div_ceil(PAGE_SIZE as usize);
        let answer = api.list(untrack(query), pages);
        gathering.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(all) = answer.await {
                let ids: Vec<String> = all.items.into_iter().take(wanted).map(|k| k.id).collect();
                selection.set(&ids, true);
            }
            gathering.set(false);
        });
    };
    let everything_shown_selected = move || {
        let shown = items.with(|k| k.iter().map(|k| k.id.clone()).collect::<Vec<_>>());
        !shown.is_empty() && shown.iter().all(|id| selection.contains(id))
    };
    view! {
        <ExpiryBanner warnings=warnings/>
        <KeyFilterBar filters=filters roles=roles/>
        {move || page.with(Option::is_none).then(|| view! { <Loading text="Loading keys…"/> })}
        <DataBoundary on_retry=move |_| keys.refetch()>
            {move || page.get().map(|p| p.map(|_| ()))}
        </DataBoundary>
        // Kept mounted across reloads, so rows (and the buttons that opened
        // a dialog) stay in place.
        <Show when=ready>
            {move || match (items.with(Vec::is_empty), filters.any()) {
                (true, false) => view! { <EmptyState/> }.into_any(),
                (true, true) => view! { <NoMatches filters=filters/> }.into_any(),
                (false, _) => ().into_any(),
            }}
            <div hidden=move || items.with(Vec::is_empty)>
                <p class="list-count">{move || match total() { 1 => "1 key".to_string(), n => format!("{n} keys") }}</p>
                {move || (!selection.is_empty()).then(|| view! {
                    <div class="bulk-bar" role="region" aria-label="Selected keys">
                        <strong>{move || format!("{} selected", selection.len())}</strong>
                        {move || (everything_shown_selected() && (total() as usize) > selection.len()).then(|| view! {
                            <button type="button" class="link-button" disabled=move || gathering.get() on:click=select_all_matching>
                                {move || format!("Select all {} matching", (total() as usize).min(BULK_MAX_KEYS))}
                            </button>
                        })}
                        <button type="button" class="button button--small" disabled=!allowed.update
                            on:click=move |_| bulk.set(Some(BulkAction::Disable))>"Disable"</button>
                        <button type="button" class="button button--small" disabled=!allowed.update
                            on:click=move |_| bulk.set(Some(BulkAction::Enable))>"Enable"</button>
                        <button type="button" class="button button--small button--danger-quiet" disabled=!allowed.delete
                            on:click=move |_| bulk.set(Some(BulkAction::Delete))>"Remove"</button>
                        <button type="button" class="link-button" on:click=move |_| selection.clear()>"Clear selection"</button>
                    </div>
                })}
                <div class="table-wrap">
                    <KeysTable keys=items sort=sort allowed=allowed on_action=on_action selection=selection/>
                </div>
            </div>
            {move || has_more().then(|| view! {
                <button type="button" class="button load-more" disabled=loading_more on:click=load_more>
                    {move || if loading_more() { "Loading…".to_string() } else { format!("Load more ({} of {})", items.with(Vec::len), total()) }}
                </button>
            })}
        </Show>
        {move || bulk.get().map(|action| view! {
            <BulkDialog action=action ids=selection.ids.get_untracked() preview=api.bulk_preview apply=api.bulk
                on_done=Callback::new(move |()| { bulk.set(None); selection.clear(); })
                on_close=Callback::new(move |()| bulk.set(None))/>
        })}
    }
}
