//! The *Double-check* step of a dialog that grants permissions (Create API
//! Key, Add person): every permission the chosen roles grant, listed for the
//! one who gets them, with Back and the confirming button.

use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::permission_list::PermissionList;
use crate::api::ApiError;

#[component]
pub fn DoubleCheckStep(
    /// The id of the dialog's title (the dialog is labelled by it).
    title_id: &'static str,
    /// Who or what gets the permissions, as it will be saved.
    #[prop(into)]
    grantee: String,
    /// Permission ids, in catalogue order.
    permissions: Vec<String>,
    /// A sentence said before the list, if any (e.g. when the key expires).
    #[prop(into, optional)]
    note: Option<String>,
    /// Why the last attempt failed, shown above the buttons.
    #[prop(into)]
    failure: Signal<Option<ApiError>>,
    /// Offered as Retry on a failure that may pass.
    #[prop(into, optional)]
    on_retry: Option<Callback<()>>,
    /// A request is in flight: both buttons wait.
    #[prop(into)]
    busy: Signal<bool>,
    #[prop(into)] on_back: Callback<()>,
    #[prop(into)] on_confirm: Callback<()>,
    /// The confirming button's words, idle and busy: ("Add person", "Adding…").
    confirm: (&'static str, &'static str),
) -> impl IntoView {
    let count = permissions.len();
    view! {
        <header class="modal__header">
            <p class="modal__step">"Step 2 of 2"</p>
            <h2 id=title_id>"Double-check permissions"</h2>
        </header>
        <div class="modal__content" tabindex="0" role="region" aria-label="Permissions to be granted">
            <p class="double-check__lead">
                {format!("These {count} permissions will be granted to ")}
                <strong>{grantee}</strong>":"
            </p>
            {note.map(|n| view! { <p class="double-check__expiry">{n}</p> })}
            <PermissionList permissions=permissions/>
            {move || failure.get().map(|e| match on_retry {
                Some(retry) => view! { <ErrorPanel error=e on_retry=retry/> }.into_any(),
                None => view! { <ErrorPanel error=e/> }.into_any(),
            })}
        </div>
        <footer class="modal__actions">
            <button type="button" class="button" disabled=busy on:click=move |_| on_back.run(())>"Back"</button>
            <button type="button" class="button button--primary" disabled=busy on:click=move |_| on_confirm.run(())>
                {move || if busy.get() { confirm.1 } else { confirm.0 }}
            </button>
        </footer>
    }
}
