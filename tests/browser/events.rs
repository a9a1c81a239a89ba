//! Settings → Events, mounted with stand-in calls: adding a destination
//! (what was typed is sent, and kept when a field is refused), the signing
//! secret shown once, rotating it, and the delivery log with a test event
//! and a replay.

use keydesk_contract::events::{
    CreateDestination, CreatedDestination, Delivery, DeliveryPage, DeliveryStatus, Destination,
    RotatedSecret, UpdateDestination,
};
use keydesk_web::api::{ApiError, ApiResult};
use keydesk_web::components::event_destinations_settings::{EventCalls, EventDestinationsSettings};
use leptos::prelude::*;
use wasm_bindgen_test::*;

use crate::support::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn destination(url: &str, events: &[&str]) -> Destination {
    Destination {
        id: "dst_1".into(),
        url: url.into(),
        description: "SIEM".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        enabled: true,
        disabled_reason: None,
        created_at: "2026-11-30T10:00:00.000000Z".into(),
    }
}

/// What the stand-ins were asked.
#[derive(Clone, Copy)]
struct Asked {
    created: RwSignal<Vec<CreateDestination>>,
    replayed: RwSignal<Vec<(String, String)>>,
    tested: RwSignal<Vec<String>>,
    updated: RwSignal<Vec<(String, UpdateDestination)>>,
}

fn calls(stored: RwSignal<Vec<Destination>>, asked: Asked) -> EventCalls {
    EventCalls {
        list: Action::new_local(move |_: &()| {
            let now = stored.get_untracked();
            async move { ApiResult::Ok(now) }
        }),
        create: Action::new_local(move |req: &CreateDestination| {
            asked.created.update(|c| c.push(req.clone()));
            let req = req.clone();
            async move {
                if !req.url.starts_with("https://") {
                    let m = "Events go to https:// URLs only.".to_string();
                    return Err(ApiError::Invalid {
                        message: m.clone(),
                        fields: [("url".to_string(), m)].into(),
                    });
                }
                let events: Vec<&str> = req.events.iter().map(String::as_str).collect();
                let made = destination(&req.url, &events);
                stored.update(|s| s.push(made.clone()));
                Ok(CreatedDestination {
                    destination: made,
                    signing_secret: SECRET.into(),
                })
            }
        }),
        update: Action::new_local(move |(id, req): &(String, UpdateDestination)| {
            asked.updated.update(|u| u.push((id.clone(), req.clone())));
            let enabled = req.enabled;
            async move {
                stored.update(|s| {
                    for d in s.iter_mut() {
                        d.enabled = enabled.unwrap_or(d.enabled);
                    }
                });
                Ok(stored.get_untracked()[0].clone())
            }
        }),
        remove: Action::new_local(|_: &String| async { ApiResult::Ok(()) }),
        rotate: Action::new_local(|_: &String| async {
            ApiResult::Ok(RotatedSecret {
                signing_secret: "whsec_bmV3LXNlY3JldC1ieXRlcw==".into(),
            })
        }),
        deliveries: Action::new_local(|_: &String| async {
            ApiResult::Ok(DeliveryPage {
                items: vec![Delivery {
                    id: "dlv_1".into(),
                    event_id: "evt_1".into(),
                    event_type: "api_key.created".into(),
                    attempt: 2,
                    status: DeliveryStatus::Pending,
                    response_status: Some(503),
                    at: "2026-11-30T10:00:05.000000Z".into(),
                    next_attempt_at: Some("2026-11-30T10:05:05.000000Z".into()),
                }],
                next_cursor: None,
            })
        }),
        test: Action::new_local(move |id: &String| {
            asked.tested.update(|t| t.push(id.clone()));
            async { ApiResult::Ok(()) }
        }),
        replay: Action::new_local(move |(id, since): &(String, String)| {
            asked
                .replayed
                .update(|r| r.push((id.clone(), since.clone())));
            async { ApiResult::Ok(()) }
        }),
    }
}

fn asked() -> Asked {
    Asked {
        created: RwSignal::new(Vec::new()),
        replayed: RwSignal::new(Vec::new()),
        tested: RwSignal::new(Vec::new()),
        updated: RwSignal::new(Vec::new()),
    }
}

#[wasm_bindgen_test]
async fn adding_a_destination_sends_what_was_typed_keeps_it_when_refused_and_shows_the_secret_once()
{
    let stored = RwSignal::new(Vec::<Destination>::new());
    let asked = asked();
    let page = mount(move || {
        view! { <EventDestinationsSettings calls=calls(stored, asked) may_change=true/> }
    });
    until(|| exists(&page, "#no-destinations")).await;

    type_into(&page, "#destination-url", "http://hooks.acme.io/keydesk");
    type_into(&page, "#destination-description", "SIEM");
    set_checked(&page, "#destination-chosen", true);
    until(|| exists(&page, ".event-choice")).await;
    set_checked(&page, "input[value='api_key.created']", true);
    set_checked(&page, "input[value='api_key.expiring']", true);
    click(&button(&page, "Add destination"));
    until(|| text(&page).contains("https:// URLs only")).await;
    assert_eq!(
        value_of(&page, "#destination-url"),
        "http://hooks.acme.io/keydesk",
        "what was typed stays"
    );
    let sent = asked.created.get_untracked()[0].clone();
    assert_eq!(sent.description, "SIEM");
    assert_eq!(sent.events, ["api_key.created", "api_key.expiring"]);

    type_into(&page, "#destination-url", "https://hooks.acme.io/keydesk");
    click(&button(&page, "Add destination"));
    until(|| exists(&page, "#signing-secret")).await;
    assert_eq!(text(&find(&page, "#signing-secret")), SECRET);
    assert!(text(&page).contains("will not show it again"));
    until(|| exists(&page, ".destination-row")).await;
    let row = text(&find(&page, ".destination-row"));
    assert!(
        row.contains("https://hooks.acme.io/keydesk")
            && row.contains("api_key.created, api_key.expiring")
            && row.contains("On"),
        "{row}"
    );
    assert_eq!(
        value_of(&page, "#destination-url"),
        "",
        "the form is ready for another"
    );

    click(&button(&page, "Done"));
    until(|| !exists(&page, "#signing-secret")).await;
    click(&button(&page, "Rotate secret"));
    until(|| text(&page).contains("whsec_bmV3LXNlY3JldC1ieXRlcw==")).await;
    assert!(text(&page).contains("both the old and the new secret"));

    click(&button(&page, "Switch off"));
    until(|| !asked.updated.get_untracked().is_empty()).await;
    assert_eq!(
        asked.updated.get_untracked()[0].1.enabled,
        Some(false),
        "switching off sends enabled: false"
    );
    until(|| exists(&page, ".badge--warn")).await;
}

#[wasm_bindgen_test]
async fn the_delivery_log_shows_attempts_and_answers_and_sends_a_test_event_and_a_replay() {
    let stored = RwSignal::new(vec![destination("https://hooks.acme.io/keydesk", &["*"])]);
    let asked = asked();
    let page = mount(move || {
        view! { <EventDestinationsSettings calls=calls(stored, asked) may_change=true/> }
    });
    until(|| exists(&page, ".destination-row")).await;
    assert!(text(&find(&page, ".destination-row")).contains("All events"));
    click(&button(&page, "Deliveries"));
    until(|| exists(&page, ".delivery-row")).await;
    let row = text(&find(&page, ".delivery-row"));
    assert!(
        row.contains("api_key.created")
            && row.contains("Pending")
            && row.contains("503")
            && row.contains('2'),
        "{row}"
    );

    click(&button(&page, "Send test event"));
    until(|| text(&page).contains("Test event queued")).await;
    assert_eq!(asked.tested.get_untracked(), ["dst_1"]);

    click(&button(&page, "Replay"));
    until(|| text(&page).contains("Pick the date and time")).await;
    assert!(asked.replayed.get_untracked().is_empty());
    type_into(&page, "#replay-since", "2026-11-30T09:30");
    click(&button(&page, "Replay"));
    until(|| !asked.replayed.get_untracked().is_empty()).await;
    let (id, since) = asked.replayed.get_untracked()[0].clone();
    assert_eq!(id, "dst_1");
    assert!(since.ends_with('Z'), "sent as RFC 3339 UTC: {since}");
    let back = js_sys::Date::new(&since.as_str().into());
    assert_eq!(
        (back.get_date(), back.get_hours(), back.get_minutes()),
        (30, 9, 30),
        "the moment picked, in the browser's time zone: {since}"
    );
}

#[wasm_bindgen_test]
async fn without_accounts_update_destinations_are_shown_but_not_changed() {
    let stored = RwSignal::new(vec![destination("https://hooks.acme.io/keydesk", &["*"])]);
    let asked = asked();
    let page = mount(move || {
        view! { <EventDestinationsSettings calls=calls(stored, asked) may_change=false/> }
    });
    until(|| exists(&page, ".destination-row")).await;
    for absent in ["Add destination", "Rotate secret", "Remove", "Switch off"] {
        assert!(
            !text(&page).contains(absent),
            "{absent} is offered without accounts.update"
        );
    }
    click(&button(&page, "Deliveries"));
    until(|| exists(&page, ".delivery-row")).await;
    assert!(!text(&page).contains("Send test event"));
}
