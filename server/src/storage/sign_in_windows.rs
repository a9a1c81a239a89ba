//! The sign-in throttle's windows (`auth::throttle` decides; this keeps
//! them). Counting locks the windows' own rows (PostgreSQL: `FOR UPDATE`, in
//! one order so two attempts never wait on each other; SQLite: its one
//! writer), so attempts racing on any number of replicas are each counted
//! before any password is checked, and attempts on other accounts and
//! addresses, and every other write, do not wait for them.

use std::collections::HashMap;

use super::{Engine, Storage};

/// One counting window as stored: times are fixed-width RFC 3339 text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWindow {
    pub count: i64,
    pub since: String,
    pub next_allowed: String,
}

impl Storage {
    /// Reads the windows of `subjects`, lets `decide` change them (`None`
    /// removes one), writes them back, all in one write transaction.
    pub async fn update_sign_in_windows<R>(
        &self,
        subjects: &[&str],
        decide: impl FnOnce(&mut HashMap<String, Option<StoredWindow>>) -> R,
    ) -> Result<R, sqlx::Error> {
        let mut subjects = subjects.to_vec();
        subjects.sort_unstable();
        subjects.dedup();
        let (mut tx, lock) = match self.engine {
            Engine::Sqlite => (self.write().await?, ""),
            Engine::Postgres => {
                let mut tx = self.pool.begin().await?;
                for subject in &subjects {
                    // A row to lock, even for a subject seen for the first time.
                    sqlx::query(
                        "INSERT INTO sign_in_windows (subject, count, since, next_allowed) \
                         VALUES ($1, 0, '', '') ON CONFLICT (subject) DO NOTHING",
                    )
                    .bind(*subject)
                    .execute(&mut *tx)
                    .await?;
                }
                (tx, " FOR UPDATE")
            }
        };
        let mut windows = HashMap::new();
        for subject in &subjects {
            let row: Option<(i64, String, String)> = sqlx::query_as(&format!(
                "SELECT count, since, next_allowed FROM sign_in_windows WHERE subject = $1{lock}"
            ))
            .bind(*subject)
            .fetch_optional(&mut *tx)
            .await?;
            let window = row.map(|(count, since, next_allowed)| StoredWindow {
                count,
                since,
                next_allowed,
            });
            windows.insert(subject.to_string(), window);
        }
        let before = windows.clone();
        let answer = decide(&mut windows);
        for (subject, window) in &windows {
            if before.get(subject) == Some(window) {
                continue;
            }
            match window {
                Some(w) => {
                    sqlx::query(
                        "INSERT INTO sign_in_windows (subject, count, since, next_allowed) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (subject) DO UPDATE SET \
                         count = excluded.count, since = excluded.since, \
                         next_allowed = excluded.next_allowed",
                    )
                    .bind(subject)
                    .bind(w.count)
                    .bind(&w.since)
                    .bind(&w.next_allowed)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM sign_in_windows WHERE subject = $1")
                        .bind(subject)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(answer)
    }

    /// Removes windows that started before `before` (all of them ended).
    pub async fn delete_ended_sign_in_windows(&self, before: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sign_in_windows WHERE since < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}
