//! The audit trail: who changed what, and when, newest first.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use keydesk_contract::types::{AuditPage, PageQuery};

use super::error::Error;
use super::extract::{Json, Query};
use crate::auth::Caller;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit-events", get(list))
}

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PageQuery>,
) -> Result<Json<AuditPage>, Error> {
    caller.require("audit-events.retrieve")?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let page = state
        .storage
        .list_audit(&caller.organization.id, query.cursor.as_deref(), limit)
        .await?;
    Ok(Json(page))
}
