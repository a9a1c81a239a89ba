//! Guardrails on keys (docs/api.md, "Guardrails on keys"): leak reports
//! anyone may send.

use serde::{Deserialize, Serialize};

use crate::types::FieldErrors;

/// At most this many secrets in one report.
pub const REPORT_MAX_SECRETS: usize = 100;

/// `POST /leaked-keys`: secrets found where they should not be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct LeakReport {
    pub secrets: Vec<String>,
}

/// 1 to 100 secrets, each of a sane length (whatever they are: a report of
/// something that is not a keydesk secret is accepted and changes nothing).
pub fn validate_report(report: &LeakReport) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if report.secrets.is_empty() || report.secrets.len() > REPORT_MAX_SECRETS {
        e.insert(
            "secrets".into(),
            format!("Send 1 to {REPORT_MAX_SECRETS} secrets."),
        );
    } else if report.secrets.iter().any(|s| s.len() > 512) {
        e.insert(
            "secrets".into(),
            "A secret is at most 512 characters.".into(),
        );
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

/// A network a key was used from (a /24 or a /64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SeenNetwork {
    pub network: String,
    pub requests: u64,
    pub last_used_at: String,
}

/// `GET /api-keys/{id}/networks`: where the key was used from, most
/// requests first, and the allowlist that would cover it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct KeyNetworksSeen {
    pub seen: Vec<SeenNetwork>,
    pub suggested: Vec<String>,
}
