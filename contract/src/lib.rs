//! The keydesk contract: everything the server and the web app must agree on,
//! written once so it cannot drift.
//!
//! - [`permissions`]: the permission catalogue (data, each with a description).
//! - [`roles`]: the built-in roles and what they grant.
//! - [`types`]: every request and response body of the JSON API (docs/api.md).
//! - [`validation`]: the input rules, returning one message per field.
//! - [`text`]: what no text field may contain, and Unicode normalization.
//! - [`sso`]: single sign-on: the configuration, its validation, claims to roles.
//! - [`second_factors`]: enrolling second factors and the second step of sign-in.
//! - [`audit`]: what the audit trail records, typed on both sides.
//! - [`events`]: event destinations (signed webhooks) and their deliveries.
//! - [`bulk`]: bulk actions on keys, previewed first.
//! - [`guardrails`]: leak reports.
//! - [`key_policy`]: whether keys must expire, and how long secrets may live.
//! - [`key_format`]: how API-key secrets look: generate, checksum, parse, display prefix.

pub mod audit;
pub mod bulk;
pub mod events;
pub mod expiry;
pub mod guardrails;
pub mod key_format;
pub mod key_policy;
pub mod least_privilege;
pub mod permissions;
pub mod roles;
pub mod second_factors;
pub mod sso;
pub mod text;
pub mod types;
pub mod validation;
pub mod wire;

/// Base path of the JSON API.
pub const API_BASE: &str = "/api/v1";
/// Header a cookie-authenticated unsafe request must carry (CSRF defence).
pub const CSRF_HEADER: &str = "X-Requested-With";
/// The only accepted value of [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "keydesk";
/// Header a system may use instead of `Authorization: Bearer`.
pub const API_KEY_HEADER: &str = "X-API-Key";
