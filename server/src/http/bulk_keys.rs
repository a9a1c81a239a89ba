//! Bulk actions on keys (docs/api.md, "Guardrails on keys"): disable,
//! enable or remove several keys. The preview says, for each key, whether
//! the caller may, why not, and what it did this week; the action is all or
//! nothing: one unknown (or another organization's) id answers 404 naming
//! it, one the caller may not act on answers 403 naming it, and nothing
//! changes. Each key's change is audited as if made alone.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keydesk_contract::bulk::{
    self as contract, BulkAction, BulkPreview, BulkPreviewItem, BulkRequest, BulkResult,
};
use keydesk_contract::types::{ApiKey, NamedRef};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::Json;
use super::outcome;
use crate::auth::Caller;
use crate::rules::keys::{self, KeyAction};
use crate::rules::Refusal;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview))
        .routes(routes!(apply))
}

fn key_action(action: BulkAction) -> KeyAction {
    match action {
        BulkAction::Disable | BulkAction::Enable => KeyAction::Switch,
        BulkAction::Delete => KeyAction::Remove,
    }
}

/// Why the caller may not apply `action` to `key`, if they may not.
fn refusal(caller: &Caller, key: &ApiKey, action: BulkAction) -> Option<String> {
    let decided = match action {
        BulkAction::Disable => keys::switch(caller, key, true),
        BulkAction::Enable => keys::switch(caller, key, false),
        BulkAction::Delete => keys::remove(caller, key),
    };
    decided.err().map(|refused| match refused {
        Refusal::Forbidden(denied) => denied.0,
        Refusal::Conflict(why) => why.to_string(),
        Refusal::Invalid(fields) => fields.into_values().collect::<Vec<_>>().join(" "),
    })
}

/// The keys with these ids, in order; 404 naming every id not found.
async fn keys_named(
    state: &AppState,
    caller: &Caller,
    ids: &[String],
) -> Result<Vec<ApiKey>, Error> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        match state.storage.get_key(&caller.organization.id, id).await? {
            Some(key) => found.push(key),
            None => missing.push(id.as_str()),
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(Error::Missing(format!(
            "No such API key: {}. Nothing was changed.",
            missing.join(", ")
        )))
    }
}

#[utoipa::path(
    operation_id = "api_keys_bulk_preview",
    tag = "API keys",
    post,
    path = "/api-keys/bulk/preview",
    summary = "What a bulk action would do to each key, and each key's week",
    request_body = keydesk_contract::bulk::BulkRequest,
    responses((status = 200, description = "Each key: allowed or why not, and its requests in the last 7 days", body = keydesk_contract::bulk::BulkPreview),
        crate::http::error::Errors
    ))]
async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<BulkRequest>,
) -> Result<Json<BulkPreview>, Error> {
    keys::may(&caller, key_action(req.action))?;
    let ids = contract::validate(&req).map_err(Error::Validation)?;
    let keys = keys_named(&state, &caller, &ids).await?;
    let org = &caller.organization.id;
    let window = crate::usage::window(state.clock.now(), Some(7)).map_err(Error::BadRequest)?;
    let first_day = window.first().cloned().unwrap_or_default();
    let written = state.storage.requests_since(org, &first_day).await?;
    let items = keys
        .into_iter()
        .map(|key| {
            let reason = refusal(&caller, &key, req.action);
            let mut pending = Vec::new();
            state.usage.merge_days(&key.id, &first_day, &mut pending);
            BulkPreviewItem {
                requests_last_7_days: written.get(&key.id).copied().unwrap_or(0)
                    + pending.iter().map(|d| d.requests).sum::<u64>(),
                allowed: reason.is_none(),
                reason,
                api_key: NamedRef {
                    id: key.id,
                    name: key.name,
                },
            }
        })
        .collect();
    Ok(Json(BulkPreview { items }))
}

#[utoipa::path(
    operation_id = "api_keys_bulk",
    tag = "API keys",
    post,
    path = "/api-keys/bulk",
    summary = "Disable, enable or remove several keys, all or nothing",
    request_body = keydesk_contract::bulk::BulkRequest,
    responses((status = 200, description = "Each key as it now is (disable, enable)", body = keydesk_contract::bulk::BulkResult),
        (status = 204, description = "Removed (delete)"),
        crate::http::error::Errors
    ))]
async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<BulkRequest>,
) -> Result<Response, Error> {
    keys::may(&caller, key_action(req.action))?;
    let ids = contract::validate(&req).map_err(Error::Validation)?;
    let keys = keys_named(&state, &caller, &ids).await?;
    let refused: Vec<String> = keys
        .iter()
        .filter_map(|key| {
            refusal(&caller, key, req.action).map(|why| format!("{} ({}): {why}", key.name, key.id))
        })
        .collect();
    if !refused.is_empty() {
        return Err(Error::Forbidden(format!(
            "Nothing was changed. You may not {} {}",
            req.action.label().to_lowercase(),
            refused.join("; ")
        )));
    }
    let done = state
        .storage
        .bulk_change(caller.author(), &keys, req.action)
        .await?;
    outcome::answer(&caller, done, outcome::KEY, "change these keys")?;
    if req.action == BulkAction::Delete {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mut items = Vec::new();
    for id in &ids {
        if let Some(key) = state.storage.get_key(&caller.organization.id, id).await? {
            items.push(key);
        }
    }
    Ok(Json(BulkResult { items }).into_response())
}
