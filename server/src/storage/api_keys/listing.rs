//! `GET /api-keys`: search by name, filter by role and status, sort, page.

use keydesk_contract::types::{ApiKeyPage, ApiKeySort, ApiKeyStatus};
use keydesk_contract::validation::name_key;

use super::{KeyFilter, KeyRow, KEY_COLUMNS, KEY_FROM};
use crate::storage::sql::Sql;
use crate::storage::Storage;

/// Restricts a query to keys of one status at time `now`.
fn push_status(q: &mut Sql, status: ApiKeyStatus, now: &str) {
    match status {
        ApiKeyStatus::Decoy => {
            q.push(" AND k.decoy = 1");
            return;
        }
        ApiKeyStatus::Leaked => {
            q.push(" AND k.decoy = 0 AND k.disabled_at IS NOT NULL AND k.leaked_at IS NOT NULL");
            return;
        }
        _ => {
            q.push(" AND k.decoy = 0");
        }
    }
    match status {
        ApiKeyStatus::Decoy | ApiKeyStatus::Leaked => {}
        // Switched off, whatever else is true of it (as the key shows it).
        ApiKeyStatus::Disabled => {
            q.push(" AND k.disabled_at IS NOT NULL AND k.leaked_at IS NULL");
        }
        ApiKeyStatus::Expired => {
            q.push(" AND k.disabled_at IS NULL AND k.expires_at IS NOT NULL AND k.expires_at <= ")
                .bind_text(now);
        }
        ApiKeyStatus::NotGenerated | ApiKeyStatus::Active => {
            q.push(" AND k.disabled_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ")
                .bind_text(now)
                .push(")");
            q.push(if status == ApiKeyStatus::Active {
                " AND k.display_prefix IS NOT NULL"
            } else {
                " AND k.display_prefix IS NULL"
            });
        }
    }
}

/// The conditions after `WHERE` (the caller writes it).
fn push_filters(q: &mut Sql, organization_id: &str, f: &KeyFilter, now: &str) {
    q.push(" k.organization_id = ").bind_text(organization_id);
    if let Some(search) = &f.search {
        let escaped = name_key(search)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND k.name_key LIKE ")
            .bind_text(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    if let Some(role) = &f.role {
        // A non-correlated subquery: both engines read the role's keys once
        // through api_key_roles_by_role_key instead of probing per key.
        q.push(" AND k.id IN (SELECT r.api_key_id FROM api_key_roles r WHERE r.role_id = ")
            .bind_text(role.as_str())
            .push(")");
    }
    if let Some(status) = f.status {
        push_status(q, status, now);
    }
}

impl Storage {
    pub async fn list_keys(
        &self,
        organization_id: &str,
        f: &KeyFilter,
    ) -> Result<ApiKeyPage, sqlx::Error> {
        let now = self.now();

        // The page walks the organization's keys in sort order and stops
        // after `limit` matches, probing each against the role's keys. The
        // count needs every match, so with a role filter it starts from the
        // role's keys instead (api_key_roles_by_role_key): for a role a
        // third of 10,000 keys hold, 3 ms instead of 17 on SQLite. CROSS JOIN
        // keeps SQLite from reordering; PostgreSQL plans it as any inner join.
        let mut count = match &f.role {
            None => Sql::new(format!("SELECT COUNT(*) {KEY_FROM} WHERE")),
            Some(role) => {
                let mut q = Sql::new(
                    "SELECT COUNT(*) FROM api_key_roles r CROSS JOIN api_keys k WHERE r.role_id = ",
                );
                q.bind_text(role.as_str())
                    .push(" AND k.id = r.api_key_id AND");
                q
            }
        };
        let others = KeyFilter {
            role: None,
            ..f.clone()
        };
        push_filters(&mut count, organization_id, &others, &now);

        let mut q = Sql::new(format!("SELECT {KEY_COLUMNS} {KEY_FROM} WHERE"));
        push_filters(&mut q, organization_id, f, &now);
        q.push(match f.sort {
            ApiKeySort::NameAsc => " ORDER BY k.name_key ASC, k.id ASC",
            ApiKeySort::NameDesc => " ORDER BY k.name_key DESC, k.id DESC",
            ApiKeySort::CreatedAsc => " ORDER BY k.created_at ASC, k.id ASC",
            ApiKeySort::CreatedDesc => " ORDER BY k.created_at DESC, k.id DESC",
            ApiKeySort::LastUsed => {
                " ORDER BY (k.last_used_at IS NULL) ASC, k.last_used_at DESC, k.id ASC"
            }
        });
        q.push(" LIMIT ")
            .bind_integer(i64::from(f.limit))
            .push(" OFFSET ")
            .bind_integer(f.offset as i64);
        // The count and the page are independent reads: each on its own
        // connection at once (WAL readers do not wait for each other).
        let ((total,), rows): ((i64,), Vec<KeyRow>) = tokio::try_join!(
            count.query_as().fetch_one(&self.pool),
            q.query_as().fetch_all(&self.pool),
        )?;

        let end = f.offset + rows.len() as u64;
        let next_cursor = (end < total as u64).then(|| end.to_string());
        Ok(ApiKeyPage {
            items: self.with_roles(organization_id, rows).await?,
            next_cursor,
            total: total as u64,
        })
    }
}
