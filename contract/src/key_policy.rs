//! Key policy (docs/api.md, "Key policy and expiry"): whether keys must
//! expire, how long a secret may live, the lifetime new secrets get by
//! default, and when keys outside a tightened policy stop working. The
//! lifetime belongs to the secret: regenerating a key renews it.

use serde::{Deserialize, Serialize};

use crate::types::{FieldErrors, NamedRef};

/// The longest lifetime any policy allows, in days.
pub const LIFETIME_MAX_DAYS: u32 = 3650;
/// How long keys outside a tightened policy keep working, by default.
pub const DEFAULT_NOTICE_DAYS: i64 = 14;

/// `GET /organization/key-policy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct KeyPolicy {
    pub require_expiry: bool,
    #[serde(default)]
    pub max_lifetime_days: Option<u32>,
    #[serde(default)]
    pub default_lifetime_days: Option<u32>,
    /// From when keys outside the policy answer 401 (null: no policy yet).
    #[serde(default)]
    pub enforce_from: Option<String>,
}

/// `PUT /organization/key-policy` and its preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct KeyPolicyRequest {
    #[serde(default)]
    pub require_expiry: bool,
    #[serde(default)]
    pub max_lifetime_days: Option<u32>,
    #[serde(default)]
    pub default_lifetime_days: Option<u32>,
    /// Default: 14 days after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_from: Option<String>,
}

crate::wire::wire_enum! {
    /// Why a key is outside the policy.
    pub enum ViolationReason {
        /// It never expires, and the policy requires an expiry.
        NoExpiry = "no_expiry",
        /// Its secret lives longer than the policy allows.
        TooLong = "too_long",
    }
}

/// On a key outside the policy: why, and from when it stops working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct PolicyViolation {
    pub reason: ViolationReason,
    #[serde(default)]
    pub enforce_from: Option<String>,
}

/// One key a policy change affects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct PreviewItem {
    pub api_key: NamedRef,
    #[serde(default)]
    pub expires_at: Option<String>,
    pub reason: ViolationReason,
    pub requests_last_7_days: u64,
}

/// `POST /organization/key-policy/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct KeyPolicyPreview {
    pub total: u64,
    pub items: Vec<PreviewItem>,
}

/// A policy as asked, field by field.
pub fn validate(req: &KeyPolicyRequest) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    let in_range = |d: Option<u32>| d.is_none_or(|d| (1..=LIFETIME_MAX_DAYS).contains(&d));
    if !in_range(req.max_lifetime_days) {
        e.insert(
            "max_lifetime_days".into(),
            format!("A lifetime is 1 to {LIFETIME_MAX_DAYS} days."),
        );
    }
    if !in_range(req.default_lifetime_days) {
        e.insert(
            "default_lifetime_days".into(),
            format!("A lifetime is 1 to {LIFETIME_MAX_DAYS} days."),
        );
    }
    if let (Some(d), Some(m)) = (req.default_lifetime_days, req.max_lifetime_days) {
        if d > m {
            e.insert(
                "default_lifetime_days".into(),
                "The default lifetime cannot exceed the maximum.".into(),
            );
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

/// Why a secret born at `born` (unix seconds) and expiring at `expires`
/// (unix seconds, or never) is outside `policy`, if it is.
pub fn violation(
    require_expiry: bool,
    max_lifetime_days: Option<u32>,
    born: i64,
    expires: Option<i64>,
) -> Option<ViolationReason> {
    match (expires, max_lifetime_days) {
        (None, Some(_)) => Some(ViolationReason::NoExpiry),
        (None, None) if require_expiry => Some(ViolationReason::NoExpiry),
        (Some(e), Some(max)) if e - born > i64::from(max) * 86_400 + 60 => {
            Some(ViolationReason::TooLong)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_outside_the_policy_without_an_expiry_or_living_too_long() {
        let day = 86_400;
        assert_eq!(
            violation(true, None, 0, None),
            Some(ViolationReason::NoExpiry)
        );
        assert_eq!(
            violation(false, Some(90), 0, None),
            Some(ViolationReason::NoExpiry),
            "a maximum implies an expiry"
        );
        assert_eq!(violation(false, None, 0, None), None);
        assert_eq!(violation(true, Some(90), 0, Some(90 * day)), None);
        assert_eq!(
            violation(true, Some(90), 0, Some(91 * day)),
            Some(ViolationReason::TooLong)
        );
    }

    #[test]
    fn a_policy_names_lifetimes_out_of_range_and_a_default_above_the_maximum() {
        let e = validate(&KeyPolicyRequest {
            require_expiry: true,
            max_lifetime_days: Some(0),
            default_lifetime_days: Some(4000),
            enforce_from: None,
        })
        .unwrap_err();
        assert!(e.contains_key("max_lifetime_days") && e.contains_key("default_lifetime_days"));
        let e = validate(&KeyPolicyRequest {
            max_lifetime_days: Some(30),
            default_lifetime_days: Some(90),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e["default_lifetime_days"].contains("exceed"));
    }
}
