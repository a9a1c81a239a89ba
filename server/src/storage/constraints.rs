//! Which uniqueness rule a failed write broke. Writes rely on the database's
//! unique constraints instead of checking first (which would race); this
//! turns the engine's report of a violation into the rule's name, so the
//! layers above never read engine-specific error text.

/// The uniqueness rules of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// One account per email, across organizations.
    UserEmail,
    /// One key per name (case-insensitive) within an organization.
    KeyName,
}

impl Unique {
    /// The constraint's name in the schema.
    fn constraint(self) -> &'static str {
        match self {
            Unique::UserEmail => "users_email_unique",
            Unique::KeyName => "api_keys_name_unique",
        }
    }

    /// SQLite names the violated columns rather than the constraint.
    fn sqlite_columns(self) -> &'static str {
        match self {
            Unique::UserEmail => "users.email",
            Unique::KeyName => "api_keys.organization_id, api_keys.name_key",
        }
    }
}

/// Whether `error` is a violation of `rule`.
pub fn violates(error: &sqlx::Error, rule: Unique) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    db.is_unique_violation()
        && (db.constraint() == Some(rule.constraint())
            || db.message().contains(rule.sqlite_columns()))
}
