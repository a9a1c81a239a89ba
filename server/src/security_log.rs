//! Security events: every refused authentication or authorization is one
//! structured log line under the target `keydesk::security`, with what was
//! refused, why, the organization and actor when known, and the client
//! address. Never a secret, a password or a session token: callers pass
//! only ids, names and fixed reasons.

use keydesk_contract::types::{Actor, ActorKind};
use std::net::IpAddr;

/// What kind of refusal this was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    SignInFailed,
    SignInThrottled,
    SignUpThrottled,
    InvalidKey,
    Csrf,
    Forbidden,
    Escalation,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::SignInFailed => "sign_in_failed",
            Refused::SignInThrottled => "sign_in_throttled",
            Refused::SignUpThrottled => "sign_up_throttled",
            Refused::InvalidKey => "invalid_key",
            Refused::Csrf => "csrf",
            Refused::Forbidden => "forbidden",
            Refused::Escalation => "escalation",
        }
    }
}

/// Who was refused, as far as known.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who<'a> {
    pub organization: Option<&'a str>,
    pub actor: Option<&'a Actor>,
}

pub fn refused(event: Refused, reason: &str, who: Who<'_>, client: IpAddr) {
    let (actor_type, actor_id) = match who.actor {
        Some(a) => (
            match a.kind {
                ActorKind::User => "user",
                ActorKind::ApiKey => "api_key",
            },
            a.id.as_str(),
        ),
        None => ("-", "-"),
    };
    tracing::warn!(
        target: "keydesk::security",
        event = event.as_str(),
        reason,
        organization = who.organization.unwrap_or("-"),
        actor_type,
        actor_id,
        client = %client,
        "refused"
    );
}
