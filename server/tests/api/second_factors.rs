//! Second factors (docs/api.md, "Second factors"): an authenticator app,
//! recovery codes and passkeys, the two-step sign-in, the organization's
//! rule, and resetting someone's. Passkeys are made and used by a software
//! authenticator that signs like a real one (`authenticator.rs`).

use keydesk_server::auth::totp::{code_at_step, step_at, TotpSecret, DIGITS, STEP_SECONDS};
use keydesk_server::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::authenticator::{tampered, Authenticator};
use crate::harness::{code, Client, TestServer, PASSWORD};

/// The code an authenticator app shows now, by the server's clock, `steps` away.
fn code_now(server: &TestServer, secret: &TotpSecret, steps: i64) -> String {
    let now = server.clock.now().unix_timestamp();
    code_at_step(secret, step_at(now) + steps, DIGITS)
}

/// Sets up an authenticator app for the signed-in `person`; returns its
/// secret (as the app read it) and the recovery codes shown.
async fn set_up_app(server: &TestServer, person: &Client) -> (TotpSecret, Vec<String>) {
    let (status, body) = person.post("/me/totp", json!({"password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    assert!(body["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = TotpSecret::from_base32(body["secret"].as_str().unwrap()).unwrap();
    let (status, body) = person
        .post(
            "/me/totp/confirm",
            json!({"code": code_now(server, &secret, 0)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<String> = serde_json::from_value(body["recovery_codes"].clone()).unwrap();
    (secret, codes)
}

/// The public URL the server is its relying party at.
fn origin(server: &TestServer) -> String {
    server.base.replace("127.0.0.1", "localhost")
}

/// Adds a passkey made by `authenticator` for the signed-in `person`.
async fn add_passkey(
    server: &TestServer,
    person: &Client,
    authenticator: &mut Authenticator,
    name: &str,
) -> (StatusCode, Value) {
    let (status, options) = person.post("/me/passkeys/challenge", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let credential = authenticator.create(&options["publicKey"], &origin(server));
    person
        .post(
            "/me/passkeys",
            json!({"name": name, "credential": credential}),
        )
        .await
}

/// A new browser that has typed the right password for `email`.
async fn past_the_password(server: &TestServer, email: &str) -> (Client, Value) {
    let browser = server.person();
    let (status, body) = browser.sign_in(email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (browser, body)
}

#[tokio::test]
async fn an_authenticator_app_is_set_up_with_the_password_and_then_asked_after_it() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, body) = ada.post("/me/totp", json!({"password": "not it"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["password"].is_string(), "{body}");

    // A wrong first code confirms nothing.
    let (_, begun) = ada.post("/me/totp", json!({"password": PASSWORD})).await;
    let secret = TotpSecret::from_base32(begun["secret"].as_str().unwrap()).unwrap();
    let wrong = code_now(&server, &secret, 3);
    let (status, body) = ada.post("/me/totp/confirm", json!({"code": wrong})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(ada.get("/me/second-factors").await.1["totp"], false);
    let code_typed_with_a_space = {
        let c = code_now(&server, &secret, 0);
        format!("{} {}", &c[..3], &c[3..])
    };
    let (status, body) = ada
        .post("/me/totp/confirm", json!({"code": code_typed_with_a_space}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["recovery_codes"].as_array().unwrap().len(), 10);
    let (_, factors) = ada.get("/me/second-factors").await;
    assert_eq!(factors["totp"], true);
    assert_eq!(factors["recovery_codes_left"], 10);
    // A second app is refused while one is set up.
    let (status, _) = ada.post("/me/totp", json!({"password": PASSWORD})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The right password alone gives no session, only the second step.
    server.clock.advance(time::Duration::seconds(STEP_SECONDS));
    let (browser, answer) = past_the_password(&server, "ada@acme.io").await;
    assert_eq!(answer["second_factor_required"], true);
    assert_eq!(answer["methods"], json!(["totp", "recovery_code"]));
    assert_eq!(browser.get("/me").await.0, StatusCode::UNAUTHORIZED);
    let current = code_now(&server, &secret, 0);
    let (status, me) = browser
        .post("/auth/second-factor", json!({"code": current}))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["email"], "ada@acme.io");
    assert_eq!(browser.get("/me").await.0, StatusCode::OK);

    // The same code again, inside its window: spent.
    let (again, _) = past_the_password(&server, "ada@acme.io").await;
    let (status, body) = again
        .post("/auth/second-factor", json!({"code": current}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "invalid_credentials");
    assert_eq!(again.get("/me").await.0, StatusCode::UNAUTHORIZED);

    // One step of drift either way is accepted; two are not.
    server
        .clock
        .advance(time::Duration::seconds(3 * STEP_SECONDS));
    let (status, _) = again
        .post(
            "/auth/second-factor",
            json!({"code": code_now(&server, &secret, 2)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "two steps ahead");
    let (status, _) = again
        .post(
            "/auth/second-factor",
            json!({"code": code_now(&server, &secret, -1)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "one step behind");
}

#[tokio::test]
async fn a_pending_sign_in_lasts_five_minutes_and_needs_exactly_one_answer() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (secret, _) = set_up_app(&server, &ada).await;
    server.clock.advance(time::Duration::seconds(STEP_SECONDS));

    // No pending sign-in at all.
    let stranger = server.person();
    let (status, _) = stranger
        .post(
            "/auth/second-factor",
            json!({"code": code_now(&server, &secret, 0)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (browser, _) = past_the_password(&server, "ada@acme.io").await;
    let (status, body) = browser
        .post(
            "/auth/second-factor",
            json!({"code": "123456", "recovery_code": "abcde-fghjk"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    server
        .clock
        .advance(time::Duration::minutes(5) + time::Duration::seconds(1));
    let (status, body) = browser
        .post(
            "/auth/second-factor",
            json!({"code": code_now(&server, &secret, 0)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("5 minutes"));
}

#[tokio::test]
async fn recovery_codes_work_once_each_and_a_new_set_voids_the_old() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (_, codes) = set_up_app(&server, &ada).await;

    let (browser, _) = past_the_password(&server, "ada@acme.io").await;
    let typed = codes[0].to_uppercase();
    let (status, body) = browser
        .post("/auth/second-factor", json!({"recovery_code": typed}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        ada.get("/me/second-factors").await.1["recovery_codes_left"],
        9
    );
    let (_, trail) = ada.get("/audit-events").await;
    let used = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.recovery_code_used")
        .expect("recovery code use audited");
    assert_eq!(used["details"]["codes_left"], 9);

    let (again, _) = past_the_password(&server, "ada@acme.io").await;
    let (status, _) = again
        .post("/auth/second-factor", json!({"recovery_code": codes[0]}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a used code is spent");

    let (status, _) = ada
        .post("/me/recovery-codes", json!({"password": "wrong"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, fresh) = ada
        .post("/me/recovery-codes", json!({"password": PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let fresh: Vec<String> = serde_json::from_value(fresh["recovery_codes"].clone()).unwrap();
    assert_eq!(fresh.len(), 10);
    let (status, _) = again
        .post("/auth/second-factor", json!({"recovery_code": codes[1]}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old set is void");
    let (status, _) = again
        .post("/auth/second-factor", json!({"recovery_code": fresh[1]}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_codes_count_against_the_sign_in_throttle() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (secret, _) = set_up_app(&server, &ada).await;
    server.clock.advance(time::Duration::seconds(STEP_SECONDS));
    let (browser, _) = past_the_password(&server, "ada@acme.io").await;
    let wrong = code_now(&server, &secret, 5);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            browser
                .post("/auth/second-factor", json!({"code": wrong}))
                .await
                .0,
        );
    }
    assert!(
        statuses[..4].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Even the right code waits now, and the password too: the right
    // password never resets what wrong codes counted.
    let (status, _) = browser
        .post(
            "/auth/second-factor",
            json!({"code": code_now(&server, &secret, 0)}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = server.person().sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_sealed_secret_in_the_database_is_not_the_secret() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (_, begun) = ada.post("/me/totp", json!({"password": PASSWORD})).await;
    let shown = begun["secret"].as_str().unwrap();
    let raw = TotpSecret::from_base32(shown).unwrap();
    let hex: String = raw.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let db = crate::harness::database(&server.database_url).await;
    let (stored,): (String,) = sqlx::query_as("SELECT sealed_secret FROM totp_factors")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(shown) && !stored.contains(&hex));
    let codes: Vec<(String,)> = sqlx::query_as("SELECT digest FROM recovery_codes")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(codes.is_empty(), "no codes before the app is confirmed");
}

#[tokio::test]
async fn requiring_a_second_factor_limits_people_without_one_to_setting_one_up() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let bob = ada.add_person("bob@acme.io", &["developer"]).await;
    assert_eq!(bob.get("/api-keys").await.0, StatusCode::OK);

    // Only accounts.update changes it; whoever requires it has one first.
    let (status, _) = bob
        .call(
            Method::PUT,
            "/organization/security",
            Some(json!({"require_second_factor": true})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = ada
        .call(
            Method::PUT,
            "/organization/security",
            Some(json!({"require_second_factor": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (secret, _) = set_up_app(&server, &ada).await;
    let (status, body) = ada
        .call(
            Method::PUT,
            "/organization/security",
            Some(json!({"require_second_factor": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        ada.get("/organization/security").await.1["require_second_factor"],
        true
    );

    // Bob's live session may now only set one up.
    let (status, body) = bob.get("/api-keys").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "second_factor_required");
    assert_eq!(
        bob.get("/me").await.1["required_step"],
        "enrol_second_factor"
    );
    assert_eq!(bob.get("/me/second-factors").await.1["required"], true);
    // So does a fresh sign-in of his.
    let fresh = server.person();
    let (status, me) = fresh.sign_in("bob@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["required_step"], "enrol_second_factor");
    assert_eq!(fresh.get("/api-keys").await.0, StatusCode::FORBIDDEN);

    let (bobs_secret, _) = set_up_app(&server, &bob).await;
    assert_eq!(
        bob.get("/api-keys").await.0,
        StatusCode::OK,
        "enrolled: everything again"
    );
    assert!(bob.get("/me").await.1.get("required_step").is_none());

    // Removing one's last factor while required: 409.
    let (status, body) = bob
        .call(
            Method::DELETE,
            "/me/totp",
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let _ = (secret, bobs_secret);

    // People see who has one; the audit trail has the change.
    let (_, people) = ada.get("/users").await;
    assert!(people
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["second_factor"] == true));
    let (_, trail) = ada.get("/audit-events").await;
    assert!(trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "organization.security_updated"
            && e["details"]["require_second_factor"] == true));

    // Turned off, nobody is held at the step any more.
    let (status, _) = ada
        .call(
            Method::PUT,
            "/organization/security",
            Some(json!({"require_second_factor": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = bob
        .call(
            Method::DELETE,
            "/me/totp",
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        bob.get("/me/second-factors").await.1["recovery_codes_left"],
        0
    );
}

#[tokio::test]
async fn a_reset_removes_every_factor_of_the_person_ends_their_sessions_and_is_audited() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let bob = ada.add_person("bob@acme.io", &["developer"]).await;
    let (_, _) = set_up_app(&server, &bob).await;
    let bob_id = bob.me().await.user.id;
    let ada_id = ada.me().await.user.id;

    // Not one's own, not by someone without users.update, not across organizations.
    let (status, _) = ada.delete(&format!("/users/{ada_id}/second-factors")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = bob.delete(&format!("/users/{ada_id}/second-factors")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = server.sign_up("Globex", "grace@globex.io").await;
    let (status, _) = other
        .delete(&format!("/users/{bob_id}/second-factors"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = ada.delete(&format!("/users/{bob_id}/second-factors")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        bob.get("/me").await.0,
        StatusCode::UNAUTHORIZED,
        "his sessions ended"
    );
    let (_, person) = ada.get(&format!("/users/{bob_id}")).await;
    assert_eq!(person["second_factor"], false);
    let (status, me) = server.person().sign_in("bob@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        me.get("second_factor_required").is_none(),
        "the password alone again: {me}"
    );
    let (_, trail) = ada.get("/audit-events").await;
    let reset = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.second_factors_reset")
        .expect("audited");
    assert_eq!(reset["target"]["id"], bob_id.as_str());
}

#[tokio::test]
async fn a_passkey_is_added_named_listed_and_signs_in_alone_or_as_the_second_step() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let mut laptop = Authenticator::new();
    let (status, added) = add_passkey(&server, &ada, &mut laptop, "  Work laptop ").await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["name"], "Work laptop");
    assert_eq!(
        added["recovery_codes"].as_array().unwrap().len(),
        10,
        "first factor"
    );
    let mut phone = Authenticator::new();
    let (status, second) = add_passkey(&server, &ada, &mut phone, "Phone").await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(second.get("recovery_codes").is_none(), "not the first");
    let (_, factors) = ada.get("/me/second-factors").await;
    assert_eq!(factors["passkeys"].as_array().unwrap().len(), 2);
    assert!(factors["passkeys"][0]["last_used_at"].is_null());

    // A passkey alone signs in.
    let browser = server.person();
    let (status, options) = browser.post("/auth/passkey/challenge", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(options["publicKey"]["userVerification"], "required");
    let assertion = laptop.get(&options["publicKey"], &origin(&server));
    let (status, me) = browser
        .post("/auth/passkey", json!({"assertion": assertion}))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["email"], "ada@acme.io");
    let (_, factors) = ada.get("/me/second-factors").await;
    assert!(factors["passkeys"][0]["last_used_at"].is_string());

    // The same answer again: its challenge is gone.
    let (status, _) = server
        .person()
        .post("/auth/passkey", json!({"assertion": assertion}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replayed challenge");

    // After the password, a passkey is the second step.
    let (step, answer) = past_the_password(&server, "ada@acme.io").await;
    assert_eq!(answer["methods"], json!(["passkey", "recovery_code"]));
    let (status, options) = step.post("/auth/second-factor/challenge", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let assertion = phone.get(&options["publicKey"], &origin(&server));
    let (status, me) = step
        .post("/auth/second-factor", json!({"passkey": assertion}))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");

    // Removed: it no longer signs in.
    let id = factors["passkeys"][0]["id"].as_str().unwrap();
    assert_eq!(
        ada.delete(&format!("/me/passkeys/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let browser = server.person();
    let (_, options) = browser.post("/auth/passkey/challenge", json!({})).await;
    let assertion = laptop.get(&options["publicKey"], &origin(&server));
    let (status, _) = browser
        .post("/auth/passkey", json!({"assertion": assertion}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn webauthn_answers_from_the_wrong_origin_rp_or_key_or_of_another_person_are_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let bob = ada.add_person("bob@acme.io", &["developer"]).await;
    let mut adas = Authenticator::new();
    assert_eq!(
        add_passkey(&server, &ada, &mut adas, "Ada's").await.0,
        StatusCode::CREATED
    );
    let mut bobs = Authenticator::new();
    assert_eq!(
        add_passkey(&server, &bob, &mut bobs, "Bob's").await.0,
        StatusCode::CREATED
    );

    // Registration from another origin, or for another RP id.
    let mut phished = Authenticator::new();
    let (_, options) = ada.post("/me/passkeys/challenge", json!({})).await;
    let credential = phished.create(&options["publicKey"], "https://keydesk.example.net");
    let (status, body) = ada
        .post(
            "/me/passkeys",
            json!({"name": "Phished", "credential": credential}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["credential"].is_string());
    let mut elsewhere = Authenticator::new();
    elsewhere.rp_id = Some("example.net".into());
    let (_, options) = ada.post("/me/passkeys/challenge", json!({})).await;
    let credential = elsewhere.create(&options["publicKey"], &origin(&server));
    let (status, _) = ada
        .post(
            "/me/passkeys",
            json!({"name": "Other RP", "credential": credential}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Bob cannot finish a registration Ada began, nor register her credential again.
    let (_, options) = ada.post("/me/passkeys/challenge", json!({})).await;
    let credential = Authenticator::new().create(&options["publicKey"], &origin(&server));
    let (status, _) = bob
        .post(
            "/me/passkeys",
            json!({"name": "Hers", "credential": credential}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let sign_in = |authenticator: &mut Authenticator, options: &Value, origin: &str| {
        authenticator.get(&options["publicKey"], origin)
    };
    let refused = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(code(&body), "invalid_credentials");
    };
    // Passkey alone: wrong origin, wrong RP id, tampered signature.
    let browser = server.person();
    let (_, options) = browser.post("/auth/passkey/challenge", json!({})).await;
    let answer = sign_in(&mut adas, &options, "https://keydesk.example.net");
    refused(
        browser
            .post("/auth/passkey", json!({"assertion": answer}))
            .await,
    );
    let (_, options) = browser.post("/auth/passkey/challenge", json!({})).await;
    adas.rp_id = Some("example.net".into());
    let answer = sign_in(&mut adas, &options, &origin(&server));
    adas.rp_id = None;
    refused(
        browser
            .post("/auth/passkey", json!({"assertion": answer}))
            .await,
    );
    let (_, options) = browser.post("/auth/passkey/challenge", json!({})).await;
    let answer = tampered(&sign_in(&mut adas, &options, &origin(&server)));
    refused(
        browser
            .post("/auth/passkey", json!({"assertion": answer}))
            .await,
    );
    assert_eq!(browser.get("/me").await.0, StatusCode::UNAUTHORIZED);

    // Second step: Bob's passkey does not finish Ada's sign-in.
    let (step, _) = past_the_password(&server, "ada@acme.io").await;
    let (_, options) = step.post("/auth/second-factor/challenge", json!({})).await;
    let answer = sign_in(&mut bobs, &options, &origin(&server));
    refused(
        step.post("/auth/second-factor", json!({"passkey": answer}))
            .await,
    );
    // A challenge answered once is spent, even by the right passkey.
    let (_, options) = step.post("/auth/second-factor/challenge", json!({})).await;
    let answer = sign_in(&mut adas, &options, &origin(&server));
    let (status, _) = step
        .post("/auth/second-factor", json!({"passkey": answer}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (again, _) = past_the_password(&server, "ada@acme.io").await;
    refused(
        again
            .post("/auth/second-factor", json!({"passkey": answer}))
            .await,
    );

    // Nobody reaches another person's passkeys.
    let (_, adas_factors) = ada.get("/me/second-factors").await;
    let id = adas_factors["passkeys"][0]["id"].as_str().unwrap();
    assert_eq!(
        bob.delete(&format!("/me/passkeys/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ada.get("/me/second-factors").await.1["passkeys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn passkey_sign_ins_anyone_may_begin_are_bounded_and_expire() {
    let server = TestServer::start_with(|c| c.live_passkey_sign_ins = 3, None).await;
    let stranger = server.person();
    for _ in 0..3 {
        assert_eq!(
            stranger.post("/auth/passkey/challenge", json!({})).await.0,
            StatusCode::OK
        );
    }
    let (status, body) = stranger.post("/auth/passkey/challenge", json!({})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    // Expired ones make room again.
    server
        .clock
        .advance(time::Duration::minutes(5) + time::Duration::seconds(1));
    assert_eq!(
        stranger.post("/auth/passkey/challenge", json!({})).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn on_an_ip_address_the_server_runs_with_passkeys_off_and_says_why() {
    let server =
        TestServer::start_with(|c| c.public_url = Some("http://127.0.0.1:9".into()), None).await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, body) = ada.post("/me/passkeys/challenge", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("host name"),
        "{body}"
    );
    assert_eq!(
        server
            .person()
            .post("/auth/passkey/challenge", json!({}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    set_up_app(&server, &ada).await;
}
