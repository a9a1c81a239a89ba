//! Escalation checks are made on a read of the key; the write refuses to go
//! ahead if the key's roles changed in between (a concurrent edit).

use keydesk_contract::types::{ApiKey, RoleRef};
use keydesk_contract::validation::ValidKeyChange;
use keydesk_server::storage::{Storage, Written};

use crate::harness::TestServer;

#[tokio::test]
async fn a_change_decided_on_stale_roles_is_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let key = ada.create_key("Billing_Reader", &["billing-reader"]).await;
    let storage = Storage::open(&server.database_url).await.unwrap();
    let caller = storage
        .caller_for_user(&ada.me().await.user.id)
        .await
        .unwrap()
        .unwrap();

    // What a slower request read before someone made the key an Admin key.
    let stale = ApiKey {
        roles: vec![RoleRef {
            id: "document-viewer".into(),
            name: "Document Viewer".into(),
        }],
        ..key.clone()
    };
    let change = ValidKeyChange {
        description: Some("mine".into()),
        ..Default::default()
    };
    assert!(matches!(
        storage.update_key(&caller, &stale, &change).await.unwrap(),
        Written::Changed
    ));
    let secret = keydesk_contract::key_format::generate(&mut rand::rngs::OsRng);
    assert!(matches!(
        storage
            .replace_secret(&caller, &stale, &secret, 0)
            .await
            .unwrap(),
        Written::Changed
    ));

    // Nothing was written.
    let now = storage
        .get_key(&caller.organization.id, &key.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.description, "");
    assert_eq!(now.display_prefix, None);

    // On a fresh read it goes through.
    assert!(matches!(
        storage.update_key(&caller, &now, &change).await.unwrap(),
        Written::Done(_)
    ));
    server.stop().await;
}
