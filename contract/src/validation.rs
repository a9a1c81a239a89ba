//! Input rules (rule 7 of docs/concepts.md, and the sign-up fields). Each check returns
//! the cleaned value or the message a person sees next to the field; the server
//! answers 422 with exactly these messages and the web app shows the same ones
//! before sending.

use crate::text;
use crate::types::{
    CreateApiKeyRequest, CreateRoleRequest, CreateUserRequest, FieldErrors, SignUpRequest,
    UpdateApiKeyRequest, UpdateRoleRequest, UpdateUserRequest,
};

pub const KEY_NAME_MIN: usize = 3;
pub const KEY_NAME_MAX: usize = 64;
pub const DESCRIPTION_MAX: usize = 500;
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;
pub const PERSON_NAME_MAX: usize = 100;
pub const ORGANIZATION_NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const EXPIRY_DAYS_MAX: u32 = 3650;
pub const GRACE_PERIOD_MAX_SECONDS: u32 = 86_400;
/// The usage window (`?days=`) when a request does not say: the usage view,
/// the inventory, suggestions and the list's unused-permission count.
pub const USAGE_WINDOW_DAYS: u32 = 30;
/// The longest usage window: counts older than this are not kept.
pub const USAGE_WINDOW_MAX_DAYS: u32 = 90;

/// The usage window a request asks for, or why it cannot have it.
pub fn usage_window_days(days: Option<u32>) -> Result<u32, String> {
    match days.unwrap_or(USAGE_WINDOW_DAYS) {
        d @ 1..=USAGE_WINDOW_MAX_DAYS => Ok(d),
        _ => Err(format!("The window is 1 to {USAGE_WINDOW_MAX_DAYS} days.")),
    }
}

/// Items in a page of a list when the request does not say.
pub const PAGE_DEFAULT: u32 = 50;
/// The most items a page of a list holds, whatever the request says.
pub const PAGE_MAX: u32 = 200;

/// A key name in use in the organization (in any letter case or composition).
pub const KEY_NAME_TAKEN: &str = "Name is already used by another key.";
/// An email that already has an account.
pub const EMAIL_TAKEN: &str = "An account with this email already exists.";
/// Adding a person whose address someone in the same organization has.
pub const EMAIL_TAKEN_HERE: &str = "Someone in this organization already has this email.";
/// The message for a role name the organization already uses.
pub const ROLE_NAME_TAKEN: &str = "Name is already used by another role.";

/// The page size a request asked for, within bounds.
pub fn page_size(asked: Option<u32>) -> u32 {
    asked.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX)
}

/// An API key's name: NFC, trimmed, 3–64 of letters, digits, space, `_`, `-`, `.`.
pub fn key_name(raw: &str) -> Result<String, String> {
    let name = text::nfc(raw.trim());
    let name = name.as_str();
    if let Some(c) = text::first_hidden(name, false) {
        return Err(text::hidden_message("Name", c));
    }
    let len = name.chars().count();
    if len == 0 {
        return Err("Name is required.".into());
    }
    if len < KEY_NAME_MIN {
        return Err(format!("Name must be at least {KEY_NAME_MIN} characters."));
    }
    if len > KEY_NAME_MAX {
        return Err(format!("Name must be at most {KEY_NAME_MAX} characters."));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.')))
    {
        return Err(format!(
            "Name may only contain letters, digits, spaces, _, - and . (not \u{201c}{bad}\u{201d})."
        ));
    }
    Ok(name.to_string())
}

/// The form of a name used to decide uniqueness: names differing only in
/// letter case, or in how their characters are composed, are the same name.
pub fn name_key(name: &str) -> String {
    text::nfc(&text::lowercase(&text::nfc(name.trim())))
}

/// A key's description: trimmed, at most 500 characters, may be empty.
pub fn description(raw: &str) -> Result<String, String> {
    let d = text::nfc(raw.trim());
    let d = d.as_str();
    if let Some(c) = text::first_hidden(d, true) {
        return Err(text::hidden_message("Description", c));
    }
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(format!(
            "Description must be at most {DESCRIPTION_MAX} characters."
        ));
    }
    Ok(d.to_string())
}

/// Role ids given to a key or person: at least one, each a known role, no repeats.
pub fn role_ids(ids: &[String], is_known: impl Fn(&str) -> bool) -> Result<Vec<String>, String> {
    if ids.is_empty() {
        return Err("Choose at least one role.".into());
    }
    if let Some(unknown) = ids.iter().find(|id| !is_known(id)) {
        return Err(format!("There is no role \u{201c}{unknown}\u{201d}."));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// A custom role's name: the key-name rules, and never a built-in role's
/// name (in any letter case, nor written with look-alike letters: on the
/// server, by confusable skeleton), so a name always says which role it is.
pub fn role_name(raw: &str) -> Result<String, String> {
    let name = key_name(raw)?;
    let key = looks_like(&name_key(&name));
    if let Some(built_in) = crate::roles::BUILT_IN_ROLES
        .iter()
        .find(|r| looks_like(&name_key(r.name)) == key)
    {
        return Err(format!(
            "\u{201c}{}\u{201d} is a built-in role; choose another name.",
            built_in.name
        ));
    }
    Ok(name)
}

/// What a name looks like: its confusable skeleton (UTS #39) on the
/// server; in the browser the name itself (the server decides).
#[cfg(not(target_arch = "wasm32"))]
fn looks_like(key: &str) -> String {
    use unicode_security::confusable_detection::skeleton;
    skeleton(key).collect::<String>().to_lowercase()
}

#[cfg(target_arch = "wasm32")]
fn looks_like(key: &str) -> String {
    key.to_string()
}

/// A custom role's permissions: at least one, each in the catalogue; returned
/// without repeats, in catalogue order.
pub fn permission_ids(ids: &[String]) -> Result<Vec<String>, String> {
    if ids.is_empty() {
        return Err("Choose at least one permission.".into());
    }
    if let Some(unknown) = ids.iter().find(|id| crate::permissions::find(id).is_none()) {
        return Err(format!("There is no permission \u{201c}{unknown}\u{201d}."));
    }
    Ok(crate::permissions::union(ids.iter().map(String::as_str))
        .into_iter()
        .map(String::from)
        .collect())
}

/// An email address: trimmed, lower-cased, with a local part, an `@` and a dotted domain.
pub fn email(raw: &str) -> Result<String, String> {
    let e = text::lowercase(raw.trim());
    if e.is_empty() {
        return Err("Email is required.".into());
    }
    if e.len() > EMAIL_MAX {
        return Err(format!("Email must be at most {EMAIL_MAX} characters."));
    }
    if let Some(c) = text::first_hidden(&e, false) {
        return Err(text::hidden_message("Email", c));
    }
    let valid = e.len() <= EMAIL_MAX
        && !e.chars().any(char::is_whitespace)
        && match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(e)
    } else {
        Err("Enter an email address like name@example.com.".into())
    }
}

/// A new password: 12 to 128 characters. Not trimmed: spaces are part of it.
pub fn new_password(raw: &str) -> Result<(), String> {
    let len = raw.chars().count();
    if len < PASSWORD_MIN {
        return Err(format!(
            "Password must be at least {PASSWORD_MIN} characters."
        ));
    }
    if len > PASSWORD_MAX {
        return Err(format!(
            "Password must be at most {PASSWORD_MAX} characters."
        ));
    }
    Ok(())
}

fn required_text(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let t = text::nfc(raw.trim());
    let t = t.as_str();
    if t.is_empty() {
        return Err(format!("{what} is required."));
    }
    if let Some(c) = text::first_hidden(t, false) {
        return Err(text::hidden_message(what, c));
    }
    if t.chars().count() > max {
        return Err(format!("{what} must be at most {max} characters."));
    }
    Ok(t.to_string())
}

/// A person's name.
pub fn person_name(raw: &str) -> Result<String, String> {
    required_text(raw, "Name", PERSON_NAME_MAX)
}

/// An organization's name.
pub fn organization_name(raw: &str) -> Result<String, String> {
    required_text(raw, "Organization name", ORGANIZATION_NAME_MAX)
}

/// A key's lifetime in days.
pub fn expires_in_days(days: Option<u32>) -> Result<Option<u32>, String> {
    match days {
        Some(d) if d == 0 || d > EXPIRY_DAYS_MAX => Err(format!(
            "Expiry must be between 1 and {EXPIRY_DAYS_MAX} days."
        )),
        other => Ok(other),
    }
}

/// How long a replaced secret keeps working.
pub fn grace_period_seconds(seconds: Option<u32>) -> Result<u32, String> {
    match seconds.unwrap_or(0) {
        s if s > GRACE_PERIOD_MAX_SECONDS => {
            Err("Grace period must be at most 24 hours (86400 seconds).".into())
        }
        s => Ok(s),
    }
}

/// Collects field errors: `check(&mut errors, "name", key_name(..))` keeps the
/// cleaned value or records the message under the field.
pub fn check<T>(errors: &mut FieldErrors, field: &str, result: Result<T, String>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(message) => {
            errors.insert(field.to_string(), message);
            None
        }
    }
}

/// A create-key request after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidNewKey {
    pub name: String,
    pub description: String,
    pub role_ids: Vec<String>,
    pub expires_in_days: Option<u32>,
    pub decoy: bool,
}

impl CreateApiKeyRequest {
    pub fn validate(
        &self,
        is_known_role: impl Fn(&str) -> bool,
    ) -> Result<ValidNewKey, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = check(&mut e, "name", key_name(&self.name));
        let description = check(&mut e, "description", description(&self.description));
        let role_ids = check(&mut e, "role_ids", role_ids(&self.role_ids, is_known_role));
        let expires = check(
            &mut e,
            "expires_in_days",
            expires_in_days(self.expires_in_days),
        );
        match (name, description, role_ids, expires) {
            (Some(name), Some(description), Some(role_ids), Some(expires_in_days))
                if e.is_empty() =>
            {
                Ok(ValidNewKey {
                    name,
                    description,
                    role_ids,
                    expires_in_days,
                    decoy: self.decoy,
                })
            }
            _ => Err(e),
        }
    }
}

/// An edit-key request after validation: `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidKeyChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub role_ids: Option<Vec<String>>,
}

impl UpdateApiKeyRequest {
    pub fn validate(
        &self,
        is_known_role: impl Fn(&str) -> bool,
    ) -> Result<ValidKeyChange, FieldErrors> {
        let mut e = FieldErrors::new();
        let change = ValidKeyChange {
            name: self
                .name
                .as_deref()
                .and_then(|n| check(&mut e, "name", key_name(n))),
            description: self
                .description
                .as_deref()
                .and_then(|d| check(&mut e, "description", description(d))),
            role_ids: self
                .role_ids
                .as_deref()
                .and_then(|r| check(&mut e, "role_ids", role_ids(r, &is_known_role))),
        };
        if e.is_empty() {
            Ok(change)
        } else {
            Err(e)
        }
    }
}

/// A sign-up after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSignUp {
    pub organization: String,
    pub name: String,
    pub email: String,
}

impl SignUpRequest {
    pub fn validate(&self) -> Result<ValidSignUp, FieldErrors> {
        let mut e = FieldErrors::new();
        let organization = check(
            &mut e,
            "organization",
            organization_name(&self.organization),
        );
        let name = check(&mut e, "name", person_name(&self.name));
        let email = check(&mut e, "email", email(&self.email));
        check(&mut e, "password", new_password(&self.password));
        match (organization, name, email) {
            (Some(organization), Some(name), Some(email)) if e.is_empty() => Ok(ValidSignUp {
                organization,
                name,
                email,
            }),
            _ => Err(e),
        }
    }
}

/// A new person after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidNewUser {
    pub name: String,
    pub email: String,
    pub role_ids: Vec<String>,
}

impl CreateUserRequest {
    pub fn validate(
        &self,
        is_known_role: impl Fn(&str) -> bool,
    ) -> Result<ValidNewUser, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = check(&mut e, "name", person_name(&self.name));
        let email = check(&mut e, "email", email(&self.email));
        if let Some(password) = &self.password {
            check(&mut e, "password", new_password(password));
        }
        let role_ids = check(&mut e, "role_ids", role_ids(&self.role_ids, is_known_role));
        match (name, email, role_ids) {
            (Some(name), Some(email), Some(role_ids)) if e.is_empty() => Ok(ValidNewUser {
                name,
                email,
                role_ids,
            }),
            _ => Err(e),
        }
    }
}

/// A change to a person after validation: `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidUserChange {
    pub name: Option<String>,
    pub role_ids: Option<Vec<String>>,
}

impl UpdateUserRequest {
    pub fn validate(
        &self,
        is_known_role: impl Fn(&str) -> bool,
    ) -> Result<ValidUserChange, FieldErrors> {
        let mut e = FieldErrors::new();
        let change = ValidUserChange {
            name: self
                .name
                .as_deref()
                .and_then(|n| check(&mut e, "name", person_name(n))),
            role_ids: self
                .role_ids
                .as_deref()
                .and_then(|r| check(&mut e, "role_ids", role_ids(r, &is_known_role))),
        };
        if e.is_empty() {
            Ok(change)
        } else {
            Err(e)
        }
    }
}

/// A new custom role after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidNewRole {
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
}

impl CreateRoleRequest {
    pub fn validate(&self) -> Result<ValidNewRole, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = check(&mut e, "name", role_name(&self.name));
        let description = check(&mut e, "description", description(&self.description));
        let permissions = check(&mut e, "permissions", permission_ids(&self.permissions));
        match (name, description, permissions) {
            (Some(name), Some(description), Some(permissions)) => Ok(ValidNewRole {
                name,
                description,
                permissions,
            }),
            _ => Err(e),
        }
    }
}

/// A change to a custom role after validation: `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidRoleChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<String>>,
}

impl UpdateRoleRequest {
    pub fn validate(&self) -> Result<ValidRoleChange, FieldErrors> {
        let mut e = FieldErrors::new();
        let change = ValidRoleChange {
            name: self
                .name
                .as_deref()
                .and_then(|n| check(&mut e, "name", role_name(n))),
            description: self
                .description
                .as_deref()
                .and_then(|d| check(&mut e, "description", description(d))),
            permissions: self
                .permissions
                .as_deref()
                .and_then(|p| check(&mut e, "permissions", permission_ids(p))),
        };
        if e.is_empty() {
            Ok(change)
        } else {
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_usage_window_is_one_to_ninety_days_thirty_unless_asked() {
        assert_eq!(usage_window_days(None), Ok(USAGE_WINDOW_DAYS));
        assert_eq!(usage_window_days(Some(1)), Ok(1));
        assert_eq!(usage_window_days(Some(90)), Ok(90));
        assert!(usage_window_days(Some(0)).is_err());
        assert!(usage_window_days(Some(91)).is_err());
    }

    use super::*;

    use crate::roles::is_known as known;

    #[test]
    fn key_names_are_trimmed_and_bounded() {
        assert_eq!(key_name("  Billing_Reader  ").unwrap(), "Billing_Reader");
        assert_eq!(key_name("a.b").unwrap(), "a.b");
        assert_eq!(key_name("   ").unwrap_err(), "Name is required.");
        assert_eq!(
            key_name("ab").unwrap_err(),
            "Name must be at least 3 characters."
        );
        assert!(key_name(&"x".repeat(64)).is_ok());
        assert_eq!(
            key_name(&"x".repeat(65)).unwrap_err(),
            "Name must be at most 64 characters."
        );
    }

    #[test]
    fn key_names_allow_only_the_documented_characters() {
        assert!(key_name("CRM sync-2.0_prod").is_ok());
        assert!(
            key_name("Fakturering Å").is_ok(),
            "letters beyond ASCII are letters"
        );
        let err = key_name("billing/reader").unwrap_err();
        assert!(err.contains('/'), "{err}");
        assert!(key_name("drop;table").is_err());
        assert!(key_name("tab\there").is_err());
    }

    #[test]
    fn names_compare_case_insensitively() {
        assert_eq!(name_key(" Billing_Reader"), name_key("BILLING_reader "));
    }

    #[test]
    fn names_that_look_the_same_are_the_same_name() {
        let composed = key_name("Caf\u{00E9} sync").unwrap();
        let decomposed = key_name("Cafe\u{0301} sync").unwrap();
        assert_eq!(composed, decomposed, "stored in one form");
        assert_eq!(name_key(&composed), name_key(&decomposed));
    }

    #[test]
    fn every_text_field_refuses_hidden_characters() {
        for bad in [
            "Bill\u{200B}ing",
            "Billing\u{202E}gnp",
            "Bill\u{0000}ing",
            "\u{2066}Billing",
        ] {
            assert!(
                key_name(bad).unwrap_err().contains("invisible or control"),
                "{bad:?}"
            );
            assert!(description(bad).is_err(), "{bad:?}");
            assert!(person_name(bad).is_err(), "{bad:?}");
            assert!(organization_name(bad).is_err(), "{bad:?}");
        }
        assert!(email("ada\u{200B}@example.com").is_err());
        assert!(
            description("two\nlines").is_ok(),
            "descriptions may have line breaks"
        );
        assert!(person_name("two\nlines").is_err());
        assert!(email(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn descriptions_are_bounded() {
        assert_eq!(description("  ").unwrap(), "");
        assert!(description(&"d".repeat(500)).is_ok());
        assert_eq!(
            description(&"d".repeat(501)).unwrap_err(),
            "Description must be at most 500 characters."
        );
    }

    #[test]
    fn roles_need_one_known_role_and_drop_repeats() {
        assert_eq!(
            role_ids(&[], known).unwrap_err(),
            "Choose at least one role."
        );
        assert!(role_ids(&["superuser".into()], known)
            .unwrap_err()
            .contains("superuser"));
        assert_eq!(
            role_ids(&["admin".into(), "admin".into()], known).unwrap(),
            ["admin"]
        );
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email(" Ada@Example.COM ").unwrap(), "ada@example.com");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.com",
            "ada@.com",
        ] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn passwords_are_bounded_and_not_trimmed() {
        assert_eq!(
            new_password("short").unwrap_err(),
            "Password must be at least 12 characters."
        );
        assert!(new_password("correct horse battery").is_ok());
        assert!(new_password(&"p".repeat(128)).is_ok());
        assert!(new_password(&"p".repeat(129)).is_err());
    }

    #[test]
    fn create_request_reports_every_bad_field_at_once() {
        let req = CreateApiKeyRequest {
            name: "x".into(),
            description: "d".repeat(501),
            role_ids: vec![],
            expires_in_days: Some(0),
            expires_at: None,
            decoy: false,
        };
        let errors = req.validate(known).unwrap_err();
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            ["description", "expires_in_days", "name", "role_ids"]
        );
    }

    #[test]
    fn create_request_cleans_a_good_request() {
        let req = CreateApiKeyRequest {
            name: " Billing_Reader ".into(),
            description: " Reads invoices ".into(),
            role_ids: vec!["billing-reader".into()],
            expires_in_days: None,
            expires_at: None,
            decoy: false,
        };
        let ok = req.validate(known).unwrap();
        assert_eq!(ok.name, "Billing_Reader");
        assert_eq!(ok.description, "Reads invoices");
    }

    #[test]
    fn update_request_checks_only_what_it_changes() {
        assert_eq!(
            UpdateApiKeyRequest::default().validate(known).unwrap(),
            ValidKeyChange::default()
        );
        let e = UpdateApiKeyRequest {
            role_ids: Some(vec![]),
            ..Default::default()
        }
        .validate(known)
        .unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), ["role_ids"]);
    }

    #[test]
    fn sign_up_names_each_bad_field() {
        let e = SignUpRequest {
            organization: " ".into(),
            name: "".into(),
            email: "nope".into(),
            password: "short".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.len(), 4);
        assert_eq!(e["organization"], "Organization name is required.");
    }

    #[test]
    fn grace_and_expiry_are_bounded() {
        assert_eq!(grace_period_seconds(None).unwrap(), 0);
        assert_eq!(grace_period_seconds(Some(86_400)).unwrap(), 86_400);
        assert!(grace_period_seconds(Some(86_401)).is_err());
        assert!(expires_in_days(Some(0)).is_err());
        assert_eq!(expires_in_days(Some(90)).unwrap(), Some(90));
    }

    #[test]
    fn role_names_follow_key_rules_and_never_copy_a_built_in_name() {
        assert_eq!(role_name("  Support Desk ").unwrap(), "Support Desk");
        assert!(role_name("ab").is_err());
        let taken = role_name("developer").unwrap_err();
        assert!(taken.contains("Developer"), "{taken}");
        assert!(role_name("BILLING reader").is_err());
        assert!(role_name("Developers").is_ok());
        // Look-alike letters: Cyrillic A and e, Greek omicron.
        for fake in ["\u{0410}dmin", "D\u{0435}veloper", "D\u{03bf}cument Viewer"] {
            assert!(
                role_name(fake).is_err(),
                "{fake} passes for a built-in role"
            );
        }
    }

    #[test]
    fn role_permissions_are_known_unique_and_in_catalogue_order() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            permission_ids(&ids(&[
                "documents.retrieve",
                "renders.retrieve",
                "documents.retrieve"
            ]))
            .unwrap(),
            ids(&["renders.retrieve", "documents.retrieve"])
        );
        assert!(permission_ids(&[]).unwrap_err().contains("at least one"));
        assert!(permission_ids(&ids(&["documents.fly"]))
            .unwrap_err()
            .contains("documents.fly"));
    }
}
