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
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(export))
}

/// Events read per step of an export: memory stays one page, whatever the
/// trail's length.
const EXPORT_PAGE: u32 = 500;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
struct ExportQuery {
    /// From this time on (RFC 3339), inclusive; default: the beginning.
    since: Option<String>,
    /// Up to this time (RFC 3339), inclusive; default: now.
    until: Option<String>,
}

#[utoipa::path(
    operation_id = "audit_export",
    tag = "Audit trail",
    get,
    path = "/audit-events/export",
    summary = "Export the audit trail as NDJSON (for a SIEM)",
    params(ExportQuery),
    responses((status = 200, description = "One `AuditEvent` per line, oldest first, streamed (`application/x-ndjson`); a SIEM polls with `since` set to the last `at` it has", content_type = "application/x-ndjson", body = keydesk_contract::types::AuditEvent),
        crate::http::error::Errors
    ))]
async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ExportQuery>,
) -> Result<axum::response::Response, Error> {
    use axum::response::IntoResponse;
    caller.require(permissions::AUDIT_EVENTS_RETRIEVE)?;
    let time = |field: &str, value: Option<String>| -> Result<Option<String>, Error> {
        match value.filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => crate::time_format::parse_rfc3339(&v)
                .map(|t| Some(crate::time_format::format(t)))
                .ok_or_else(|| {
                    Error::BadRequest(format!(
                        "{field} must be an RFC 3339 time, e.g. 2026-11-30T12:00:00Z."
                    ))
                }),
        }
    };
    let since = time("since", query.since)?;
    let until = time("until", query.until)?
        .unwrap_or_else(|| crate::time_format::format(state.clock.now()));
    // Just before `since`: events at exactly `since` are included.
    let start = (since.unwrap_or_default(), String::new());
    let organization = caller.organization.id.clone();
    let pages = futures_util::stream::unfold(
        (Some(start), state, caller, organization, until),
        |(after, state, caller, organization, until)| async move {
            let (at, id) = after?;
            let page = state
                .storage
                .audit_after(&organization, (&at, &id), &until, EXPORT_PAGE)
                .await;
            let events = match page {
                Ok(events) => events,
                Err(e) => {
                    tracing::error!(error = %e, "audit export stopped");
                    return Some((
                        Err(std::io::Error::other("the export stopped")),
                        (None, state, caller, organization, until),
                    ));
                }
            };
            if events.is_empty() {
                return None;
            }
            let next = (events.len() == EXPORT_PAGE as usize)
                .then(|| events.last().map(|e| (e.at.clone(), e.id.clone())))
                .flatten();
            let mut chunk = Vec::with_capacity(events.len() * 256);
            for mut event in events {
                hide_what_the_reader_may_not_see(&mut event, &caller);
                serde_json::to_writer(&mut chunk, &event).expect("an event serializes");
                chunk.push(b'\n');
            }
            Some((
                Ok(axum::body::Bytes::from(chunk)),
                (next, state, caller, organization, until),
            ))
        },
    );
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(pages),
    )
        .into_response())
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
        // keydesk's own name for itself hides nothing.
        ActorKind::System => return,
    };
    if !reader.can(needed_for_details(actor_kind)) {
        event.actor.name = String::new();
    }
}
