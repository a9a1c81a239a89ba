//! Event destinations (docs/api.md, "Signals out"): where an organization's
//! events go as signed webhooks, which events, and the log of each delivery.

use serde::{Deserialize, Serialize};

use crate::types::FieldErrors;

/// A key expires within 30, 7 or 1 days (once per key and threshold).
pub const API_KEY_EXPIRING: &str = "api_key.expiring";
/// Something called with an expired secret (at most once a day per key).
pub const API_KEY_EXPIRED_BUT_USED: &str = "api_key.expired_but_used";
/// A secret was reported leaked; its key is disabled (also an audit action).
pub const API_KEY_LEAKED: &str = "api_key.leaked";
/// A decoy key's secret was used (also an audit action).
pub const API_KEY_DECOY_USED: &str = "api_key.decoy_used";
/// A key was used from outside its allowed networks (also an audit action).
pub const API_KEY_NETWORK_REFUSED: &str = "api_key.network_refused";
/// Sent by *Send test event*.
pub const PING: &str = "ping";
/// Every event type besides the audit actions ([`crate::audit::ACTIONS`]).
pub const SIGNALS: &[&str] = &[API_KEY_EXPIRING, API_KEY_EXPIRED_BUT_USED];
/// `events: ["*"]`: every event.
pub const EVERY_EVENT: &str = "*";

/// The days before expiry at which `api_key.expiring` is sent.
pub const EXPIRING_THRESHOLDS_DAYS: [i64; 3] = [30, 7, 1];

/// How long after the first attempt each retry waits (api.md): 5 s, 5 min,
/// 30 min, 2 h, 5 h, 10 h, 10 h; after the last, the delivery has failed.
pub const RETRY_AFTER_SECONDS: [i64; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];

pub const URL_MAX_CHARS: usize = 2048;
pub const DESCRIPTION_MAX_CHARS: usize = 500;

/// One destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Destination {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Event types, or `["*"]` for every event.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why it was switched off (by a person, or by an answer 410).
    #[serde(default)]
    pub disabled_reason: Option<String>,
    pub created_at: String,
}

/// `POST /event-destinations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct CreateDestination {
    pub url: String,
    #[serde(default)]
    pub description: String,
    pub events: Vec<String>,
}

/// `201` to `POST /event-destinations`: the signing secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct CreatedDestination {
    pub destination: Destination,
    pub signing_secret: String,
}

/// `PATCH /event-destinations/{id}`: only what is set changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct UpdateDestination {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `POST /event-destinations/{id}/rotate-secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct RotatedSecret {
    pub signing_secret: String,
}

/// `POST /event-destinations/{id}/replay`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Replay {
    /// RFC 3339: every event at or after it is sent again.
    pub since: String,
}

crate::wire::wire_enum! {
    /// Where a delivery stands.
    pub enum DeliveryStatus {
        /// Not yet accepted; `next_attempt_at` says when it is tried.
        Pending = "pending",
        /// The destination answered 2xx.
        Delivered = "delivered",
        /// Refused (4xx), or every retry spent.
        Failed = "failed",
    }
}

/// One event sent (or to be sent) to one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// Attempts made so far.
    pub attempt: u32,
    pub status: DeliveryStatus,
    /// The last attempt's HTTP status (none: no answer, or not tried yet).
    #[serde(default)]
    pub response_status: Option<u16>,
    /// When it was last tried (or queued).
    pub at: String,
    #[serde(default)]
    pub next_attempt_at: Option<String>,
}

/// `GET /event-destinations/{id}/deliveries`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Whether `event_type` is one a destination may pick.
pub fn is_known(event_type: &str) -> bool {
    event_type == EVERY_EVENT
        || SIGNALS.contains(&event_type)
        || crate::audit::ACTIONS.contains(&event_type)
}

/// Whether a destination listening to `events` gets `event_type` (a
/// `ping` goes only where it is sent, never by subscription).
pub fn wants(events: &[String], event_type: &str) -> bool {
    event_type != PING && events.iter().any(|e| e == EVERY_EVENT || e == event_type)
}

/// The fields of a new destination, or one message per wrong field. The
/// URL's scheme and where it resolves are the server's to judge.
pub fn validate(url: &str, description: &str, events: &[String]) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if let Some(message) = url_problem(url) {
        e.insert("url".into(), message);
    }
    if description.chars().count() > DESCRIPTION_MAX_CHARS {
        e.insert(
            "description".into(),
            format!("At most {DESCRIPTION_MAX_CHARS} characters."),
        );
    }
    if let Some(message) = events_problem(events) {
        e.insert("events".into(), message);
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

/// What is wrong with a destination URL on its face, if anything.
pub fn url_problem(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return Some("Enter the URL events are sent to.".into());
    }
    if url.chars().count() > URL_MAX_CHARS {
        return Some(format!("At most {URL_MAX_CHARS} characters."));
    }
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Some("Enter an https:// URL.".into());
    }
    if url.contains(char::is_whitespace) {
        return Some("A URL has no spaces.".into());
    }
    None
}

/// What is wrong with a list of event types, if anything.
pub fn events_problem(events: &[String]) -> Option<String> {
    if events.is_empty() {
        return Some("Pick at least one event.".into());
    }
    events
        .iter()
        .find(|e| !is_known(e))
        .map(|unknown| format!("{unknown} is not an event keydesk sends."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_action_and_signal_is_known_and_nothing_else() {
        assert!(is_known("api_key.created"));
        assert!(is_known("api_key.expiring"));
        assert!(is_known("*"));
        assert!(!is_known("api_key.creatd"));
        assert!(
            !is_known(PING),
            "a ping is sent on request, not subscribed to"
        );
    }

    #[test]
    fn a_destination_gets_what_it_listens_to_and_pings_only_on_request() {
        let some = vec!["api_key.created".to_string()];
        assert!(wants(&some, "api_key.created"));
        assert!(!wants(&some, "api_key.deleted"));
        assert!(wants(&["*".to_string()], "user.signed_in"));
        assert!(!wants(&["*".to_string()], PING));
    }

    #[test]
    fn bad_fields_are_named() {
        let e = validate("ftp://x", &"d".repeat(501), &[]).unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(validate("https://hooks.example.com/x", "", &["*".into()]).is_ok());
        assert!(validate("https://x", "", &["nope".into()])
            .unwrap_err()
            .contains_key("events"));
    }
}
