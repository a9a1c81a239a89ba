//! What the audit trail records, typed: the server writes an [`AuditAction`],
//! the web app reads the same type back from an event. On the wire it is the
//! event's `action` and `details` (`api.md`), unchanged. Detail fields default
//! when absent, so details hidden from a reader still read as their action;
//! an action this version does not know reads as [`AuditAction::Other`] and
//! is shown by its wire name.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A value before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "details")]
pub enum AuditAction {
    #[serde(rename = "organization.created")]
    OrganizationCreated {},
    #[serde(rename = "user.created")]
    UserCreated {
        #[serde(default)]
        email: String,
        #[serde(default)]
        role_ids: Vec<String>,
    },
    #[serde(rename = "user.signed_in")]
    UserSignedIn {
        #[serde(default)]
        client_address: Option<String>,
    },
    /// A person's account was locked for one address after repeated failures.
    #[serde(rename = "user.locked_out")]
    UserLockedOut {
        #[serde(default)]
        client_address: Option<String>,
    },
    #[serde(rename = "api_key.created")]
    ApiKeyCreated {
        #[serde(default)]
        name: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        role_ids: Vec<String>,
        #[serde(default)]
        expires_at: Option<String>,
    },
    /// Only what changed is set.
    #[serde(rename = "api_key.updated")]
    ApiKeyUpdated {
        #[serde(default)]
        name: Option<Change<String>>,
        #[serde(default)]
        description: Option<Change<String>>,
        #[serde(default)]
        role_ids: Option<Change<Vec<String>>>,
    },
    #[serde(rename = "api_key.generated")]
    ApiKeyGenerated {
        /// A secret existed before (regenerate) rather than none (generate).
        #[serde(default)]
        regenerated: bool,
        #[serde(default)]
        display_prefix: Option<String>,
        #[serde(default)]
        grace_period_seconds: u32,
    },
    #[serde(rename = "api_key.deleted")]
    ApiKeyDeleted {
        #[serde(default)]
        role_ids: Vec<String>,
    },
    /// An action this version does not know.
    #[serde(other)]
    Other,
}

impl AuditAction {
    /// The wire form: the event's `action` and `details`.
    pub fn to_parts(&self) -> (String, Value) {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        let action = v["action"].as_str().unwrap_or_default().to_string();
        let details = v
            .get_mut("details")
            .map(Value::take)
            .unwrap_or_else(|| json!({}));
        (action, details)
    }

    /// Reads an event's `action` and `details`; never fails.
    pub fn from_parts(action: &str, details: &Value) -> Self {
        serde_json::from_value(json!({ "action": action, "details": details }))
            .unwrap_or(AuditAction::Other)
    }
}

impl crate::types::AuditEvent {
    /// What happened, typed.
    pub fn what(&self) -> AuditAction {
        AuditAction::from_parts(&self.action, &self.details)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_round_trips_through_its_wire_form() {
        let edit = AuditAction::ApiKeyUpdated {
            name: Some(Change {
                from: "Billing".into(),
                to: "Billing_Reader".into(),
            }),
            description: None,
            role_ids: None,
        };
        let (action, details) = edit.to_parts();
        assert_eq!(action, "api_key.updated");
        assert_eq!(details["name"]["from"], "Billing");
        assert_eq!(AuditAction::from_parts(&action, &details), edit);
    }

    #[test]
    fn hidden_details_still_read_as_their_action_and_unknown_actions_as_other() {
        assert_eq!(
            AuditAction::from_parts("user.created", &json!({})),
            AuditAction::UserCreated {
                email: String::new(),
                role_ids: vec![]
            }
        );
        assert_eq!(
            AuditAction::from_parts("webhook.fired", &json!({"x": 1})),
            AuditAction::Other
        );
    }
}
