//! Every request and response body of the JSON API (docs/api.md). Field names are
//! part of the public contract: add fields freely, never rename or remove.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::wire::wire_enum;

/// Field name → message, as sent in a 422.
pub type FieldErrors = BTreeMap<String, String>;

// ---------------------------------------------------------------- errors

/// The one error body every failing request answers with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// Present only on 422: a message per invalid field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    Csrf,
    NotFound,
    Conflict,
    PayloadTooLarge,
    ValidationFailed,
    TooManyAttempts,
    /// The request body did not arrive in time (408).
    RequestTimeout,
    Internal,
    /// Saturated or too slow; `Retry-After` says when to try again (503).
    Unavailable,
    /// This session must set a password of its person's own first (403).
    PasswordChangeRequired,
    /// This session must set up a second factor first: the organization
    /// requires one (403).
    SecondFactorRequired,
    /// Password sign-in while the organization requires single sign-on (401).
    SsoRequired,
    /// An API key used from outside its allowed networks, enforced (403).
    NetworkRefused,
    /// A code this version of the contract does not know yet.
    #[serde(other)]
    Unknown,
}

// ---------------------------------------------------------------- people

/// `Debug` for a request that carries a password: every field but that one.
macro_rules! debug_without_password {
    ($type:ident { $($field:ident),* }) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .field("password", &"<redacted>")
                    .finish()
            }
        }
    };
}

debug_without_password!(SignUpRequest {
    organization,
    name,
    email
});
debug_without_password!(SignInRequest { email });
debug_without_password!(CreateUserRequest {
    name,
    email,
    role_ids
});

/// `POST /me/password`. Both passwords are redacted in `Debug`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePasswordRequest")
            .field("current_password", &"<redacted>")
            .field("new_password", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SignUpRequest {
    pub organization: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Organization {
    pub id: String,
    pub name: String,
}

/// A reference to a role, as listed on users and keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

wire_enum! {
    /// Whether a person can sign in.
    pub enum UserStatus {
        Active = "active",
        /// Added, but has not accepted an invitation yet.
        Invited = "invited",
        /// Cannot sign in; their sessions ended.
        Deactivated = "deactivated",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<RoleRef>,
    #[serde(default = "active")]
    pub status: UserStatus,
    pub created_at: String,
    #[serde(default)]
    pub last_signed_in_at: Option<String>,
    /// Bumped by every change to the person. A change may be made
    /// conditional on it with `If-Match: "<version>"`; when the person
    /// changed meanwhile, the answer is 409.
    #[serde(default)]
    pub version: u64,
    /// The person has a second factor (an authenticator app or a passkey).
    #[serde(default)]
    pub second_factor: bool,
}

impl UserStatus {
    /// The words a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Invited => "Invited",
            Self::Deactivated => "Deactivated",
        }
    }
}

fn active() -> UserStatus {
    UserStatus::Active
}

/// Query of `GET /users`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(utoipa::ToSchema, utoipa::IntoParams)
)]
#[cfg_attr(not(target_arch = "wasm32"), into_params(parameter_in = Query))]
pub struct UserQuery {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::empty_as_none"
    )]
    pub status: Option<UserStatus>,
}

wire_enum! {
    /// What a session must do before anything else.
    pub enum RequiredStep {
        /// Set a password of the person's own: the one they signed in with
        /// was set by someone else (`POST /me/password`).
        SetPassword = "set_password",
        /// Set up a second factor: the organization requires one and the
        /// person has none (`POST /me/totp`, `POST /me/passkeys`).
        EnrolSecondFactor = "enrol_second_factor",
    }
}

/// The signed-in person, their organization and everything they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Me {
    pub user: User,
    pub organization: Organization,
    pub permissions: Vec<String>,
    /// Present while this session may do only one thing: that step. Every
    /// other request answers 403 (e.g. `password_change_required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_step: Option<RequiredStep>,
}

impl Me {
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct CreateUserRequest {
    pub name: String,
    pub email: String,
    /// Without one the person is `invited` and sets it through an invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub role_ids: Vec<String>,
}

/// `PATCH /users/{id}`; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct UpdateUserRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_ids: Option<Vec<String>>,
}

/// `POST /users/{id}/invitation`: a one-time link, shown once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Invitation {
    pub url: String,
    pub expires_at: String,
}

impl std::fmt::Debug for Invitation {
    // The link is as good as a password until it is used.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation")
            .field("url", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// `POST /auth/accept-invitation`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct AcceptInvitationRequest {
    pub token: String,
    pub password: String,
}

impl std::fmt::Debug for AcceptInvitationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptInvitationRequest")
            .field("token", &"<redacted>")
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `GET /users/{id}/generated-secrets`: a key whose current secret this
/// person generated (and so has seen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct GeneratedSecret {
    pub api_key: NamedRef,
    pub generated_at: String,
}

// ---------------------------------------------------------------- permissions and roles

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Permission {
    pub id: String,
    pub resource: String,
    pub action: String,
    pub description: String,
}

impl From<&crate::permissions::PermissionDef> for Permission {
    fn from(p: &crate::permissions::PermissionDef) -> Self {
        Permission {
            id: p.id.into(),
            resource: p.resource.into(),
            action: p.action.into(),
            description: p.description.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
    pub built_in: bool,
    pub permissions: Vec<String>,
    /// How many keys and people hold it (`GET /roles/{id}`; also in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by: Option<RoleUsage>,
    /// Bumped by every change to a custom role; a client's edit may name the
    /// version it decided on in `If-Match`. Built-in roles never change (0).
    #[serde(default)]
    pub version: u64,
}

/// Who holds a role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct RoleUsage {
    pub api_keys: u64,
    pub users: u64,
}

impl RoleUsage {
    /// "3 keys and 1 person", as messages and screens say it.
    pub fn describe(&self) -> String {
        let count =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{} and {}",
            count(self.api_keys, "key", "keys"),
            count(self.users, "person", "people")
        )
    }

    pub fn is_unused(&self) -> bool {
        self.api_keys == 0 && self.users == 0
    }
}

impl From<&crate::roles::BuiltInRole> for Role {
    fn from(r: &crate::roles::BuiltInRole) -> Self {
        Role {
            id: r.id.into(),
            name: r.name.into(),
            description: r.description.into(),
            built_in: true,
            permissions: r.permissions().into_iter().map(String::from).collect(),
            used_by: None,
            version: 0,
        }
    }
}

/// `POST /roles`: a custom role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct CreateRoleRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub permissions: Vec<String>,
}

/// `PATCH /roles/{id}`; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct UpdateRoleRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

// ---------------------------------------------------------------- API keys

wire_enum! {
    pub enum ApiKeyStatus {
        /// Created, but no secret has been generated yet.
        NotGenerated = "not_generated",
        Active = "active",
        /// Switched off: its secret answers 401 until the key is enabled.
        Disabled = "disabled",
        /// Past its expiry date: its secret no longer works.
        Expired = "expired",
        /// Disabled because its secret was reported leaked; regenerating it
        /// gives it a new secret and switches it on again.
        Leaked = "leaked",
        /// Made to be found: its secret never works, and every use raises
        /// `api_key.decoy_used`.
        Decoy = "decoy",
    }
}

impl ApiKeyStatus {
    /// The words a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotGenerated => "Not generated",
            Self::Active => "Active",
            Self::Disabled => "Disabled",
            Self::Expired => "Expired",
            Self::Leaked => "Leaked",
            Self::Decoy => "Decoy",
        }
    }
}

/// Who did something: a person or a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Actor {
    #[serde(rename = "type")]
    pub kind: ActorKind,
    pub id: String,
    pub name: String,
}

wire_enum! {
    pub enum ActorKind {
        User = "user",
        ApiKey = "api_key",
        /// keydesk itself, acting on a report or an alarm (a leaked secret
        /// reported, a decoy used); its name says what.
        System = "system",
    }
}

/// A reference to a person or key by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

/// An API key (a service account). Never carries its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub description: String,
    pub roles: Vec<RoleRef>,
    /// The union of its roles' permissions, in catalogue order.
    pub permissions: Vec<String>,
    pub status: ApiKeyStatus,
    /// Non-secret start of the secret, e.g. `kd_live_4fQa`; null before generation.
    pub display_prefix: Option<String>,
    pub created_by: NamedRef,
    pub created_at: String,
    pub updated_at: String,
    pub generated_at: Option<String>,
    pub last_used_at: Option<String>,
    /// The client address of the latest request made with the key.
    #[serde(default)]
    pub last_used_from: Option<String>,
    /// In lists: how many of its permissions the key has not exercised in the
    /// last 30 days, for a key older than that (absent for younger keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_permissions: Option<u32>,
    /// When the key stops working; null for a key that does not expire.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Set while the key is outside the organization's key policy: why, and
    /// from when its secret answers 401.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_violation: Option<crate::key_policy::PolicyViolation>,
    /// Bumped by every change. A change may be made conditional on it with
    /// `If-Match: "<version>"`; when the key changed meanwhile, the answer is 409.
    #[serde(default)]
    pub version: u64,
    /// Where the key may be used from (CIDR ranges); empty: anywhere.
    #[serde(default)]
    pub allowed_networks: Vec<String>,
    /// Whether a call from elsewhere is refused or only reported.
    #[serde(default)]
    pub network_mode: NetworkMode,
}

wire_enum! {
    /// What a call from outside a key's allowed networks gets.
    #[derive(Default)]
    pub enum NetworkMode {
        /// Refused: 403 `network_refused`.
        #[default]
        Enforce = "enforce",
        /// Served, and reported (`api_key.network_refused`).
        Report = "report",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct CreateApiKeyRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub role_ids: Vec<String>,
    /// Optional lifetime in days (1 to 3650); absent means the key never
    /// expires, or the policy's default lifetime when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
    /// Or the exact time it expires (within the policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// A decoy: made to be found, its secret authenticates nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decoy: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct UpdateApiKeyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_ids: Option<Vec<String>>,
    /// CIDR ranges the key may be used from; `[]`: anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_networks: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<NetworkMode>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct GenerateRequest {
    /// Keep the previous secret working this many seconds (at most 86 400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<u32>,
    /// When the new secret expires (within the policy). Left out: the
    /// policy's default lifetime, else the lifetime the old secret had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// The only response that ever contains a secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct GeneratedApiKey {
    pub api_key: ApiKey,
    pub secret: String,
}

impl std::fmt::Debug for GeneratedApiKey {
    // Never let a secret reach a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedApiKey")
            .field("api_key", &self.api_key)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ApiKeyPage {
    pub items: Vec<ApiKey>,
    pub next_cursor: Option<String>,
    /// How many keys match the filters, over all pages.
    pub total: u64,
}

wire_enum! {
    /// Sort orders of `GET /api-keys`.
    pub enum ApiKeySort {
        NameAsc = "name",
        NameDesc = "-name",
        CreatedAsc = "created_at",
        CreatedDesc = "-created_at",
        /// Most recently used first; never-used keys last.
        LastUsed = "last_used_at",
    }
}

impl Default for ApiKeySort {
    /// Newest first.
    fn default() -> Self {
        ApiKeySort::CreatedDesc
    }
}

/// Query of `GET /api-keys`; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(utoipa::ToSchema, utoipa::IntoParams)
)]
#[cfg_attr(not(target_arch = "wasm32"), into_params(parameter_in = Query))]
pub struct ApiKeyQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::empty_as_none"
    )]
    pub status: Option<ApiKeyStatus>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::empty_as_none"
    )]
    pub sort: Option<ApiKeySort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// `GET /whoami`: what the calling key is and may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct WhoAmI {
    pub api_key: NamedRef,
    pub organization: Organization,
    pub permissions: Vec<String>,
}

// ---------------------------------------------------------------- usage

/// `POST /authorize`: may the calling key do this?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct AuthorizeRequest {
    pub permission: String,
    /// The platform's caller's address, checked against the key's allowed
    /// networks; believed only from a trusted proxy (`--trusted-proxies`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_address: Option<String>,
}

/// The platform's key check's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Authorization {
    pub allowed: bool,
    pub permission: String,
    pub api_key: NamedRef,
    pub organization: Organization,
    /// Why not, when `allowed` is false: `permission` or `network`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A key's requests and refused requests on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct UsageDay {
    /// `YYYY-MM-DD`
    pub date: String,
    pub requests: u64,
    pub refused: u64,
}

/// How a key used one permission in the window (`requests` 0 and
/// `last_used_at` null: granted but unused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct PermissionUsage {
    pub permission: String,
    pub requests: u64,
    pub last_used_at: Option<String>,
}

/// `GET /api-keys/{id}/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct KeyUsage {
    /// Every day of the window, oldest first, days without requests included.
    pub days: Vec<UsageDay>,
    /// The key's permissions and any other it exercised, in catalogue order.
    pub permissions: Vec<PermissionUsage>,
    pub last_used_at: Option<String>,
    pub last_used_from: Option<String>,
    /// Least privilege over the same window (as `GET …/suggestion` answers),
    /// so the usage view needs one request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

/// `?days=` of the usage views: the window, 1 to 90 days (default 30).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(utoipa::ToSchema, utoipa::IntoParams)
)]
#[cfg_attr(not(target_arch = "wasm32"), into_params(parameter_in = Query))]
pub struct WindowQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

/// One key's row of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct InventoryItem {
    pub api_key: NamedRef,
    pub status: ApiKeyStatus,
    pub roles: Vec<RoleRef>,
    /// What its roles grant, in catalogue order.
    pub granted: Vec<String>,
    /// What it exercised in the window, in catalogue order.
    pub used: Vec<String>,
    pub last_used_at: Option<String>,
}

wire_enum! {
    /// One cell of the inventory: what a key did with one permission.
    pub enum InventoryCell {
        /// Granted and exercised in the window.
        Used = "used",
        /// Granted, not exercised in the window.
        Unused = "unused",
        /// Not granted (and so not exercised).
        Empty = "",
    }
}

impl InventoryItem {
    /// What this key did with `permission` in the window (the one reading
    /// of "unused" that the matrix, its CSV and the counts share).
    pub fn cell(&self, permission: &str) -> InventoryCell {
        if self.used.iter().any(|p| p == permission) {
            InventoryCell::Used
        } else if self.granted.iter().any(|p| p == permission) {
            InventoryCell::Unused
        } else {
            InventoryCell::Empty
        }
    }

    /// How many of its permissions it did not exercise in the window.
    pub fn unused(&self) -> usize {
        self.granted
            .iter()
            .filter(|p| self.cell(p) == InventoryCell::Unused)
            .count()
    }
}

/// `GET /inventory`: a row per key, a column per permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Inventory {
    /// Every permission of the catalogue, in its order (grouped by resource).
    pub permissions: Vec<String>,
    /// Every key of the organization, by name.
    pub items: Vec<InventoryItem>,
}

/// `GET /api-keys/{id}/suggestion`: least privilege for one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Suggestion {
    /// Granted, but not exercised in the window.
    pub unused: Vec<String>,
    /// The narrowest set of roles (built-in and custom) that still covers
    /// every permission the key exercised, choosing only roles that grant
    /// nothing the key does not hold now; empty when it exercised none.
    pub suggested_role_ids: Vec<String>,
    /// Whether the suggested roles grant fewer permissions than the key
    /// holds now (only then is accepting them narrowing).
    #[serde(default)]
    pub narrower: bool,
    /// When no narrower set of roles covers what the key used although it
    /// has unused permissions: exactly the permissions it used, for a custom
    /// role made to measure. Empty otherwise.
    #[serde(default)]
    pub custom_role_permissions: Vec<String>,
}

// ---------------------------------------------------------------- audit trail

wire_enum! {
    /// What an audit event is about.
    pub enum AuditTargetKind {
        User = "user",
        ApiKey = "api_key",
        Role = "role",
        Organization = "organization",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct AuditTarget {
    #[serde(rename = "type")]
    pub kind: AuditTargetKind,
    pub id: String,
    pub name: String,
}

impl AuditTarget {
    /// A person, as events about them name them.
    pub fn user(id: impl Into<String>, name: impl Into<String>) -> Self {
        AuditTarget {
            kind: AuditTargetKind::User,
            id: id.into(),
            name: name.into(),
        }
    }

    /// An API key, as events about it name it.
    pub fn api_key(id: impl Into<String>, name: impl Into<String>) -> Self {
        AuditTarget {
            kind: AuditTargetKind::ApiKey,
            id: id.into(),
            name: name.into(),
        }
    }

    /// The organization itself.
    pub fn organization(id: impl Into<String>, name: impl Into<String>) -> Self {
        AuditTarget {
            kind: AuditTargetKind::Organization,
            id: id.into(),
            name: name.into(),
        }
    }

    /// A custom role, as events about it name it.
    pub fn role(id: impl Into<String>, name: impl Into<String>) -> Self {
        AuditTarget {
            kind: AuditTargetKind::Role,
            id: id.into(),
            name: name.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: String,
    pub at: String,
    pub actor: Actor,
    /// e.g. `api_key.created`, `api_key.generated`.
    pub action: String,
    pub target: AuditTarget,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /audit-events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(utoipa::ToSchema, utoipa::IntoParams)
)]
#[cfg_attr(not(target_arch = "wasm32"), into_params(parameter_in = Query))]
pub struct PageQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::ValidationFailed,
                message: "Name is already used by another key.".into(),
                fields: Some(
                    [(
                        "name".to_string(),
                        "Name is already used by another key.".to_string(),
                    )]
                    .into(),
                ),
            },
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["error"]["code"], "validation_failed");
        assert_eq!(
            json["error"]["fields"]["name"],
            "Name is already used by another key."
        );
        let no_fields = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::NotFound,
                message: "x".into(),
                fields: None,
            },
        };
        assert!(serde_json::to_value(&no_fields).unwrap()["error"]
            .get("fields")
            .is_none());
    }

    #[test]
    fn sort_and_status_wire_names_round_trip() {
        for &s in ApiKeySort::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(ApiKeySort::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::from_value::<ApiKeySort>(s.as_str().into()).unwrap(),
                s
            );
        }
        for &s in ApiKeyStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(ApiKeyStatus::parse(s.as_str()), Some(s));
        }
        assert!(serde_json::from_value::<ApiKeyStatus>("deleted".into()).is_err());
    }

    #[test]
    fn generated_key_debug_output_hides_the_secret() {
        let key = ApiKey {
            id: "k".into(),
            name: "n".into(),
            description: String::new(),
            roles: vec![],
            permissions: vec![],
            status: ApiKeyStatus::Active,
            display_prefix: None,
            created_by: NamedRef {
                id: "u".into(),
                name: "U".into(),
            },
            created_at: String::new(),
            updated_at: String::new(),
            generated_at: None,
            last_used_at: None,
            last_used_from: None,
            unused_permissions: None,
            expires_at: None,
            policy_violation: None,
            version: 1,
            allowed_networks: Vec::new(),
            network_mode: NetworkMode::Enforce,
        };
        let g = GeneratedApiKey {
            api_key: key,
            secret: "kd_live_supersecretvalue".into(),
        };
        assert!(!format!("{g:?}").contains("supersecret"));
    }

    #[test]
    fn requests_with_a_password_never_show_it_in_debug_output() {
        let secret = "a very distinctive password";
        let shown = [
            format!(
                "{:?}",
                SignUpRequest {
                    organization: "Acme".into(),
                    name: "Ada".into(),
                    email: "ada@acme.io".into(),
                    password: secret.into(),
                }
            ),
            format!(
                "{:?}",
                SignInRequest {
                    email: "ada@acme.io".into(),
                    password: secret.into(),
                }
            ),
            format!(
                "{:?}",
                CreateUserRequest {
                    name: "Bo".into(),
                    email: "bo@acme.io".into(),
                    password: Some(secret.into()),
                    role_ids: vec![],
                }
            ),
        ];
        let change = format!(
            "{:?}",
            ChangePasswordRequest {
                current_password: secret.into(),
                new_password: secret.into(),
            }
        );
        assert!(!change.contains(secret), "{change}");
        for s in shown {
            assert!(!s.contains(secret), "{s}");
            assert!(s.contains("ada@acme.io") || s.contains("bo@acme.io"), "{s}");
        }
    }

    #[test]
    fn unknown_error_codes_still_parse() {
        let e: ErrorCode = serde_json::from_str("\"brand_new\"").unwrap();
        assert_eq!(e, ErrorCode::Unknown);
    }
}
