//! Single sign-on with OpenID Connect (docs/api.md, "Organization security
//! and single sign-on"): the organization's configuration as written and
//! read, its validation, and how a provider's claims map to roles.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::types::FieldErrors;

/// A claim's value (a string, or one of a list such as `groups`) that gives roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct RoleRule {
    pub claim: String,
    pub value: String,
    pub role_ids: Vec<String>,
}

/// `PUT /organization/sso`. `client_secret` may be left out to keep the
/// stored one (it is write-only).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SsoRequest {
    pub issuer: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub email_domains: Vec<String>,
    #[serde(default)]
    pub role_rules: Vec<RoleRule>,
    #[serde(default)]
    pub default_role_ids: Vec<String>,
    #[serde(default)]
    pub require_sso: bool,
    #[serde(default)]
    pub break_glass_user_ids: Vec<String>,
}

impl std::fmt::Debug for SsoRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoRequest")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("email_domains", &self.email_domains)
            .finish_non_exhaustive()
    }
}

/// The configuration as read back: never the client secret, only its last
/// four characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Sso {
    pub issuer: String,
    pub client_id: String,
    pub client_secret_last4: String,
    pub email_domains: Vec<String>,
    pub role_rules: Vec<RoleRule>,
    pub default_role_ids: Vec<String>,
    pub require_sso: bool,
    pub break_glass_user_ids: Vec<String>,
    /// Where the provider sends people back: register it at the provider.
    pub redirect_uri: String,
}

/// `POST /organization/sso/test`: is there a provider at this issuer?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SsoTestRequest {
    pub issuer: String,
}

/// What the issuer's discovery document says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SsoTestResult {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
}

/// Error codes a refused SSO sign-in is sent back to `/sign-in?error=` with.
pub mod refusal {
    /// The callback's state is unknown, used or expired (or tampered with).
    pub const STATE: &str = "sso_state";
    /// The provider refused, or its answer did not check out.
    pub const PROVIDER: &str = "sso_provider";
    /// No rule and no default role gives this person any role.
    pub const NO_ROLE: &str = "sso_no_role";
    /// The address is not one of the organization's domains, or not verified.
    pub const EMAIL: &str = "sso_email";
    /// The person is deactivated in keydesk.
    pub const DEACTIVATED: &str = "sso_deactivated";

    /// What a refusal code means, in words.
    pub fn message(code: &str) -> &'static str {
        match code {
            STATE => "That single sign-on link was used already or took too long. Sign in again.",
            PROVIDER => "Your identity provider's answer could not be verified. Sign in again, or ask your administrator.",
            NO_ROLE => "Your identity provider gives you no role in keydesk. Ask your administrator for access.",
            EMAIL => "Your identity provider did not give an address of your organization's domains.",
            DEACTIVATED => "Your keydesk account is deactivated. Ask your administrator.",
            _ => "Single sign-on did not complete. Sign in again.",
        }
    }
}

/// The longest issuer URL or client id.
pub const FIELD_MAX: usize = 512;

/// An email domain as stored: lower case, letters, digits, `-` and dots,
/// with at least one dot.
pub fn email_domain(raw: &str) -> Result<String, String> {
    let d = crate::text::lowercase(raw.trim())
        .trim_start_matches('@')
        .to_string();
    let labels_ok = d.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if d.len() > 253 || !d.contains('.') || !labels_ok {
        return Err(format!(
            "\u{201c}{}\u{201d} is not a domain (e.g. example.com).",
            raw.trim()
        ));
    }
    Ok(d)
}

/// The domain of an email address (already valid).
pub fn domain_of(email: &str) -> Option<&str> {
    email.rsplit_once('@').map(|(_, d)| d)
}

/// `req` checked field by field (roles and people are checked against the
/// organization by the server). `has_secret`: a secret is stored already.
pub fn validate(req: &SsoRequest, has_secret: bool) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    let issuer = req.issuer.trim();
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| issuer.starts_with(p));
    if issuer.len() > FIELD_MAX || !(issuer.starts_with("https://") || loopback) {
        e.insert(
            "issuer".into(),
            "The issuer must be an https:// URL, e.g. https://login.example.com/realms/acme."
                .into(),
        );
    }
    if req.client_id.trim().is_empty() || req.client_id.len() > FIELD_MAX {
        e.insert(
            "client_id".into(),
            "Enter the client id the provider gave keydesk.".into(),
        );
    }
    match &req.client_secret {
        Some(s) if s.is_empty() || s.len() > FIELD_MAX => {
            e.insert(
                "client_secret".into(),
                "Enter the client secret the provider gave keydesk.".into(),
            );
        }
        None if !has_secret => {
            e.insert(
                "client_secret".into(),
                "Enter the client secret the provider gave keydesk.".into(),
            );
        }
        _ => {}
    }
    if req.email_domains.is_empty() {
        e.insert(
            "email_domains".into(),
            "Name at least one email domain, e.g. example.com.".into(),
        );
    }
    for d in &req.email_domains {
        if let Err(m) = email_domain(d) {
            e.insert("email_domains".into(), m);
        }
    }
    for rule in &req.role_rules {
        if rule.claim.trim().is_empty() || rule.value.trim().is_empty() || rule.role_ids.is_empty()
        {
            e.insert(
                "role_rules".into(),
                "Each rule needs a claim, a value and at least one role.".into(),
            );
        }
    }
    if req.require_sso && req.break_glass_user_ids.is_empty() {
        e.insert(
            "break_glass_user_ids".into(),
            "Keep at least one break-glass person who may still sign in with a password.".into(),
        );
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

/// The roles `claims` earn under `rules` (a claim matching a rule's value,
/// as a string or as one of a list), else `defaults`; empty when neither.
pub fn roles_for(rules: &[RoleRule], defaults: &[String], claims: &Value) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for rule in rules {
        let matched = match claims.get(&rule.claim) {
            Some(Value::String(s)) => s == &rule.value,
            Some(Value::Array(list)) => list.iter().any(|v| v.as_str() == Some(&rule.value)),
            Some(Value::Bool(b)) => b.to_string() == rule.value,
            Some(Value::Number(n)) => n.to_string() == rule.value,
            _ => false,
        };
        if matched {
            for id in &rule.role_ids {
                if !roles.contains(id) {
                    roles.push(id.clone());
                }
            }
        }
    }
    if roles.is_empty() {
        roles = defaults.to_vec();
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(claim: &str, value: &str, roles: &[&str]) -> RoleRule {
        RoleRule {
            claim: claim.into(),
            value: value.into(),
            role_ids: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn a_claim_maps_to_roles_as_a_string_or_one_of_a_list_else_the_defaults() {
        let rules = [
            rule("groups", "kd-admins", &["admin"]),
            rule("department", "billing", &["billing-reader"]),
        ];
        let defaults = vec!["document-viewer".to_string()];
        assert_eq!(
            roles_for(&rules, &defaults, &json!({"groups": ["x", "kd-admins"]})),
            ["admin"]
        );
        assert_eq!(
            roles_for(&rules, &defaults, &json!({"department": "billing"})),
            ["billing-reader"]
        );
        assert_eq!(
            roles_for(
                &rules,
                &defaults,
                &json!({"groups": ["kd-admins"], "department": "billing"})
            ),
            ["admin", "billing-reader"]
        );
        assert_eq!(
            roles_for(&rules, &defaults, &json!({"groups": "kd-admin"})),
            ["document-viewer"]
        );
        assert!(roles_for(&rules, &[], &json!({})).is_empty());
    }

    #[test]
    fn domains_are_lower_case_host_names_with_a_dot() {
        assert_eq!(email_domain(" @Acme.IO ").unwrap(), "acme.io");
        for bad in ["acme", "acme..io", "-acme.io", "ac me.io", "acme.io/x"] {
            assert!(email_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_configuration_names_what_is_missing_and_requiring_sso_keeps_a_break_glass_person() {
        let req = SsoRequest {
            issuer: "http://evil.example".into(),
            client_id: "".into(),
            client_secret: None,
            email_domains: vec![],
            role_rules: vec![rule("groups", "", &[])],
            default_role_ids: vec![],
            require_sso: true,
            break_glass_user_ids: vec![],
        };
        let e = validate(&req, false).unwrap_err();
        for field in [
            "issuer",
            "client_id",
            "client_secret",
            "email_domains",
            "role_rules",
            "break_glass_user_ids",
        ] {
            assert!(e.contains_key(field), "{field}: {e:?}");
        }
        assert!(!format!(
            "{:?}",
            SsoRequest {
                client_secret: Some("hunter2".into()),
                ..req
            }
        )
        .contains("hunter2"));
    }
}
