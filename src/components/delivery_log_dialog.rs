//! One destination's delivery log: each event sent, its status, attempts,
//! the endpoint's answer and the next retry; with *Send test event* and
//! *Replay since…* (every event from a chosen moment, sent again in order).

use keydesk_contract::events::{DeliveryStatus, Destination};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::event_destinations_settings::EventCalls;
use super::modal::Modal;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::time;

/// `2026-11-30T14:00` (a datetime-local input, the browser's time zone) as
/// RFC 3339 UTC; none when empty or unreadable.
fn local_to_rfc3339(local: &str) -> Option<String> {
    if local.trim().is_empty() {
        return None;
    }
    let date = js_sys::Date::new(&local.into());
    (!date.get_time().is_nan()).then(|| String::from(date.to_iso_string()))
}

#[component]
pub fn DeliveryLogDialog(
    destination: Destination,
    calls: EventCalls,
    may_change: bool,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let id = destination.id.clone();
    let load = {
        let id = id.clone();
        move || {
            calls.deliveries.dispatch(id.clone());
        }
    };
    load();
    let notice = RwSignal::new(None::<&'static str>);
    let since = RwSignal::new(String::new());
    let since_error = RwSignal::new(None::<String>);
    let reload = load.clone();
    let testing = use_action_outcome_with_options(
        calls.test,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |()| {
                notice.set(Some("Test event queued: it shows below once sent."));
                reload();
            })),
            ..Default::default()
        },
    );
    let reload = load.clone();
    let replaying = use_action_outcome_with_options(
        calls.replay,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |()| {
                notice.set(Some(
                    "Replay queued: those events are sent again, in order.",
                ));
                reload();
            })),
            on_fields: Some(Callback::new(
                move |f: keydesk_contract::types::FieldErrors| {
                    since_error.set(f.get("since").cloned())
                },
            )),
        },
    );
    let (test_id, replay_id) = (id.clone(), id.clone());
    let refresh = load.clone();
    view! {
        <Modal labelled_by="delivery-log-title" on_close=on_close class="modal--wide">
            <header class="modal__header">
                <h2 id="delivery-log-title">"Deliveries"</h2>
                <p class="field__hint"><code>{destination.url.clone()}</code></p>
            </header>
            <div class="modal__content">
                {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
                {move || match calls.deliveries.value().get() {
                    None => view! { <p>"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
                    Some(Ok(page)) if page.items.is_empty() => view! {
                        <p class="field__hint" id="no-deliveries">"Nothing sent yet."</p>
                    }.into_any(),
                    Some(Ok(page)) => view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Deliveries">
                            <table class="keys-table">
                                <caption class="visually-hidden">"Deliveries, newest first"</caption>
                                <thead><tr><th scope="col">"Event"</th><th scope="col">"Status"</th><th scope="col">"Attempts"</th>
                                    <th scope="col">"Answer"</th><th scope="col">"When"</th><th scope="col">"Next attempt"</th></tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|d| view! {
                                        <tr class="delivery-row">
                                            <th scope="row"><code>{d.event_type.clone()}</code></th>
                                            <td>{match d.status {
                                                DeliveryStatus::Delivered => view! { <span class="badge badge--ok">"Delivered"</span> }.into_any(),
                                                DeliveryStatus::Pending => view! { <span class="badge">"Pending"</span> }.into_any(),
                                                DeliveryStatus::Failed => view! { <span class="badge badge--warn">"Failed"</span> }.into_any(),
                                            }}</td>
                                            <td>{d.attempt}</td>
                                            <td>{d.response_status.map(|s| s.to_string()).unwrap_or_else(|| if d.attempt == 0 { "—".into() } else { "no answer".into() })}</td>
                                            <td title=time::exact(&d.at)>{time::ago(&d.at)}</td>
                                            <td>{d.next_attempt_at.as_deref().map(time::exact).unwrap_or_else(|| "—".into())}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }}
                {move || testing.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                {move || replaying.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                {may_change.then(|| view! {
                    <form class="replay-form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        since_error.set(None);
                        match local_to_rfc3339(&since.get_untracked()) {
                            None => since_error.set(Some("Pick the date and time to replay from.".into())),
                            Some(at) => { calls.replay.dispatch((replay_id.clone(), at)); }
                        }
                    }>
                        <label for="replay-since">"Replay since"</label>
                        <input type="datetime-local" id="replay-since" aria-describedby="replay-since-error"
                            prop:value=move || since.get() on:input=move |ev| since.set(event_target_value(&ev))/>
                        <button type="submit" class="button button--small" disabled=move || replaying.pending.get()>"Replay"</button>
                        {move || since_error.get().map(|m| view! { <p class="field__error" id="replay-since-error">{m}</p> })}
                    </form>
                })}
                <footer class="modal__actions">
                    <button type="button" class="button" on:click=move |_| refresh()>"Refresh"</button>
                    {may_change.then(|| view! {
                        <button type="button" class="button" disabled=move || testing.pending.get()
                            on:click=move |_| { notice.set(None); calls.test.dispatch(test_id.clone()); }>"Send test event"</button>
                    })}
                    <button type="button" class="button button--primary" on:click=move |_| on_close.run(())>"Close"</button>
                </footer>
            </div>
        </Modal>
    }
}
