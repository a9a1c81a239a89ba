//! Which schema rule a failed write broke. Writes rely on the database's
//! constraints instead of checking first (which would race); this turns the
//! engine's report of a violation into the rule's name, so the layers above
//! never read engine-specific error text.

/// The rules the schema enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// One joined account per email, across organizations.
    UserEmail,
    /// One person per email within an organization (placeholders included).
    OrganizationEmail,
    /// One key per name (case-insensitive) within an organization.
    KeyName,
    /// One role per name (case-insensitive) within an organization.
    RoleName,
    /// A custom role given to a key or person exists in its organization
    /// (a trigger; it fails when the role was removed meanwhile).
    RoleExists,
    /// A passkey (its credential id) belongs to one person only.
    PasskeyCredential,
    /// An email domain belongs to one organization's single sign-on.
    SsoDomain,
}

impl Rule {
    /// The constraint's (or trigger's message's) name in the schema.
    fn constraint(self) -> &'static str {
        match self {
            Rule::UserEmail => "users_email_unique",
            Rule::OrganizationEmail => "users_organization_email_unique",
            Rule::KeyName => "api_keys_name_unique",
            Rule::RoleName => "roles_name_unique",
            Rule::RoleExists => "role_exists",
            Rule::PasskeyCredential => "passkeys_credential_id_key",
            Rule::SsoDomain => "sso_domains_pkey",
        }
    }

    /// SQLite names the violated columns of a unique constraint rather than
    /// the constraint; a trigger's message is its own text.
    fn sqlite_message(self) -> &'static str {
        match self {
            Rule::UserEmail => "users.email",
            Rule::OrganizationEmail => "users.organization_id, users.email",
            Rule::KeyName => "api_keys.organization_id, api_keys.name_key",
            Rule::RoleName => "roles.organization_id, roles.name_key",
            Rule::RoleExists => "role_exists",
            Rule::PasskeyCredential => "passkeys.credential_id",
            Rule::SsoDomain => "sso_domains.domain",
        }
    }
}

/// Whether `error` is a violation of `rule`.
pub fn violates(error: &sqlx::Error, rule: Rule) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    // SQLite: "UNIQUE constraint failed: <columns>", compared whole (one
    // rule's columns may be the end of another's).
    let sqlite_columns = db.message().rsplit(": ").next().unwrap_or_default();
    let named = db.constraint() == Some(rule.constraint())
        || sqlite_columns == rule.sqlite_message()
        || (rule == Rule::RoleExists && db.message().contains(rule.sqlite_message()));
    match rule {
        Rule::RoleExists => named,
        _ => db.is_unique_violation() && named,
    }
}

/// Whether `error` means the database cannot answer right now (down,
/// restarting, unreachable, overloaded, or a write that lost a conflict):
/// the request may succeed if tried again, so it answers 503, not 500.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    use sqlx::Error as E;
    match error {
        E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed => true,
        E::Protocol(_) => true,
        E::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL SQLSTATE: connection exceptions (08…), the server
            // shutting down or starting (57P01–57P03), too many connections
            // (53300), serialization failures and deadlocks (40001, 40P01).
            // SQLite: still busy or locked after the busy timeout (5, 6).
            code.starts_with("08")
                || matches!(
                    code.as_ref(),
                    "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01" | "5" | "6"
                )
        }
        _ => false,
    }
}
