//! Which schema rule a failed write broke. Writes rely on the database's
//! constraints instead of checking first (which would race); this turns the
//! engine's report of a violation into the rule's name, so the layers above
//! never read engine-specific error text.

/// The rules the schema enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// One account per email, across organizations.
    UserEmail,
    /// One key per name (case-insensitive) within an organization.
    KeyName,
    /// One role per name (case-insensitive) within an organization.
    RoleName,
    /// A custom role given to a key or person exists in its organization
    /// (a trigger; it fails when the role was removed meanwhile).
    RoleExists,
}

impl Rule {
    /// The constraint's (or trigger's message's) name in the schema.
    fn constraint(self) -> &'static str {
        match self {
            Rule::UserEmail => "users_email_unique",
            Rule::KeyName => "api_keys_name_unique",
            Rule::RoleName => "roles_name_unique",
            Rule::RoleExists => "role_exists",
        }
    }

    /// SQLite names the violated columns of a unique constraint rather than
    /// the constraint; a trigger's message is its own text.
    fn sqlite_message(self) -> &'static str {
        match self {
            Rule::UserEmail => "users.email",
            Rule::KeyName => "api_keys.organization_id, api_keys.name_key",
            Rule::RoleName => "roles.organization_id, roles.name_key",
            Rule::RoleExists => "role_exists",
        }
    }
}

/// Whether `error` is a violation of `rule`.
pub fn violates(error: &sqlx::Error, rule: Rule) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    let named =
        db.constraint() == Some(rule.constraint()) || db.message().contains(rule.sqlite_message());
    match rule {
        Rule::RoleExists => named,
        _ => db.is_unique_violation() && named,
    }
}
