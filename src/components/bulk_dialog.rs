//! A bulk action, double-checked: every selected key, whether you may act
//! on it (and why not), and what it did this week, before you confirm. All
//! or nothing: the button wakes only when every key can be changed.

use keydesk_contract::bulk::{BulkAction, BulkPreview, BulkRequest};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

#[component]
pub fn BulkDialog(
    action: BulkAction,
    ids: Vec<String>,
    preview: Action<BulkRequest, ApiResult<BulkPreview>>,
    apply: Action<BulkRequest, ApiResult<()>>,
    #[prop(into)] on_done: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let request = BulkRequest {
        action,
        ids: ids.clone(),
    };
    preview.dispatch(request.clone());
    let outcome = use_action_outcome_with_options(
        apply,
        UseActionOutcomeOptions {
            on_success: Some(on_done),
            ..Default::default()
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);
    // Only this dialog's preview (not one left from an earlier opening).
    let asked = preview.version().get_untracked() + 1;
    let shown = move || {
        (preview.version().get() >= asked)
            .then(|| preview.value().get())
            .flatten()
    };
    let all_allowed = move || matches!(shown(), Some(Ok(p)) if p.items.iter().all(|i| i.allowed));
    let count = ids.len();
    let verb = action.label();
    let confirm_label = format!("{verb} {count} key{}", if count == 1 { "" } else { "s" });
    let consequence = match action {
        BulkAction::Disable => "Their secrets answer 401 until the keys are enabled again.",
        BulkAction::Enable => "Their secrets work again at once.",
        BulkAction::Delete => {
            "Systems using them stop working at once, and the keys cannot be brought back."
        }
    };
    view! {
        <Modal labelled_by="bulk-title" on_close=on_close can_close=outcome.idle() class="modal--wide">
            <header class="modal__header">
                <h2 id="bulk-title">{format!("{verb} {count} selected key{}?", if count == 1 { "" } else { "s" })}</h2>
            </header>
            <div class="modal__content">
                <p>{consequence} " Each key's change is recorded in the audit trail."</p>
                {move || match shown() {
                    None => view! { <p>"Checking each key…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(p)) => view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Selected keys">
                            <table class="keys-table">
                                <caption class="visually-hidden">"Selected keys"</caption>
                                <thead><tr><th scope="col">"Key"</th><th scope="col">"Requests, last 7 days"</th><th scope="col">"Can be changed"</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|i| view! {
                                        <tr class="bulk-row">
                                            <th scope="row">{i.api_key.name}</th>
                                            <td>{i.requests_last_7_days}</td>
                                            <td>{if i.allowed {
                                                view! { <span class="badge badge--ok">"Yes"</span> }.into_any()
                                            } else {
                                                view! { <span class="badge badge--warn">"No"</span> " " <span class="field__hint">{i.reason.unwrap_or_default()}</span> }.into_any()
                                            }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }}
                {move || (shown().is_some_and(|r| r.is_ok()) && !all_allowed()).then(|| view! {
                    <p class="warning" role="note">"Nothing is changed unless every selected key can be: deselect the keys marked No."</p>
                })}
                {move || failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                <footer class="modal__actions">
                    <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="button" class=if action == BulkAction::Delete { "button button--danger" } else { "button button--primary" }
                        disabled=move || busy.get() || !all_allowed()
                        on:click=move |_| { apply.dispatch(request.clone()); }>
                        {move || if busy.get() { "Working…".to_string() } else { confirm_label.clone() }}
                    </button>
                </footer>
            </div>
        </Modal>
    }
}
