//! Event destinations (docs/api.md, "Signals out") against a real HTTP
//! receiver started by each test: signed deliveries in order, retries on
//! the schedule, 410, rotation, ping and replay, and destinations refused
//! inside keydesk's network, both when saved and when delivered.

use std::time::Duration;

use keydesk_server::webhook_receiver::{Received, Receiver};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{code, Client, TestServer, PASSWORD};

/// Long enough for a loaded machine; the deliverer normally answers in milliseconds.
const WITHIN: Duration = Duration::from_secs(20);

async fn server_allowing_local_receivers() -> TestServer {
    TestServer::start_with(|c| c.allow_private_destinations = true, None).await
}

/// Adds a destination for `events`; answers its id and signing secret.
async fn destination(ada: &Client, url: &str, events: &[&str]) -> (String, String) {
    let (status, created) = ada
        .post(
            "/event-destinations",
            json!({"url": url, "description": "SIEM", "events": events}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["destination"]["id"].as_str().unwrap().to_string(),
        created["signing_secret"].as_str().unwrap().to_string(),
    )
}

async fn deliveries(ada: &Client, id: &str) -> Vec<Value> {
    let (status, page) = ada
        .get(&format!("/event-destinations/{id}/deliveries"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// Waits until a delivery of destination `id` satisfies `done` (the
/// deliverer writes an outcome just after the receiver answers).
async fn delivery_where(ada: &Client, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WITHIN;
    loop {
        if let Some(found) = deliveries(ada, id).await.into_iter().find(|d| done(d)) {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            deliveries(ada, id).await
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn types(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.event_type().to_string())
        .collect()
}

#[tokio::test]
async fn changes_arrive_signed_in_order_with_only_the_events_asked_for() {
    let server = server_allowing_local_receivers().await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, secret) =
        destination(&ada, &receiver.url, &["api_key.created", "api_key.deleted"]).await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    let (_, listed) = ada.get("/event-destinations").await;
    assert_eq!(listed[0]["id"], id);
    assert!(
        !listed.to_string().contains(&secret[6..]),
        "the secret is shown once"
    );

    let first = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    ada.create_role("Support", &["documents.retrieve"]).await;
    let second = ada.create_key("Render_Bot", &["developer"]).await;
    assert_eq!(
        ada.delete(&format!("/api-keys/{}", first.id)).await.0,
        StatusCode::NO_CONTENT
    );

    let got = receiver.wait_for(3, WITHIN).await;
    assert_eq!(
        types(&got),
        ["api_key.created", "api_key.created", "api_key.deleted"],
        "in the order they happened, and no role.created"
    );
    assert_eq!(got[0].json["data"]["target"]["id"], first.id.as_str());
    assert_eq!(got[1].json["data"]["target"]["id"], second.id.as_str());
    for r in &got {
        assert!(r.verifies_with(&secret), "{r:?}");
        assert!(!r.verifies_with("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        assert_eq!(
            r.json["data"]["id"], r.id,
            "webhook-id is the audit event's id"
        );
        assert_eq!(r.json["timestamp"], r.json["data"]["at"]);
    }
    let (_, audit) = ada.get("/audit-events").await;
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == got[2].id));

    let newest = delivery_where(&ada, &id, |d| {
        d["status"] == "delivered" && d["type"] == "api_key.deleted"
    })
    .await;
    assert_eq!(newest["attempt"], 1);
    assert_eq!(newest["response_status"], 204);
    assert_eq!(newest["next_attempt_at"], Value::Null);
}

#[tokio::test]
async fn a_failing_event_is_retried_on_the_schedule_without_holding_back_the_rest_and_a_410_switches_it_off(
) {
    let server = server_allowing_local_receivers().await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, _) = destination(&ada, &receiver.url, &["api_key.created"]).await;
    receiver.answer_next(&[500, 503]);

    ada.create_key("First", &["developer"]).await;
    receiver.wait_for(1, WITHIN).await;
    let pending = delivery_where(&ada, &id, |d| d["attempt"] == 1).await;
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["response_status"], 500);

    // 5 s later, the second attempt, the same message.
    server.clock.advance(time::Duration::seconds(5));
    let got = receiver.wait_for(2, WITHIN).await;
    assert_eq!(got[1].json["data"]["target"]["name"], "First");
    assert_eq!(got[1].id, got[0].id, "a retry is the same message");
    let retried =
        delivery_where(&ada, &id, |d| d["id"] == pending["id"] && d["attempt"] == 2).await;
    assert_eq!(retried["status"], "pending");
    assert_eq!(retried["response_status"], 503);
    assert!(
        retried["next_attempt_at"].as_str().unwrap() > pending["next_attempt_at"].as_str().unwrap(),
        "the next retry 5 minutes on: {retried}"
    );

    // Second is not held behind First's retry: it goes at once, and as it
    // got through, First's retry goes at once too, not 5 minutes later.
    ada.create_key("Second", &["developer"]).await;
    let got = receiver.wait_for(4, WITHIN).await;
    let names: Vec<&Value> = got
        .iter()
        .map(|r| &r.json["data"]["target"]["name"])
        .collect();
    assert_eq!(names, ["First", "First", "Second", "First"]);
    assert_eq!([got[2].answered, got[3].answered], [204, 204]);
    delivery_where(&ada, &id, |d| {
        d["id"] == pending["id"] && d["status"] == "delivered"
    })
    .await;

    // A 4xx other than 410 is not retried.
    receiver.answer_next(&[400]);
    ada.create_key("Third", &["developer"]).await;
    let refused = delivery_where(&ada, &id, |d| d["status"] == "failed").await;
    assert_eq!(refused["response_status"], 400);

    // 410 Gone switches the destination off.
    receiver.answer_next(&[410]);
    ada.create_key("Fourth", &["developer"]).await;
    delivery_where(&ada, &id, |d| d["response_status"] == 410).await;
    let (_, listed) = ada.get("/event-destinations").await;
    assert_eq!(listed[0]["enabled"], false);
    assert!(listed[0]["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("410"));
    let before = receiver.received().len();
    ada.create_key("Fifth", &["developer"]).await;
    // Switched on again, the next event arrives, and Fifth never did.
    let (status, _) = ada
        .patch(
            &format!("/event-destinations/{id}"),
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    ada.create_key("Sixth", &["developer"]).await;
    let got = receiver.wait_for(before + 1, WITHIN).await;
    assert_eq!(got[before].json["data"]["target"]["name"], "Sixth");
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_for_a_day() {
    let server = server_allowing_local_receivers().await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, old) = destination(&ada, &receiver.url, &["*"]).await;
    let (status, rotated) = ada
        .post(
            &format!("/event-destinations/{id}/rotate-secret"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new = rotated["signing_secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);

    ada.create_key("During", &["developer"]).await;
    let got = receiver
        .wait_until(WITHIN, |r| {
            r.iter().any(|r| r.event_type() == "api_key.created")
        })
        .await;
    let during = got
        .iter()
        .find(|r| r.event_type() == "api_key.created")
        .unwrap();
    assert!(during.verifies_with(&new) && during.verifies_with(&old));
    assert_eq!(during.signature.split(' ').count(), 2);

    server
        .clock
        .advance(time::Duration::hours(24) + time::Duration::seconds(1));
    ada.sign_in("ada@acme.io", crate::harness::PASSWORD).await;
    ada.create_key("After", &["developer"]).await;
    let named_after = |r: &Received| r.json["data"]["target"]["name"] == "After";
    let got = receiver
        .wait_until(WITHIN, |got| got.iter().any(named_after))
        .await;
    let after = got.into_iter().find(named_after).unwrap();
    assert!(after.verifies_with(&new));
    assert!(
        !after.verifies_with(&old),
        "the old secret signs for 24 hours only"
    );
}

#[tokio::test]
async fn a_test_event_and_a_replay_resend_what_was_sent_since() {
    let server = server_allowing_local_receivers().await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, secret) = destination(&ada, &receiver.url, &["api_key.created"]).await;
    let (status, _) = ada
        .post(&format!("/event-destinations/{id}/test"), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let ping = receiver.wait_for(1, WITHIN).await.remove(0);
    assert_eq!(ping.event_type(), "ping");
    assert!(ping.verifies_with(&secret));

    let since = keydesk_server::clock::Clock::now(&server.clock);
    server.clock.advance(time::Duration::seconds(1));
    ada.create_key("One", &["developer"]).await;
    ada.create_key("Two", &["developer"]).await;
    let first_time = receiver.wait_for(3, WITHIN).await;

    let since_text = since
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, body) = ada
        .post(
            &format!("/event-destinations/{id}/replay"),
            json!({"since": since_text}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let again = receiver.wait_for(5, WITHIN).await;
    assert_eq!(
        [again[3].id.as_str(), again[4].id.as_str()],
        [first_time[1].id.as_str(), first_time[2].id.as_str()],
        "the same events, in order, the ping not among them"
    );

    let (status, body) = ada
        .post(
            &format!("/event-destinations/{id}/replay"),
            json!({"since": "last tuesday"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["since"].is_string(), "{body}");
}

#[tokio::test]
async fn destinations_inside_the_network_or_over_plain_http_are_refused_when_saved() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    for url in [
        "https://localhost/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hook",
        "http://93.184.216.34/hook",
        "ftp://hooks.acme.io",
        "",
    ] {
        let (status, body) = ada
            .post("/event-destinations", json!({"url": url, "events": ["*"]}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert!(body["error"]["fields"]["url"].is_string(), "{url}: {body}");
    }
    let (status, body) = ada
        .post(
            "/event-destinations",
            json!({"url": "https://93.184.216.34/hook", "events": ["api_key.creatd"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["events"]
        .as_str()
        .unwrap()
        .contains("api_key.creatd"));
    let (_, listed) = ada.get("/event-destinations").await;
    assert_eq!(listed, json!([]), "nothing half-written");
}

#[tokio::test]
async fn a_name_that_resolves_inside_is_refused_at_delivery_time_too() {
    // As if the name had resolved outside when it was saved and was
    // rebound to 127.0.0.1 since: written straight into the database.
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let inside = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    inside.set_nonblocking(true).unwrap();
    let port = inside.local_addr().unwrap().port();
    let db = crate::harness::database(&server.database_url).await;
    let org = ada.me().await.organization.id;
    sqlx::query(
        "INSERT INTO event_destinations (id, organization_id, url, description, events, enabled, secret, created_at) \
         VALUES ('dst_rebound', $1, $2, '', '[\"*\"]', 1, 'v1:00', '2026-01-01T00:00:00.000000Z')",
    )
    .bind(&org)
    .bind(format!("https://localhost:{port}/hook"))
    .execute(&db)
    .await
    .unwrap();

    ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let tried = delivery_where(&ada, "dst_rebound", |d| d["attempt"] == 1).await;
    assert_eq!(tried["status"], "pending", "{tried}");
    assert_eq!(tried["response_status"], Value::Null);
    assert!(
        matches!(inside.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "nothing connected to the address inside"
    );
}

#[tokio::test]
async fn only_accounts_update_changes_destinations_and_other_organizations_see_none() {
    let server = server_allowing_local_receivers().await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, _) = destination(&ada, &receiver.url, &["*"]).await;
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    let (status, body) = dev
        .post(
            "/event-destinations",
            json!({"url": receiver.url, "events": ["*"]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        dev.post(
            &format!("/event-destinations/{id}/rotate-secret"),
            json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let grace = server.sign_up("Globex", "grace@globex.io").await;
    assert_eq!(grace.get("/event-destinations").await.1, json!([]));
    for (status, body) in [
        grace
            .get(&format!("/event-destinations/{id}/deliveries"))
            .await,
        grace
            .patch(
                &format!("/event-destinations/{id}"),
                json!({"enabled": false}),
            )
            .await,
        grace
            .post(&format!("/event-destinations/{id}/test"), json!({}))
            .await,
        grace.delete(&format!("/event-destinations/{id}")).await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(code(&body), "not_found");
        assert_eq!(body["error"]["message"], "No such event destination.");
    }
    // Globex's own changes never reach Acme's destination.
    grace.create_key("Globex_Key", &["developer"]).await;
    ada.create_key("Acme_Key", &["developer"]).await;
    let got = receiver
        .wait_until(WITHIN, |r| {
            r.iter().any(|r| r.event_type() == "api_key.created")
        })
        .await;
    assert!(got
        .iter()
        .all(|r| r.json["data"]["target"]["name"] != "Globex_Key"));

    assert_eq!(
        ada.delete(&format!("/event-destinations/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, audit) = ada.get("/audit-events").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"organization.event_destination_created"));
    assert!(actions.contains(&"organization.event_destination_deleted"));
}

/// A server that looks for expiry crossings every 50 ms instead of every minute.
async fn server_watching_expiry() -> TestServer {
    TestServer::start_with(
        |c| {
            c.allow_private_destinations = true;
            c.expiry_check_every = Duration::from_millis(50);
        },
        None,
    )
    .await
}

fn of_type<'a>(got: &'a [Received], event_type: &str) -> Vec<&'a Received> {
    got.iter()
        .filter(|r| r.event_type() == event_type)
        .collect()
}

#[tokio::test]
async fn a_key_about_to_expire_is_announced_once_at_30_7_and_1_days() {
    let server = server_watching_expiry().await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (_, secret) = destination(&ada, &receiver.url, &["api_key.expiring"]).await;
    let (status, key) = ada
        .post(
            "/api-keys",
            json!({"name": "Billing_Reader", "role_ids": ["billing-reader"], "expires_in_days": 31}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let key_id = key["id"].as_str().unwrap().to_string();
    let key_secret = ada.generate(&key_id).await.secret;
    let (_, key) = ada.get(&format!("/api-keys/{key_id}")).await;
    for _ in 0..2 {
        assert_eq!(
            server.system(&key_secret).get("/whoami").await.0,
            StatusCode::OK
        );
    }
    // A key with 5 days left crosses 30 and 7 at once: one event, for 7.
    let (_, short) = ada
        .post(
            "/api-keys",
            json!({"name": "Short_Lived", "role_ids": ["developer"], "expires_in_days": 5}),
        )
        .await;
    ada.generate(short["id"].as_str().unwrap()).await;
    let got = receiver.wait_for(1, WITHIN).await;
    assert_eq!(got[0].json["data"]["api_key"]["name"], "Short_Lived");
    assert_eq!(got[0].json["data"]["days"], 7);

    let expiring_for = |got: &[Received]| -> Vec<i64> {
        of_type(got, "api_key.expiring")
            .into_iter()
            .filter(|r| r.json["data"]["api_key"]["id"] == key_id.as_str())
            .map(|r| r.json["data"]["days"].as_i64().unwrap())
            .collect()
    };
    server
        .clock
        .advance(time::Duration::days(1) + time::Duration::seconds(1));
    let got = receiver
        .wait_until(WITHIN, |got| expiring_for(got) == [30])
        .await;
    let thirty = of_type(&got, "api_key.expiring")
        .into_iter()
        .find(|r| r.json["data"]["days"] == 30)
        .unwrap();
    assert!(thirty.verifies_with(&secret));
    assert_eq!(thirty.json["data"]["requests_last_7_days"], 2);
    assert!(thirty.json["data"]["last_used_at"].is_string());
    assert_eq!(thirty.json["data"]["expires_at"], key["expires_at"]);

    server.clock.advance(time::Duration::days(10));
    server.clock.advance(time::Duration::days(14));
    // 6 days left.
    receiver
        .wait_until(WITHIN, |got| expiring_for(got) == [30, 7])
        .await;
    server
        .clock
        .advance(time::Duration::days(5) + time::Duration::hours(12));
    let got = receiver
        .wait_until(WITHIN, |got| expiring_for(got) == [30, 7, 1])
        .await;
    assert_eq!(
        of_type(&got, "api_key.expiring").len(),
        4,
        "once per key and threshold, however many checks ran"
    );
}

#[tokio::test]
async fn an_expired_key_still_called_raises_an_event_at_most_once_a_day() {
    let server = server_allowing_local_receivers().await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (id, _) = destination(&ada, &receiver.url, &["api_key.expired_but_used"]).await;
    let (_, key) = ada
        .post(
            "/api-keys",
            json!({"name": "Nightly_Job", "role_ids": ["developer"], "expires_in_days": 1}),
        )
        .await;
    let key_id = key["id"].as_str().unwrap();
    let key_secret = ada.generate(key_id).await.secret;
    server
        .clock
        .advance(time::Duration::days(1) + time::Duration::seconds(1));
    let job = server.system(&key_secret);
    assert_eq!(job.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
    let got = receiver.wait_for(1, WITHIN).await;
    assert_eq!(got[0].event_type(), "api_key.expired_but_used");
    assert_eq!(got[0].json["data"]["api_key"]["id"], key_id);
    assert_eq!(got[0].json["data"]["address"], "127.0.0.1");

    // Called again two hours later: noted, no second event the same day.
    server.clock.advance(time::Duration::hours(2));
    assert_eq!(job.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
    ada.sign_in("ada@acme.io", crate::harness::PASSWORD).await;
    assert_eq!(deliveries(&ada, &id).await.len(), 1);
    // A day later, another.
    server.clock.advance(time::Duration::hours(23));
    assert_eq!(job.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
    receiver.wait_for(2, WITHIN).await;
}

#[tokio::test]
async fn events_past_their_time_go_with_their_deliveries_and_a_replay_reaches_back_as_far() {
    let server = TestServer::start_with(
        |c| {
            c.allow_private_destinations = true;
            c.events_sweep_every = Duration::from_millis(50);
        },
        None,
    )
    .await;
    let receiver = Receiver::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    // Days pass: Ada signs in again each time (her session has ended).
    let ada_again = || async {
        let ada = server.person();
        let (status, body) = ada.sign_in("ada@acme.io", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ada
    };
    let (id, _) = destination(&ada, &receiver.url, &["api_key.created"]).await;
    let start = keydesk_server::clock::Clock::now(&server.clock);

    ada.create_key("Old", &["developer"]).await;
    let old = receiver.wait_for(1, WITHIN).await[0].id.clone();
    server.clock.advance(time::Duration::days(20));
    let ada = ada_again().await;
    ada.create_key("Recent", &["developer"]).await;
    let recent = receiver.wait_for(2, WITHIN).await[1].id.clone();
    delivery_where(&ada, &id, |d| {
        d["event_id"] == recent.as_str() && d["status"] == "delivered"
    })
    .await;

    // 31 days after the first: it is past the 30 kept, the second is not.
    server.clock.advance(time::Duration::days(11));
    let ada = ada_again().await;
    let deadline = tokio::time::Instant::now() + WITHIN;
    loop {
        let log: Vec<String> = deliveries(&ada, &id)
            .await
            .iter()
            .map(|d| d["event_id"].as_str().unwrap().to_string())
            .collect();
        if log == [recent.clone()] {
            break;
        }
        assert!(log.contains(&recent), "the recent event stays: {log:?}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "{old} is still kept: {log:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let (status, body) = ada
        .post(
            &format!("/event-destinations/{id}/replay"),
            json!({"since": rfc3339(start)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let why = body["error"]["fields"]["since"].as_str().unwrap();
    assert!(why.contains("kept for 30 days"), "{why}");

    let (status, body) = ada
        .post(
            &format!("/event-destinations/{id}/replay"),
            json!({"since": rfc3339(start + time::Duration::days(2))}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let again = receiver.wait_for(3, WITHIN).await;
    assert_eq!(again[2].id, recent, "only what is kept is sent again");
}
