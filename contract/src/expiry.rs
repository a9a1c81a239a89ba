//! Expiry warnings (docs/api.md, "Expiry and warnings"): keys that stop
//! working within a week, and expired keys something still calls.

use serde::{Deserialize, Serialize};

/// How far ahead the API Keys tab warns of an expiry, in days.
pub const WARN_DAYS: i64 = 7;

/// A key that expires soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ExpiringKey {
    pub id: String,
    pub name: String,
    pub expires_at: String,
}

/// An expired key something still called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ExpiredButUsed {
    pub id: String,
    pub name: String,
    pub expires_at: String,
    /// The last call with its expired secret, and where it came from.
    pub last_call_at: String,
    pub last_call_from: String,
}

/// `GET /api-keys/expiry-warnings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ExpiryWarnings {
    pub expiring_soon: Vec<ExpiringKey>,
    pub expired_but_used: Vec<ExpiredButUsed>,
}

impl ExpiryWarnings {
    pub fn is_empty(&self) -> bool {
        self.expiring_soon.is_empty() && self.expired_but_used.is_empty()
    }
}
