//! A change decided on a stale copy of a key (another change of any field
//! landed in between) is refused with 409, never silently undone: inside the
//! server (checks made on a read, write guarded by the version read) and
//! between people (`If-Match` with the version their screen showed).

use keydesk_contract::types::ApiKey;
use keydesk_contract::validation::ValidKeyChange;
use keydesk_server::storage::Outcome;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{code, TestServer};

#[tokio::test]
async fn a_write_decided_on_an_older_version_is_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let storage = server.storage().clone();
    let caller = storage
        .identity_for_user(&ada.me().await.user.id, false)
        .await
        .unwrap()
        .unwrap();

    // What a slower request read, before someone made the key an Admin key.
    let stale: ApiKey = key.clone();
    let (status, body) = ada
        .patch(
            &format!("/api-keys/{}", key.id),
            json!({"role_ids": ["admin"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let change = ValidKeyChange {
        description: Some("mine".into()),
        ..Default::default()
    };
    assert!(matches!(
        storage
            .update_key(caller.author(), &stale, &change)
            .await
            .unwrap(),
        Outcome::Changed
    ));
    let secret = keydesk_contract::key_format::generate(&mut rand::rngs::OsRng);
    assert!(matches!(
        storage
            .replace_secret(caller.author(), &stale, &secret, 0, None)
            .await
            .unwrap(),
        Outcome::Changed
    ));
    assert!(matches!(
        storage.delete_key(caller.author(), &stale).await.unwrap(),
        Outcome::Changed
    ));
    for disabled in [true, false] {
        let stale = ApiKey {
            status: if disabled {
                keydesk_contract::types::ApiKeyStatus::NotGenerated
            } else {
                keydesk_contract::types::ApiKeyStatus::Disabled
            },
            ..stale.clone()
        };
        assert!(
            matches!(
                storage
                    .set_key_disabled(caller.author(), &stale, disabled)
                    .await
                    .unwrap(),
                Outcome::Changed
            ),
            "switching {} on a stale read",
            if disabled { "off" } else { "on" }
        );
    }

    // Nothing was written, and the key is still the Admin key.
    let now = storage
        .get_key(&caller.organization.id, &key.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.description, "");
    assert_eq!(now.display_prefix, None);
    assert_eq!(now.roles[0].id, "admin");

    // On a fresh read it goes through, and the version moves on.
    let Outcome::Done(done) = storage
        .update_key(caller.author(), &now, &change)
        .await
        .unwrap()
    else {
        panic!("a change on the current version is written");
    };
    assert_eq!(done.version, now.version + 1);
}

#[tokio::test]
async fn an_edit_made_on_a_screen_showing_an_older_version_answers_409() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let url = format!("{}/api/v1/api-keys/{}", server.base, key.id);

    // Someone else renames it while Ada's edit dialog is open.
    let (status, _) = ada
        .patch(
            &format!("/api-keys/{}", key.id),
            json!({"name": "Billing_Reporter"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Ada saves a description, made conditional on the version she saw.
    let res = ada
        .http
        .patch(&url)
        .header("X-Requested-With", "keydesk")
        .header("If-Match", format!("\"{}\"", key.version))
        .json(&json!({"name": "Billing_Reader", "description": "Reads invoices"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(code(&res.json().await.unwrap()), "conflict");
    let (_, now) = ada.get(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(
        now["name"], "Billing_Reporter",
        "the other edit is not undone"
    );
    assert_eq!(now["description"], "");

    // With the current version it goes through; nonsense is a 400.
    let version = now["version"].as_u64().unwrap();
    let res = ada
        .http
        .patch(&url)
        .header("X-Requested-With", "keydesk")
        .header("If-Match", format!("\"{version}\""))
        .json(&json!({"description": "Reads invoices"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = ada
        .http
        .delete(&url)
        .header("X-Requested-With", "keydesk")
        .header("If-Match", "\"banana\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
