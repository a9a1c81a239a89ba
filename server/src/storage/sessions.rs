//! People's sessions, stored by the SHA-256 digest of their token only.

use super::Storage;

/// A session as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: String,
    pub last_seen_at: String,
    pub expires_at: String,
    /// The one step this session must take before anything else, if any.
    pub restriction: Option<String>,
}

impl Storage {
    pub async fn create_session(
        &self,
        digest: &str,
        user_id: &str,
        now: &str,
        expires_at: &str,
        restriction: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO sessions (digest, user_id, created_at, last_seen_at, expires_at, restriction) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(digest)
        .bind(user_id)
        .bind(now)
        .bind(now)
        .bind(expires_at)
        .bind(restriction)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    pub async fn session(&self, digest: &str) -> Result<Option<SessionRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT user_id, last_seen_at, expires_at, restriction FROM sessions WHERE digest = $1",
        )
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
    }

    /// Records activity, which keeps an idle session alive.
    pub async fn touch_session(&self, digest: &str, now: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE digest = $2")
            .bind(now)
            .bind(digest)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn end_session(&self, digest: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE digest = $1")
            .bind(digest)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Ends every session of a person, except the one with digest `keep`.
    pub async fn end_sessions_of(
        &self,
        user_id: &str,
        keep: Option<&str>,
    ) -> Result<u64, sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND digest <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
    }

    /// Deletes sessions that ended (idle since before `idle_before`, or past
    /// their absolute end); returns how many.
    pub async fn delete_ended_sessions(
        &self,
        idle_before: &str,
        now: &str,
    ) -> Result<u64, sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE last_seen_at <= $1 OR expires_at <= $2")
            .bind(idle_before)
            .bind(now)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
    }
}
