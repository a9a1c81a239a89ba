//! Mail (docs/api.md, "Signals out"): with `--smtp-url`, a key about to
//! expire is mailed to each person holding service-accounts.update, through
//! a real SMTP server.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestServer;
use crate::mail_server::MailServer;

#[tokio::test]
async fn a_key_about_to_expire_is_mailed_to_each_person_who_manages_keys_and_no_one_else() {
    let mail = MailServer::start(&[]).await;
    let port = mail.port;
    let server = TestServer::start_with(
        move |c| {
            c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
            c.mail_from = Some("keydesk <keydesk@acme.io>".into());
            c.expiry_check_every = Duration::from_millis(50);
        },
        None,
    )
    .await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    ada.add_person("dev@acme.io", &["developer"]).await;
    let (status, _) = ada
        .post(
            "/users",
            json!({"name": "Vi Ewer", "email": "viewer@acme.io", "role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, key) = ada
        .post(
            "/api-keys",
            json!({"name": "Billing_Reader", "role_ids": ["billing-reader"], "expires_in_days": 5}),
        )
        .await;
    ada.generate(key["id"].as_str().unwrap()).await;

    let got = mail.wait_for(2).await;
    let to = |m: &str| {
        m.lines()
            .find(|l| l.starts_with("To: "))
            .unwrap_or_default()
            .to_string()
    };
    let mut recipients: Vec<String> = got.iter().map(|m| to(m)).collect();
    recipients.sort();
    assert!(recipients[0].contains("<ada@acme.io>"), "{recipients:?}");
    assert!(recipients[1].contains("<dev@acme.io>"), "{recipients:?}");
    for m in &got {
        assert!(
            m.contains("Subject: [keydesk] API key Billing_Reader expires in 7 days"),
            "{m}"
        );
        assert!(m.contains("From: keydesk <keydesk@acme.io>"), "{m}");
        assert!(m.contains("/api-keys"), "{m}");
    }
    // A second event's mails come after the first's are all sent: had the
    // viewer been mailed the first, it would be among these.
    server
        .clock
        .advance(time::Duration::days(4) + time::Duration::hours(12));
    let got = mail.wait_for(4).await;
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|m| !m.contains("viewer@acme.io")));
    assert_eq!(
        got.iter()
            .filter(|m| m.contains("expires in 1 day"))
            .count(),
        2
    );
}
