//! Several keydesk replicas on one PostgreSQL behave as one server: a
//! session made on one works on the others, and a key changed through one is
//! honoured by the others on the very next request, although each remembers
//! recent key checks. Needs the test cluster of `scripts/with-postgres`:
//!   scripts/with-postgres cargo test -p keydesk-server --test replicas -- --include-ignored

#[allow(dead_code)]
#[path = "api/harness.rs"]
mod harness;

#[allow(dead_code)]
#[path = "api/authenticator.rs"]
mod authenticator;

#[allow(dead_code)]
#[path = "api/identity_provider.rs"]
mod identity_provider;

use harness::TestServer;
use reqwest::StatusCode;
use serde_json::json;

const NEEDS: &str = "needs PostgreSQL: run through scripts/with-postgres";

/// Replica A on a fresh database, and replica B on the same one.
async fn two_replicas() -> (TestServer, TestServer) {
    assert!(harness::on_postgres(), "{NEEDS}");
    let a = TestServer::start().await;
    let url = a.database_url.clone();
    let b = TestServer::start_with(|c| c.database_url = url, None).await;
    (a, b)
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn a_second_step_begun_on_one_replica_finishes_on_another_and_a_spent_code_stays_spent() {
    use keydesk_server::auth::totp::{code_at_step, step_at, TotpSecret, DIGITS};
    use keydesk_server::clock::Clock;
    assert!(harness::on_postgres(), "{NEEDS}");
    // Replicas behind one address share one public URL (the relying party).
    let public = "http://localhost:7443";
    let a = TestServer::start_with(|c| c.public_url = Some(public.into()), None).await;
    let url = a.database_url.clone();
    let b = TestServer::start_with(
        |c| {
            c.database_url = url;
            c.public_url = Some(public.into());
        },
        None,
    )
    .await;
    let ada = a.sign_up("Acme", "ada@acme.io").await;

    // An app set up through A, its code checked by B.
    let (_, begun) = ada
        .post("/me/totp", json!({"password": harness::PASSWORD}))
        .await;
    let secret = TotpSecret::from_base32(begun["secret"].as_str().unwrap()).unwrap();
    let code = |steps: i64| {
        let now = a.clock.now().unix_timestamp();
        code_at_step(&secret, step_at(now) + steps, DIGITS)
    };
    let (status, _) = ada
        .to(&b)
        .post("/me/totp/confirm", json!({"code": code(0)}))
        .await;
    assert_eq!(status, StatusCode::OK);
    a.clock.advance(time::Duration::seconds(30));
    b.clock.advance(time::Duration::seconds(30));
    let browser = a.person();
    let (_, pending) = browser.sign_in("ada@acme.io", harness::PASSWORD).await;
    assert_eq!(pending["second_factor_required"], true);
    let next = code(0);
    let (status, me) = browser
        .to(&b)
        .post("/auth/second-factor", json!({"code": next}))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let other = b.person();
    other.sign_in("ada@acme.io", harness::PASSWORD).await;
    let (status, _) = other
        .to(&a)
        .post("/auth/second-factor", json!({"code": next}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "spent on B, refused by A");

    // A passkey ceremony begun on one replica is finished on the other.
    let mut laptop = authenticator::Authenticator::new();
    let (_, options) = ada.post("/me/passkeys/challenge", json!({})).await;
    let credential = laptop.create(&options["publicKey"], public);
    let (status, body) = ada
        .to(&b)
        .post(
            "/me/passkeys",
            json!({"name": "Laptop", "credential": credential}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let browser = b.person();
    let (_, options) = browser.post("/auth/passkey/challenge", json!({})).await;
    let assertion = laptop.get(&options["publicKey"], public);
    let (status, _) = browser
        .to(&a)
        .post("/auth/passkey", json!({"assertion": assertion}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = b
        .person()
        .post("/auth/passkey", json!({"assertion": assertion}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a challenge is answered once"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn a_single_sign_on_begun_on_one_replica_finishes_on_another() {
    use identity_provider::{browser, follow, log_in_at_provider, IdentityProvider};
    assert!(harness::on_postgres(), "{NEEDS}");
    // Both replicas behind one public address; the test reaches each directly.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}");
    let a = TestServer::start_with(
        |c| {
            c.listen = format!("127.0.0.1:{port}");
            c.public_url = Some(public.clone());
        },
        None,
    )
    .await;
    let url = a.database_url.clone();
    let b = TestServer::start_with(
        |c| {
            c.database_url = url;
            c.public_url = Some(public.clone());
        },
        None,
    )
    .await;
    let idp = IdentityProvider::start(&format!("{public}/api/v1/auth/sso/callback"));
    let ada = a.sign_up("Acme", "ada@acme.io").await;
    let (status, body) = ada
        .call(
            reqwest::Method::PUT,
            "/organization/sso",
            Some(
                json!({"issuer": idp.issuer, "client_id": identity_provider::CLIENT_ID,
                "client_secret": identity_provider::CLIENT_SECRET, "email_domains": ["acme.io"],
                "default_role_ids": ["developer"]}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    idp.account(json!({"sub": "eve-1", "email": "eve@acme.io", "email_verified": true}))
        .await;
    let eve = browser();
    let (form, _) = follow(
        &eve,
        format!("{}/api/v1/auth/sso/start?email=eve@acme.io", a.base),
        None,
    )
    .await;
    let callback = log_in_at_provider(&eve, &form, "eve-1").await;
    // The provider sends Eve back to the public address; replica B answers.
    let on_b = callback.replace(&public, &b.base);
    let res = eve.get(&on_b).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "/api-keys");
    let me = eve
        .get(format!("{}/api/v1/me", a.base))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK, "the session works on A too");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn a_key_policy_set_through_one_replica_is_enforced_by_another_from_its_date() {
    let (a, b) = two_replicas().await;
    let ada = a.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Forever_Key", &["billing-reader"]).await;
    let secret = ada.generate(&key.id).await.secret;
    let on_b = b.system(&secret);
    assert_eq!(
        on_b.get("/whoami").await.0,
        StatusCode::OK,
        "B remembers the key"
    );
    let (status, _) = ada
        .call(
            reqwest::Method::PUT,
            "/organization/key-policy",
            Some(json!({"require_expiry": true, "default_lifetime_days": 30})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        on_b.get("/whoami").await.0,
        StatusCode::OK,
        "announced, not yet enforced"
    );
    for replica in [&a, &b] {
        replica
            .clock
            .advance(time::Duration::days(14) + time::Duration::seconds(1));
    }
    assert_eq!(
        on_b.get("/whoami").await.0,
        StatusCode::UNAUTHORIZED,
        "B enforces it"
    );
    assert_eq!(
        a.system(&secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn a_session_made_on_one_replica_works_on_another() {
    let (a, b) = two_replicas().await;
    let ada = a.sign_up("Acme", "ada@acme.io").await;
    let on_b = ada.to(&b);
    let (status, me) = on_b.get("/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["email"], "ada@acme.io");
    // A write through B, read back through A.
    let key = on_b.create_key("Billing_Reader", &["billing-reader"]).await;
    assert_eq!(
        ada.get(&format!("/api-keys/{}", key.id)).await.0,
        StatusCode::OK
    );
    // Signing out on B ends the session on A too.
    assert_eq!(
        on_b.post("/auth/sign-out", json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(ada.get("/me").await.0, StatusCode::UNAUTHORIZED);
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn a_key_changed_through_one_replica_is_honoured_by_another_at_once() {
    let (a, b) = two_replicas().await;
    let ada = a.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;

    // Ten rounds, each with a fresh secret that B has just remembered.
    for round in 0..10 {
        let secret = ada.generate(&key.id).await.secret;
        let on_b = b.system(&secret);
        for _ in 0..2 {
            assert_eq!(on_b.get("/whoami").await.0, StatusCode::OK, "round {round}");
        }
        // Regenerated through A: B refuses the old secret on its next request.
        let next = ada.generate(&key.id).await.secret;
        assert_eq!(
            on_b.get("/whoami").await.0,
            StatusCode::UNAUTHORIZED,
            "round {round}"
        );
        assert_eq!(b.system(&next).get("/whoami").await.0, StatusCode::OK);
    }

    // A role the key holds is edited through A: B answers with the new permissions.
    let secret = ada.generate(&key.id).await.secret;
    let on_b = b.system(&secret);
    let (_, role) = ada
        .post(
            "/roles",
            json!({"name": "Narrow", "permissions": ["documents.retrieve"]}),
        )
        .await;
    let role_id = role["id"].as_str().unwrap();
    let (status, _) = ada
        .patch(
            &format!("/api-keys/{}", key.id),
            json!({"role_ids": [role_id]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        on_b.get("/whoami").await.1["permissions"],
        json!(["documents.retrieve"])
    );
    ada.patch(
        &format!("/roles/{role_id}"),
        json!({"permissions": ["renders.retrieve"]}),
    )
    .await;
    assert_eq!(
        on_b.get("/whoami").await.1["permissions"],
        json!(["renders.retrieve"])
    );

    // Disabled through A: refused by B; enabled again: answered by B.
    let path = format!("/api-keys/{}", key.id);
    assert_eq!(
        ada.post(&format!("{path}/disable"), json!({})).await.0,
        StatusCode::OK
    );
    assert_eq!(on_b.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        ada.post(&format!("{path}/enable"), json!({})).await.0,
        StatusCode::OK
    );
    assert_eq!(on_b.get("/whoami").await.0, StatusCode::OK);

    // Removed through A: refused by B.
    assert_eq!(
        ada.delete(&format!("/api-keys/{}", key.id)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(on_b.get("/whoami").await.0, StatusCode::UNAUTHORIZED);
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn replicas_starting_together_migrate_the_database_once() {
    assert!(harness::on_postgres(), "{NEEDS}");
    // A database made by a first server, then emptied.
    let first = TestServer::start().await;
    let url = first.database_url.clone();
    first.stop().await;
    let pool = harness::database(&url).await;
    sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        .execute(&pool)
        .await
        .unwrap();

    // Four replicas start at once on it.
    let starts = (0..4).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { TestServer::start_with(|c| c.database_url = url, None).await })
    });
    let mut servers = Vec::new();
    for start in starts {
        servers.push(start.await.expect("every replica starts"));
    }
    let applied: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT version, COUNT(*) FROM _sqlx_migrations GROUP BY version ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!applied.is_empty());
    assert!(
        applied.iter().all(|(_, n)| *n == 1),
        "each migration once: {applied:?}"
    );
    // And they all serve the same data.
    let ada = servers[0].sign_up("Acme", "ada@acme.io").await;
    for server in &servers {
        assert_eq!(ada.to(server).get("/me").await.0, StatusCode::OK);
    }
    pool.close().await;
    for server in servers {
        server.stop().await;
    }
}

/// A TCP hop between a server and PostgreSQL that can be cut, as a database
/// restart or a network failure cuts it: every connection through it drops
/// and new ones are closed at once until it is restored.
struct Hop {
    addr: std::net::SocketAddr,
    up: tokio::sync::watch::Sender<bool>,
}

impl Hop {
    async fn to(target: &str) -> Hop {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, watch) = tokio::sync::watch::channel(true);
        let target = target.to_string();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                let mut watch = watch.clone();
                if !*watch.borrow() {
                    continue; // dropped: the database is "down"
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = watch.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Hop { addr, up }
    }

    fn cut(&self) {
        self.up.send_replace(false);
    }

    fn restore(&self) {
        self.up.send_replace(true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn a_replica_answers_503_while_the_database_is_away_and_recovers_by_itself() {
    assert!(harness::on_postgres(), "{NEEDS}");
    let a = TestServer::start().await;
    // B reaches the same database through a hop the test can cut.
    let (scheme_user, rest) = a.database_url.split_once('@').unwrap();
    let (host_port, database) = rest.split_once('/').unwrap();
    let hop = Hop::to(host_port).await;
    let through_hop = format!("{scheme_user}@{}/{database}", hop.addr);
    let b = TestServer::start_with(|c| c.database_url = through_hop, None).await;
    let ada = b.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Renderer", &["document-viewer"]).await;
    let http = reqwest::Client::new();
    let ready = |server: &TestServer| {
        let request = http.get(format!("{}/readyz", server.base));
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(ready(&b).await, StatusCode::OK);

    hop.cut();
    assert_eq!(ready(&b).await, StatusCode::SERVICE_UNAVAILABLE);
    let res = ada.get_response(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    // A is not behind the hop: unaffected.
    assert_eq!(ready(&a).await, StatusCode::OK);

    // Back: B answers again, without a restart.
    hop.restore();
    assert_eq!(ready(&b).await, StatusCode::OK);
    let (status, read) = ada.get(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    // And it honours other replicas' changes at once.
    let secret = ada.generate(&key.id).await.secret;
    assert_eq!(b.system(&secret).get("/whoami").await.0, StatusCode::OK);
    ada.to(&a).generate(&key.id).await;
    assert_eq!(
        b.system(&secret).get("/whoami").await.0,
        StatusCode::UNAUTHORIZED
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn sign_in_attempts_count_on_every_replica() {
    let (a, b) = two_replicas().await;
    a.sign_up("Acme", "ada@acme.io").await;
    let wrong = json!({"email": "ada@acme.io", "password": "not the password at all"});
    // The pair's allowance, spent half on A and half on B.
    let limit = keydesk_server::auth::throttle::PAIR_LIMIT;
    for n in 0..limit {
        let replica = if n % 2 == 0 { &a } else { &b };
        let (status, _) = replica.person().post("/auth/sign-in", wrong.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    for replica in [&a, &b] {
        let (status, body) = replica.person().post("/auth/sign-in", wrong.clone()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run through scripts/with-postgres"]
async fn events_written_through_two_replicas_are_delivered_once_each_and_in_order() {
    use keydesk_server::webhook_receiver::Receiver;
    assert!(harness::on_postgres(), "{NEEDS}");
    let a = TestServer::start_with(|c| c.allow_private_destinations = true, None).await;
    let url = a.database_url.clone();
    let b = TestServer::start_with(
        |c| {
            c.database_url = url;
            c.allow_private_destinations = true;
        },
        None,
    )
    .await;
    let receiver = Receiver::start().await;
    let ada = a.sign_up("Acme", "ada@acme.io").await;
    let (status, created) = ada
        .post(
            "/event-destinations",
            json!({"url": receiver.url, "events": ["api_key.created"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["destination"]["id"].as_str().unwrap().to_string();
    let through_b = ada.to(&b);
    const KEYS: usize = 30;
    for n in 0..KEYS {
        let replica = if n % 2 == 0 { &ada } else { &through_b };
        replica
            .create_key(&format!("Key_{n:02}"), &["developer"])
            .await;
    }
    // Every delivery settled: any second send of one would have arrived by now.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, page) = ada
            .get(&format!("/event-destinations/{id}/deliveries?limit=100"))
            .await;
        let items = page["items"].as_array().unwrap();
        if items.len() == KEYS && items.iter().all(|d| d["status"] == "delivered") {
            assert!(items.iter().all(|d| d["attempt"] == 1), "{items:?}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{items:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = receiver.received();
    let names: Vec<String> = got
        .iter()
        .map(|r| {
            r.json["data"]["target"]["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: Vec<String> = (0..KEYS).map(|n| format!("Key_{n:02}")).collect();
    assert_eq!(names, expected, "each once, in the order written");
}
