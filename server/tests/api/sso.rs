//! Single sign-on against a real OpenID provider (oidc-provider, run by
//! `identity_provider.rs`): the whole flow over HTTP, group → role rules,
//! people created just in time and their roles following the provider,
//! require-SSO with break-glass people, and every way the flow is refused.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{code, Client, TestServer, PASSWORD};
use crate::identity_provider::{
    browser, follow, log_in_at_provider, IdentityProvider, CLIENT_ID, CLIENT_SECRET,
};

/// A server reached at `http://127.0.0.1:<port>` (its public URL too, so
/// the provider sends people back where the test's cookies are), a
/// provider that knows it, and Ada, its admin.
async fn world() -> (TestServer, IdentityProvider, Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = TestServer::start_with(
        |c| {
            c.listen = format!("127.0.0.1:{port}");
            c.public_url = Some(format!("http://127.0.0.1:{port}"));
        },
        None,
    )
    .await;
    let idp = IdentityProvider::start(&format!("{}/api/v1/auth/sso/callback", server.base));
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    (server, idp, ada)
}

fn config(idp: &IdentityProvider, defaults: &[&str]) -> Value {
    json!({
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "email_domains": ["acme.io"],
        "role_rules": [
            {"claim": "groups", "value": "kd-admins", "role_ids": ["admin"]},
            {"claim": "groups", "value": "kd-devs", "role_ids": ["developer"]},
        ],
        "default_role_ids": defaults,
    })
}

async fn configure(ada: &Client, body: Value) -> (StatusCode, Value) {
    ada.call(Method::PUT, "/organization/sso", Some(body)).await
}

/// Walks the flow for `email`, signing in as `login` at the provider;
/// returns the browser and where keydesk's callback sent it.
async fn through_sso(server: &TestServer, email: &str, login: &str) -> (reqwest::Client, String) {
    let b = browser();
    let start = format!("{}/api/v1/auth/sso/start?email={email}", server.base);
    let (form, res) = follow(&b, start, None).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the provider's sign-in form at {form}"
    );
    let callback = log_in_at_provider(&b, &form, login).await;
    assert!(
        callback.starts_with(&format!("{}/api/v1/auth/sso/callback?", server.base)),
        "{callback}"
    );
    let landed = land(&b, &callback).await;
    (b, landed)
}

/// Asks keydesk's callback; returns where it sends the browser.
async fn land(b: &reqwest::Client, callback: &str) -> String {
    let res = b.get(callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    res.headers()["location"].to_str().unwrap().to_string()
}

async fn me(server: &TestServer, b: &reqwest::Client) -> (StatusCode, Value) {
    let res = b
        .get(format!("{}/api/v1/me", server.base))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn permissions(me: &Value) -> Vec<String> {
    serde_json::from_value(me["permissions"].clone()).unwrap()
}

#[tokio::test]
async fn groups_map_to_roles_people_arrive_just_in_time_and_roles_follow_the_provider() {
    let (server, idp, ada) = world().await;
    let (status, sso) = configure(&ada, config(&idp, &["document-viewer"])).await;
    assert_eq!(status, StatusCode::OK, "{sso}");
    assert_eq!(sso["client_secret_last4"], "4242");
    assert_eq!(
        sso["redirect_uri"],
        format!("{}/api/v1/auth/sso/callback", server.base)
    );
    let (_, security) = ada.get("/organization/security").await;
    assert!(
        !security.to_string().contains(CLIENT_SECRET),
        "the secret is write-only"
    );

    idp.account(json!({"sub": "eve-1", "email": "eve@acme.io", "email_verified": true, "name": "Eve Engineer", "groups": ["staff", "kd-devs"]})).await;
    let (eve, landed) = through_sso(&server, "eve@acme.io", "eve-1").await;
    assert_eq!(landed, "/api-keys");
    let (status, eve_me) = me(&server, &eve).await;
    assert_eq!(status, StatusCode::OK, "{eve_me}");
    assert_eq!(eve_me["user"]["name"], "Eve Engineer");
    let developer = ada
        .get("/roles")
        .await
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "developer")
        .unwrap()["permissions"]
        .clone();
    assert_eq!(json!(permissions(&eve_me)), developer);
    // Created just in time, without a password.
    let (status, _) = server.person().sign_in("eve@acme.io", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, people) = ada.get("/users").await;
    let listed = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "eve@acme.io")
        .unwrap();
    assert_eq!(listed["roles"][0]["id"], "developer");

    // No matching group: the default role.
    idp.account(json!({"sub": "finn-1", "email": "finn@acme.io", "email_verified": true}))
        .await;
    let (finn, _) = through_sso(&server, "finn@acme.io", "finn-1").await;
    let (_, finn_me) = me(&server, &finn).await;
    assert!(!permissions(&finn_me).contains(&"service-accounts.create".to_string()));

    // A group removed at the provider: fewer permissions at the next sign-in.
    idp.account(json!({"sub": "eve-1", "email": "eve@acme.io", "email_verified": true, "name": "Eve Engineer", "groups": ["staff"]})).await;
    let (eve_again, _) = through_sso(&server, "eve@acme.io", "eve-1").await;
    let (_, eve_me) = me(&server, &eve_again).await;
    assert_eq!(permissions(&eve_me), permissions(&finn_me));
    let (_, trail) = ada.get("/audit-events").await;
    assert!(trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "user.updated"
            && e["details"]["role_ids"]["to"] == json!(["document-viewer"])));
}

#[tokio::test]
async fn a_sign_in_mapping_to_no_role_a_foreign_address_or_a_deactivated_person_is_refused() {
    let (server, idp, ada) = world().await;
    assert_eq!(configure(&ada, config(&idp, &[])).await.0, StatusCode::OK);
    idp.account(json!({"sub": "gus-1", "email": "gus@acme.io", "email_verified": true, "groups": ["sales"]})).await;
    let (gus, landed) = through_sso(&server, "gus@acme.io", "gus-1").await;
    assert_eq!(landed, "/sign-in?error=sso_no_role");
    assert_eq!(me(&server, &gus).await.0, StatusCode::UNAUTHORIZED);
    let (_, trail) = ada.get("/audit-events").await;
    assert!(trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "user.sso_refused" && e["details"]["reason"] == "sso_no_role"));

    // The provider vouches for an address outside the organization's domains.
    idp.account(json!({"sub": "mal-1", "email": "mal@evil.example", "email_verified": true, "groups": ["kd-admins"]})).await;
    let (_, landed) = through_sso(&server, "someone@acme.io", "mal-1").await;
    assert_eq!(landed, "/sign-in?error=sso_email");

    // Deactivated in keydesk: out, whatever the provider says.
    idp.account(json!({"sub": "hal-1", "email": "hal@acme.io", "email_verified": true, "groups": ["kd-devs"]})).await;
    through_sso(&server, "hal@acme.io", "hal-1").await;
    let (_, people) = ada.get("/users").await;
    let hal = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "hal@acme.io")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        ada.post(&format!("/users/{hal}/deactivate"), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    let (_, landed) = through_sso(&server, "hal@acme.io", "hal-1").await;
    assert_eq!(landed, "/sign-in?error=sso_deactivated");

    // An address no organization signs in through.
    let res = browser()
        .get(format!(
            "{}/api/v1/auth/sso/start?email=x@nowhere.example",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tampered_state_replayed_codes_and_doctored_id_tokens_are_refused() {
    let (server, idp, ada) = world().await;
    assert_eq!(
        configure(&ada, config(&idp, &["document-viewer"])).await.0,
        StatusCode::OK
    );
    idp.account(json!({"sub": "ivy-1", "email": "ivy@acme.io", "email_verified": true}))
        .await;
    let start = format!("{}/api/v1/auth/sso/start?email=ivy@acme.io", server.base);
    let callback_prefix = format!("{}/api/v1/auth/sso/callback", server.base);

    // Tampered state.
    let b = browser();
    let (form, _) = follow(&b, start.clone(), None).await;
    let callback = log_in_at_provider(&b, &form, "ivy-1").await;
    let tampered = callback.replace("state=", "state=x");
    assert_eq!(land(&b, &tampered).await, "/sign-in?error=sso_state");

    // The right callback works once; the same again finds its state spent.
    let b = browser();
    let (form, _) = follow(&b, start.clone(), None).await;
    let first = log_in_at_provider(&b, &form, "ivy-1").await;
    assert_eq!(land(&b, &first).await, "/api-keys");
    assert_eq!(land(&b, &first).await, "/sign-in?error=sso_state");

    // An old code under a fresh state: the provider refuses it.
    let old_code = reqwest::Url::parse(&first)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let b = browser();
    let (form, _) = follow(&b, start.clone(), None).await;
    let fresh = log_in_at_provider(&b, &form, "ivy-1").await;
    let mut url = reqwest::Url::parse(&fresh).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            (
                k.to_string(),
                if k == "code" {
                    old_code.clone()
                } else {
                    v.to_string()
                },
            )
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    assert_eq!(land(&b, url.as_str()).await, "/sign-in?error=sso_provider");

    // ID tokens for another audience, expired, with another nonce, or
    // signed by a key the provider does not publish.
    for mode in ["wrong_audience", "expired", "nonce", "foreign_key"] {
        idp.tamper(Some(mode)).await;
        let b = browser();
        let (form, _) = follow(&b, start.clone(), None).await;
        let callback = log_in_at_provider(&b, &form, "ivy-1").await;
        assert!(callback.starts_with(&callback_prefix));
        assert_eq!(
            land(&b, &callback).await,
            "/sign-in?error=sso_provider",
            "{mode}"
        );
        assert_eq!(me(&server, &b).await.0, StatusCode::UNAUTHORIZED, "{mode}");
    }
    idp.tamper(None).await;
    let (_, landed) = through_sso(&server, "ivy@acme.io", "ivy-1").await;
    assert_eq!(landed, "/api-keys", "an honest token still works");
}

#[tokio::test]
async fn requiring_sso_closes_passwords_to_all_but_break_glass_people() {
    let (server, idp, ada) = world().await;
    ada.add_person("bob@acme.io", &["developer"]).await;
    let ada_id = ada.me().await.user.id;
    let bob_id = ada
        .get("/users")
        .await
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "bob@acme.io")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut body = config(&idp, &["document-viewer"]);
    body["require_sso"] = json!(true);
    // A break-glass person who cannot do everything is not enough (rule 9).
    body["break_glass_user_ids"] = json!([bob_id]);
    let (status, refused) = configure(&ada, body.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"]["fields"]["break_glass_user_ids"].is_string(),
        "{refused}"
    );
    body["break_glass_user_ids"] = json!([ada_id]);
    assert_eq!(configure(&ada, body).await.0, StatusCode::OK);

    let (status, answer) = server.person().sign_in("bob@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&answer), "sso_required");
    let (status, _) = server.person().sign_in("ada@acme.io", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "break-glass keeps the password");
    // A wrong password still says only that.
    let (_, answer) = server
        .person()
        .sign_in("bob@acme.io", "wrong password entirely")
        .await;
    assert_eq!(code(&answer), "invalid_credentials");
}

#[tokio::test]
async fn configuration_is_checked_a_domain_belongs_to_one_organization_and_rules_cannot_escalate() {
    let (server, idp, ada) = world().await;
    // Nothing answers at this issuer.
    let mut body = config(&idp, &[]);
    body["issuer"] = json!("http://127.0.0.1:9/nothing");
    let (status, refused) = configure(&ada, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"]["fields"]["issuer"].is_string(),
        "{refused}"
    );
    let (status, found) = ada
        .post("/organization/sso/test", json!({"issuer": idp.issuer}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["issuer"], idp.issuer.as_str());
    // The first save needs the secret; later ones may keep it.
    let mut body = config(&idp, &[]);
    body.as_object_mut().unwrap().remove("client_secret");
    assert_eq!(
        configure(&ada, body.clone()).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(configure(&ada, config(&idp, &[])).await.0, StatusCode::OK);
    let (status, kept) = configure(&ada, body).await;
    assert_eq!(
        (status, kept["client_secret_last4"].as_str()),
        (StatusCode::OK, Some("4242"))
    );
    let db = crate::harness::database(&server.database_url).await;
    let (sealed,): (String,) = sqlx::query_as("SELECT sealed_client_secret FROM sso_configs")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(!sealed.contains(CLIENT_SECRET));

    // Another organization cannot claim the domain.
    let grace = server.sign_up("Globex", "grace@globex.io").await;
    let (status, refused) = configure(&grace, config(&idp, &[])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["error"]["fields"]["email_domains"]
        .as_str()
        .unwrap()
        .contains("another organization"));

    // Someone who may change the organization but not hold Admin cannot
    // hand Admin out through the provider.
    let role = ada
        .create_role(
            "Org settings",
            &["accounts.retrieve", "accounts.update", "roles.retrieve"],
        )
        .await;
    let kim = ada.add_person("kim@acme.io", &[&role]).await;
    let (status, _) = configure(&kim, config(&idp, &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        kim.delete("/organization/sso").await.0,
        StatusCode::NO_CONTENT,
        "removing gives nothing"
    );
    let (_, trail) = ada.get("/audit-events").await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"organization.sso_updated")
            && actions.contains(&"organization.sso_removed")
    );
}
