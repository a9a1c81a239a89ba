//! What keys actually do: the platform's key check (`POST /authorize`),
//! which records each answer as usage, and a key's usage over a window.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use keydesk_contract::permissions;
use keydesk_contract::types::{
    Authorization, AuthorizeRequest, KeyUsage, NamedRef, PermissionUsage, UsageDay, WindowQuery,
};
use time::{Date, Duration};

use super::error::Error;
use super::extract::{Json, Query};
use crate::auth::Caller;
use crate::usage::KEPT_DAYS;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/authorize", post(authorize))
        .route("/api-keys/{id}/usage", get(key_usage))
}

#[utoipa::path(
    operation_id = "usage_authorize",
    tag = "Usage",
    post,
    path = "/api/v1/authorize",
    summary = "The platform's key check: may the calling key do this?",
    request_body = keydesk_contract::types::AuthorizeRequest,
    responses((status = 200, description = "Whether the key holds the permission; recorded as usage", body = keydesk_contract::types::Authorization),
        crate::http::openapi::Errors
    ),
    security(("api_key" = [])))]
async fn authorize(
    caller: Caller,
    Json(req): Json<AuthorizeRequest>,
) -> Result<Json<Authorization>, Error> {
    if !caller.is_key() {
        return Err(Error::Unauthenticated(
            "The key check answers for an API key: send it as Authorization: Bearer.",
        ));
    }
    let permission = permissions::find(req.permission.trim()).ok_or_else(|| {
        Error::field(
            "permission",
            format!("There is no permission \u{201c}{}\u{201d}.", req.permission),
        )
    })?;
    let allowed = caller.can(permission.id);
    if allowed {
        caller.exercised(permission.id);
    } else {
        caller.count_refusal();
    }
    Ok(Json(Authorization {
        allowed,
        permission: permission.id.to_string(),
        api_key: NamedRef {
            id: caller.actor.id.clone(),
            name: caller.actor.name.clone(),
        },
        organization: caller.organization.clone(),
    }))
}

/// The window of `?days=`: 1 to 90 days ending today, default 30.
pub(super) fn window(state: &AppState, q: &WindowQuery) -> Result<Vec<String>, Error> {
    let days = i64::from(q.days.unwrap_or(30));
    if !(1..=KEPT_DAYS).contains(&days) {
        return Err(Error::field(
            "days",
            format!("The window is 1 to {KEPT_DAYS} days."),
        ));
    }
    let today = state.clock.now().date();
    let first = today - Duration::days(days - 1);
    Ok((0..days)
        .map(|n| date_text(first + Duration::days(n)))
        .collect())
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[utoipa::path(
    operation_id = "usage_key_usage",
    tag = "Usage",
    get,
    path = "/api/v1/api-keys/{id}/usage",
    summary = "A key's requests per day and the permissions it exercised",
    params(("id" = String, Path, description = "The key's id"), keydesk_contract::types::WindowQuery),
    responses((status = 200, description = "Usage over the window", body = keydesk_contract::types::KeyUsage),
        crate::http::openapi::Errors
    ))]
async fn key_usage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<WindowQuery>,
) -> Result<Json<KeyUsage>, Error> {
    caller.require(permissions::SERVICE_ACCOUNTS_RETRIEVE)?;
    let dates = window(&state, &q)?;
    // What this server counted but has not written yet counts too.
    state.usage.flush().await;
    let key = super::api_keys::find(&state, &caller, &id).await?;
    let counted = state.storage.key_days(&key.id, &dates[0]).await?;
    let days = dates
        .into_iter()
        .map(|date| {
            let found = counted.iter().find(|c| c.day == date);
            UsageDay {
                requests: found.map_or(0, |c| c.requests),
                refused: found.map_or(0, |c| c.refused),
                date,
            }
        })
        .collect::<Vec<_>>();
    let used = state
        .storage
        .permissions_used(&caller.organization.id, &days[0].date)
        .await?
        .remove(&key.id)
        .unwrap_or_default();
    let shown = permissions::union(
        key.permissions
            .iter()
            .map(String::as_str)
            .chain(used.iter().map(|u| u.permission.as_str())),
    );
    let permissions = shown
        .into_iter()
        .map(|p| {
            let u = used.iter().find(|u| u.permission == p);
            PermissionUsage {
                permission: p.to_string(),
                requests: u.map_or(0, |u| u.requests),
                last_used_at: u.map(|u| u.last_used_at.clone()),
            }
        })
        .collect();
    Ok(Json(KeyUsage {
        days,
        permissions,
        last_used_at: key.last_used_at.clone(),
        last_used_from: state.storage.key_last_used_from(&key.id).await?,
    }))
}
