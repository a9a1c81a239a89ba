//! Settings → Events: the endpoints an organization's events are sent to
//! as signed webhooks. Adding one (or rotating its secret) shows the signing
//! secret once; each destination's deliveries, a test event and a replay
//! are one click away; a destination can be switched off or removed.

use keydesk_contract::events::{
    CreateDestination, CreatedDestination, DeliveryPage, Destination, RotatedSecret,
    UpdateDestination, EVERY_EVENT, SIGNALS,
};
use keydesk_contract::types::FieldErrors;
use leptos::prelude::*;

use super::clipboard::copy_text;
use super::delivery_log_dialog::DeliveryLogDialog;
use super::error_panel::ErrorPanel;
use super::field::TextField;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

/// What Settings → Events does over the API (stand-ins in tests).
#[derive(Clone, Copy)]
pub struct EventCalls {
    pub list: Action<(), ApiResult<Vec<Destination>>>,
    pub create: Action<CreateDestination, ApiResult<CreatedDestination>>,
    /// The destination's id, and what changes.
    pub update: Action<(String, UpdateDestination), ApiResult<Destination>>,
    pub remove: Action<String, ApiResult<()>>,
    pub rotate: Action<String, ApiResult<RotatedSecret>>,
    pub deliveries: Action<String, ApiResult<DeliveryPage>>,
    pub test: Action<String, ApiResult<()>>,
    /// The destination's id and an RFC 3339 moment.
    pub replay: Action<(String, String), ApiResult<()>>,
}

/// A signing secret just made, shown until dismissed.
#[derive(Clone)]
struct Shown {
    url: String,
    secret: String,
    rotated: bool,
}

#[derive(Clone)]
enum Open {
    Nothing,
    Log(Destination),
    Remove(Destination),
}

/// Every event type a destination may pick, audit actions first.
fn event_types() -> Vec<&'static str> {
    keydesk_contract::audit::ACTIONS
        .iter()
        .chain(SIGNALS.iter())
        .copied()
        .collect()
}

fn listens_to(d: &Destination) -> String {
    if d.events.iter().any(|e| e == EVERY_EVENT) {
        "All events".into()
    } else {
        d.events.join(", ")
    }
}

#[component]
pub fn EventDestinationsSettings(calls: EventCalls, may_change: bool) -> impl IntoView {
    calls.list.dispatch(());
    let refresh = move || {
        calls.list.dispatch(());
    };
    let shown = RwSignal::new(None::<Shown>);
    let open = RwSignal::new(Open::Nothing);
    let toggle = use_action_outcome_with_options(
        calls.update,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |_| refresh())),
            ..Default::default()
        },
    );
    let rotating = use_action_outcome_with_options(
        calls.rotate,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |r: RotatedSecret| {
                shown.update(|s| {
                    if let Some(s) = s {
                        s.secret = r.signing_secret;
                    }
                })
            })),
            ..Default::default()
        },
    );
    let rows = move || calls.list.value().get();
    view! {
        <section class="account-section account-section--wide" aria-labelledby="events-title">
            <h2 id="events-title">"Events"</h2>
            <p>"Send signed webhooks to your own endpoints: every change the audit trail records, and warnings about keys \
                (expiring, used after expiry). Each delivery carries webhook-id, webhook-timestamp and webhook-signature \
                (Standard Webhooks); failures are retried for about a day."</p>
            {move || shown.get().map(|s| view! { <SecretShownOnce shown=s on_done=Callback::new(move |()| shown.set(None))/> })}
            {move || match rows() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e on_retry=Callback::new(move |()| refresh())/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="field__hint" id="no-destinations">"No destination yet: nothing is sent."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Event destinations">
                        <table class="keys-table">
                            <caption class="visually-hidden">"Event destinations"</caption>
                            <thead><tr><th scope="col">"Endpoint"</th><th scope="col">"Events"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|d| {
                                    let (for_log, for_remove, for_rotate) = (d.clone(), d.clone(), d.clone());
                                    let id = d.id.clone();
                                    let enabled = d.enabled;
                                    view! {
                                        <tr class="destination-row">
                                            <th scope="row"><span class="destination-row__url">{d.url.clone()}</span>
                                                {(!d.description.is_empty()).then(|| view! { <br/><span class="field__hint">{d.description.clone()}</span> })}</th>
                                            <td>{listens_to(&d)}</td>
                                            <td>{if d.enabled {
                                                view! { <span class="badge badge--ok">"On"</span> }.into_any()
                                            } else {
                                                view! { <span class="badge badge--warn">"Off"</span> " "
                                                    <span class="field__hint">{d.disabled_reason.clone().unwrap_or_default()}</span> }.into_any()
                                            }}</td>
                                            <td class="row-actions">
                                                <button type="button" class="button button--small" on:click=move |_| open.set(Open::Log(for_log.clone()))>"Deliveries"</button>
                                                {may_change.then(|| {
                                                    let id = id.clone();
                                                    let for_rotate = for_rotate.clone();
                                                    let for_remove = for_remove.clone();
                                                    view! {
                                                        <button type="button" class="button button--small" disabled=move || toggle.pending.get()
                                                            on:click=move |_| { calls.update.dispatch((id.clone(), UpdateDestination { enabled: Some(!enabled), ..Default::default() })); }>
                                                            {if enabled { "Switch off" } else { "Switch on" }}
                                                        </button>
                                                        <button type="button" class="button button--small" disabled=move || rotating.pending.get()
                                                            on:click=move |_| {
                                                                shown.set(Some(Shown { url: for_rotate.url.clone(), secret: String::new(), rotated: true }));
                                                                calls.rotate.dispatch(for_rotate.id.clone());
                                                            }>"Rotate secret"</button>
                                                        <button type="button" class="button button--small button--danger"
                                                            on:click=move |_| open.set(Open::Remove(for_remove.clone()))>"Remove"</button>
                                                    }
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            {move || toggle.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            {move || rotating.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            {may_change.then(|| view! {
                <AddDestination create=calls.create on_added=Callback::new(move |c: CreatedDestination| {
                    shown.set(Some(Shown { url: c.destination.url, secret: c.signing_secret, rotated: false }));
                    refresh();
                })/>
            })}
            {move || match open.get() {
                Open::Nothing => ().into_any(),
                Open::Log(d) => view! {
                    <DeliveryLogDialog destination=d calls=calls may_change=may_change
                        on_close=Callback::new(move |()| open.set(Open::Nothing))/>
                }.into_any(),
                Open::Remove(d) => view! {
                    <RemoveDestinationDialog destination=d remove=calls.remove
                        on_removed=Callback::new(move |()| { open.set(Open::Nothing); refresh(); })
                        on_close=Callback::new(move |()| open.set(Open::Nothing))/>
                }.into_any(),
            }}
        </section>
    }
}

/// The signing secret, once, with Copy.
#[component]
fn SecretShownOnce(shown: Shown, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(None::<Result<(), String>>);
    let secret = shown.secret.clone();
    let copy = move |_| {
        let secret = secret.clone();
        leptos::task::spawn_local(async move { copied.set(Some(copy_text(&secret).await)) });
    };
    view! {
        <div class="notice secret-once" role="status">
            <p><strong>{if shown.rotated { "New signing secret for " } else { "Signing secret for " }}{shown.url.clone()}</strong></p>
            {if shown.secret.is_empty() {
                view! { <p>"Making a new secret…"</p> }.into_any()
            } else {
                view! {
                    <p><code class="secret-once__value" id="signing-secret">{shown.secret.clone()}</code>
                        " " <button type="button" class="button button--small" on:click=copy>"Copy"</button></p>
                }.into_any()
            }}
            <p class="field__hint">{if shown.rotated {
                "Copy it now: keydesk will not show it again. For 24 hours each delivery is signed with both the old and the new secret, so update your endpoint within a day."
            } else {
                "Copy it now: keydesk will not show it again. Your endpoint verifies each delivery's webhook-signature with it."
            }}</p>
            {move || copied.get().map(|r| match r {
                Ok(()) => view! { <p class="field__hint">"Copied."</p> }.into_any(),
                Err(m) => view! { <p class="field__error">{m}</p> }.into_any(),
            })}
            <button type="button" class="button" on:click=move |_| on_done.run(())>"Done"</button>
        </div>
    }
}

/// Add a destination: its URL, a description, and all events or chosen ones.
#[component]
fn AddDestination(
    create: Action<CreateDestination, ApiResult<CreatedDestination>>,
    #[prop(into)] on_added: Callback<CreatedDestination>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let every = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<String>::new());
    let errors = RwSignal::new(FieldErrors::new());
    let adding = use_action_outcome_with_options(
        create,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |c: CreatedDestination| {
                url.set(String::new());
                description.set(String::new());
                every.set(true);
                chosen.set(Vec::new());
                on_added.run(c);
            })),
            on_fields: Some(Callback::new(move |f| errors.set(f))),
        },
    );
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if adding.pending.get_untracked() {
            return;
        }
        errors.set(FieldErrors::new());
        create.dispatch(CreateDestination {
            url: url.get_untracked().trim().to_string(),
            description: description.get_untracked().trim().to_string(),
            events: if every.get_untracked() {
                vec![EVERY_EVENT.to_string()]
            } else {
                chosen.get_untracked()
            },
        });
    };
    view! {
        <form class="add-destination" novalidate on:submit=submit aria-labelledby="add-destination-title">
            <h3 id="add-destination-title">"Add a destination"</h3>
            <TextField id="destination-url" label="Endpoint URL" value=url error=error("url")
                hint="https:// and reachable from the internet, e.g. https://hooks.example.com/keydesk" kind="url"/>
            <TextField id="destination-description" label="Description (optional)" value=description error=error("description")/>
            <fieldset class="plain-fieldset" aria-describedby="destination-events-error">
                <legend>"Events"</legend>
                <label class="acknowledge"><input type="radio" name="destination-events" id="destination-every"
                    prop:checked=move || every.get() on:change=move |_| every.set(true)/>"All events"</label>
                <label class="acknowledge"><input type="radio" name="destination-events" id="destination-chosen"
                    prop:checked=move || !every.get() on:change=move |_| every.set(false)/>"Chosen events"</label>
                {move || (!every.get()).then(|| view! {
                    <div class="event-choices">
                        {event_types().into_iter().map(|t| view! {
                            <label class="acknowledge event-choice"><input type="checkbox" value=t
                                prop:checked=move || chosen.with(|c| c.iter().any(|x| x == t))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| { c.retain(|x| x != t); if on { c.push(t.to_string()); } });
                                }/><code>{t}</code></label>
                        }).collect_view()}
                    </div>
                })}
                {move || error("events").get().map(|m| view! { <p class="field__error" id="destination-events-error">{m}</p> })}
            </fieldset>
            {move || adding.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || adding.pending.get()>
                    {move || if adding.pending.get() { "Adding…" } else { "Add destination" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn RemoveDestinationDialog(
    destination: Destination,
    remove: Action<String, ApiResult<()>>,
    #[prop(into)] on_removed: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let outcome = use_action_outcome_with_options(
        remove,
        UseActionOutcomeOptions {
            on_success: Some(on_removed),
            ..Default::default()
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);
    let id = destination.id.clone();
    view! {
        <Modal labelled_by="remove-destination-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="remove-destination-title">"Remove this destination?"</h2>
            </header>
            <div class="modal__content">
                <p><code>{destination.url.clone()}</code></p>
                <p class="warning" role="note">"Nothing more is sent there, and its delivery log is deleted. This cannot be undone."</p>
                {move || failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                <footer class="modal__actions">
                    <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="button" class="button button--danger" disabled=move || busy.get()
                        on:click=move |_| { remove.dispatch(id.clone()); }>
                        {move || if busy.get() { "Removing…" } else { "Remove destination" }}
                    </button>
                </footer>
            </div>
        </Modal>
    }
}
