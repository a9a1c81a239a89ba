//! The audit trail: who changed what, and when, newest first. A reader sees
//! every event, but an event's details (emails, addresses, what changed)
//! only where their other permissions would show them the same thing.

use axum::extract::State;
use keydesk_contract::permissions;
use keydesk_contract::types::{ActorKind, AuditEvent, AuditPage, AuditTargetKind, PageQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{Json, Query};
use crate::auth::Caller;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(
    operation_id = "audit_list",
    tag = "Audit trail",
    get,
    path = "/audit-events",
    summary = "The audit trail",
    params(keydesk_contract::types::PageQuery),
    responses((status = 200, description = "Audit events, newest first", body = keydesk_contract::types::AuditPage),
        crate::http::error::Errors
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PageQuery>,
) -> Result<Json<AuditPage>, Error> {
    caller.require(permissions::AUDIT_EVENTS_RETRIEVE)?;
    let limit = keydesk_contract::validation::page_size(query.limit);
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    if cursor.is_some_and(|c| !is_cursor(c)) {
        return Err(Error::BadRequest("The cursor is not valid.".into()));
    }
    let mut page = state
        .storage
        .list_audit(&caller.organization.id, cursor, limit)
        .await?;
    for event in &mut page.items {
        hide_what_the_reader_may_not_see(event, &caller);
    }
    Ok(Json(page))
}

/// A cursor as this server hands them out: `<time>~<event id>`.
fn is_cursor(c: &str) -> bool {
    c.split_once('~').is_some_and(|(at, id)| {
        at.len() == 27
            && at.is_ascii()
            && crate::time_format::parse(at).is_some()
            && !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// The permission that shows the details of events about this kind of thing.
fn needed_for_details(kind: AuditTargetKind) -> &'static str {
    match kind {
        AuditTargetKind::User => permissions::USERS_RETRIEVE,
        AuditTargetKind::ApiKey => permissions::SERVICE_ACCOUNTS_RETRIEVE,
        AuditTargetKind::Role => permissions::ROLES_RETRIEVE,
        AuditTargetKind::Organization => permissions::ACCOUNTS_RETRIEVE,
    }
}

/// Details, and the names of people and keys, only for readers who could
/// read those people and keys anyway; the ids stay, so events still line up.
fn hide_what_the_reader_may_not_see(event: &mut AuditEvent, reader: &Caller) {
    if !reader.can(needed_for_details(event.target.kind)) {
        event.details = serde_json::json!({});
        event.target.name = String::new();
    }
    let actor_kind = match event.actor.kind {
        ActorKind::User => AuditTargetKind::User,
        ActorKind::ApiKey => AuditTargetKind::ApiKey,
    };
    if !reader.can(needed_for_details(actor_kind)) {
        event.actor.name = String::new();
    }
}
