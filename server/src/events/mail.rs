//! Mail (`--smtp-url`, `--mail-from`): the events people must hear about
//! (a key about to expire, reported leaked, a decoy used) mailed to every
//! active person holding `service-accounts.update` when it is sent, one
//! message each (no one sees who else got it). TLS as the URL says:
//! `smtps://` (TLS), `smtp://…?tls=required` (STARTTLS), plain `smtp://`
//! only for a relay on the same host.

use std::time::Duration;

use keydesk_contract::events::{
    API_KEY_DECOY_USED, API_KEY_EXPIRING, API_KEY_LEAKED, RETRY_AFTER_SECONDS,
};
use keydesk_contract::permissions;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::UserStatus;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;

use crate::storage::{MailToSend, Storage};

const LEASE_SECONDS: i64 = 120;
const POLL: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Mailer {
    storage: Storage,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// A mailer for `smtp_url`, sending as `from`; errors name what is wrong.
    pub fn new(
        storage: Storage,
        smtp_url: &str,
        from: &str,
        public_url: &str,
    ) -> Result<Mailer, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("--mail-from {from:?} is not a mail address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                format!(
                    "--smtp-url {} is not an SMTP URL (smtps://, or smtp://…?tls=required): {e}",
                    crate::config::redact_url(smtp_url)
                )
            })?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Ok(Mailer {
            storage,
            transport,
            from,
            public_url: public_url.to_string(),
        })
    }

    /// Runs until the storage closes.
    pub fn spawn(self) {
        tokio::spawn(async move {
            let queued = self.storage.mail_queued();
            loop {
                if self.storage.is_closed() {
                    return;
                }
                match self.storage.claim_mail(LEASE_SECONDS, 8).await {
                    Ok(claimed) if !claimed.is_empty() => {
                        for mail in &claimed {
                            let outcome = self.send(mail).await;
                            if let Err(e) = self.storage.settle_mail(mail, outcome).await {
                                tracing::warn!(error = %e, "could not record a mail");
                            }
                        }
                        continue;
                    }
                    Ok(_) => {}
                    Err(_) if self.storage.is_closed() => return,
                    Err(e) => tracing::warn!(error = %e, "could not take mail to send"),
                }
                tokio::select! {
                    _ = queued.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
    }

    /// Sends one event's mail to each person who should get it: how many,
    /// or when to try again (none: never, the server refused for good).
    async fn send(&self, mail: &MailToSend) -> Result<u32, Option<i64>> {
        let retry = || {
            RETRY_AFTER_SECONDS
                .get(usize::try_from(mail.attempt).unwrap_or(usize::MAX))
                .copied()
        };
        let recipients = match self.recipients(&mail.organization_id).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "could not look up who to mail");
                return Err(retry());
            }
        };
        let event: Value = serde_json::from_str(&mail.body).unwrap_or_default();
        let (subject, text) = compose(&event, &mail.organization_name, &self.public_url);
        let mut sent = 0;
        for to in recipients {
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(subject.clone())
                .header(ContentType::TEXT_PLAIN)
                .body(text.clone());
            let Ok(message) = message else { continue };
            if let Err(e) = self.transport.send(message).await {
                tracing::warn!(error = %e, "could not send a mail");
                return Err(if e.is_permanent() { None } else { retry() });
            }
            sent += 1;
        }
        Ok(sent)
    }

    async fn recipients(&self, organization_id: &str) -> Result<Vec<Mailbox>, sqlx::Error> {
        let book = self.storage.role_book(organization_id).await?;
        let people = self
            .storage
            .list_users(organization_id, Some(UserStatus::Active))
            .await?;
        Ok(people
            .into_iter()
            .filter(|p| {
                book.union_of(p.roles.iter().map(|r| r.id.as_str()))
                    .contains(permissions::SERVICE_ACCOUNTS_UPDATE)
            })
            .filter_map(|p| format!("{} <{}>", p.name, p.email).parse().ok())
            .collect())
    }
}

/// The subject and plain text of an event's mail.
pub fn compose(event: &Value, organization: &str, public_url: &str) -> (String, String) {
    let data = &event["data"];
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let key = text(&data["api_key"]["name"]);
    let keys_url = format!("{public_url}/api-keys");
    match event["type"].as_str().unwrap_or_default() {
        API_KEY_EXPIRING => {
            let days = data["days"].as_i64().unwrap_or(0);
            let when = if days == 1 {
                "1 day".to_string()
            } else {
                format!("{days} days")
            };
            let last_used = data["last_used_at"]
                .as_str()
                .map_or("never".to_string(), str::to_string);
            (
                format!("[keydesk] API key {key} expires in {when}"),
                format!(
                    "The API key {key} of {organization} expires at {} (within {when}).\n\
                     Last used: {last_used}. Requests in the last 7 days: {}.\n\n\
                     If a system still uses it, regenerate it and give the system the new secret before then:\n{keys_url}\n",
                    text(&data["expires_at"]),
                    data["requests_last_7_days"].as_u64().unwrap_or(0),
                ),
            )
        }
        API_KEY_LEAKED => (
            format!("[keydesk] API key {key} was reported leaked and is disabled"),
            format!(
                "Someone reported the secret of the API key {key} of {organization} as leaked, so keydesk disabled the key.\n\
                 Systems using it are refused until you regenerate it and give them the new secret:\n{keys_url}\n"
            ),
        ),
        API_KEY_DECOY_USED => (
            format!("[keydesk] Decoy key {key} was used"),
            format!(
                "The decoy key {key} of {organization} was used from {} ({}). A decoy is never given to a system: \
                 whoever used it found it where it was planted.\n{keys_url}\n",
                text(&data["address"]),
                text(&data["user_agent"]),
            ),
        ),
        other => (
            format!("[keydesk] {other}"),
            format!("{other} in {organization}.\n{keys_url}\n"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiring_key_mail_says_which_key_when_and_where_to_act() {
        let event = serde_json::json!({"type": "api_key.expiring", "data": {
            "api_key": {"id": "key_1", "name": "Billing_Reader"}, "days": 7,
            "expires_at": "2026-12-07T10:00:00.000000Z", "last_used_at": null, "requests_last_7_days": 12}});
        let (subject, text) = compose(&event, "Acme", "https://keys.acme.io");
        assert_eq!(
            subject,
            "[keydesk] API key Billing_Reader expires in 7 days"
        );
        assert!(text.contains("2026-12-07T10:00:00.000000Z"), "{text}");
        assert!(text.contains("Last used: never"), "{text}");
        assert!(text.contains("Requests in the last 7 days: 12"), "{text}");
        assert!(text.contains("https://keys.acme.io/api-keys"), "{text}");
    }
}
