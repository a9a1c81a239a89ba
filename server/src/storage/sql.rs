//! Statements put together at run time (filters, `IN` lists). sqlx's own
//! `QueryBuilder` writes `?` placeholders for the engine-neutral `Any`
//! driver, which PostgreSQL does not read; this writes `$1, $2, …`, which
//! both engines do.

use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::{Any, Arguments, FromRow};

/// A statement and the values bound to its placeholders, in order.
#[derive(Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

enum Value {
    Text(String),
    Integer(i64),
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Sql {
            text: text.into(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text as is.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind_text(&mut self, value: impl Into<String>) -> &mut Self {
        self.values.push(Value::Text(value.into()));
        self.placeholder()
    }

    /// Appends a placeholder for `value`.
    pub fn bind_integer(&mut self, value: i64) -> &mut Self {
        self.values.push(Value::Integer(value));
        self.placeholder()
    }

    /// Appends `(`, a placeholder per value separated by commas, and `)`.
    pub fn bind_list<'a>(&mut self, values: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.text.push('(');
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind_text(value);
        }
        self.text.push(')');
        self
    }

    fn placeholder(&mut self) -> &mut Self {
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// The statement, ready to run, reading rows as `T`.
    pub fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut args = AnyArguments::default();
        for value in &self.values {
            // Adding a text or an integer cannot fail.
            match value {
                Value::Text(text) => args.add(text.as_str()),
                Value::Integer(n) => args.add(*n),
            }
            .expect("text and integers always encode");
        }
        sqlx::query_as_with(&self.text, args)
    }
}

#[cfg(test)]
mod tests {
    use super::Sql;

    #[test]
    fn placeholders_are_numbered_in_order_of_appearance() {
        let mut q = Sql::new("SELECT a FROM t WHERE b = ");
        q.bind_text("x").push(" AND c IN ").bind_list(["p", "q"]);
        q.push(" LIMIT ").bind_integer(5);
        assert_eq!(
            q.text,
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4"
        );
        assert_eq!(q.values.len(), 4);
    }
}
