//! Event destinations (docs/api.md, "Signals out"): signed webhooks an
//! organization points at its own endpoints. Reading needs
//! `accounts.retrieve`, changing `accounts.update`. A URL is refused (422
//! on `url`) unless it is HTTPS and resolves to public addresses, unless
//! the operator allows private destinations.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use keydesk_contract::events::{
    self as contract, CreateDestination, CreatedDestination, DeliveryPage, Destination, Replay,
    RotatedSecret, UpdateDestination,
};
use keydesk_contract::permissions;
use keydesk_contract::types::PageQuery;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{Json, Query};
use crate::auth::Caller;
use crate::events::deliverer::SECRET_PURPOSE;
use crate::events::signing::SigningSecret;
use crate::storage::{NewDestination, Storage};
use crate::AppState;

/// How long a rotated-out secret still signs deliveries.
const ROTATION_OVERLAP_SECONDS: i64 = 24 * 60 * 60;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, remove))
        .routes(routes!(rotate_secret))
        .routes(routes!(deliveries))
        .routes(routes!(send_test))
        .routes(routes!(replay))
}

const NOT_FOUND: &str = "event destination";

/// `status` when the destination was found (and acted on), else 404.
fn found(found: bool, status: StatusCode) -> Result<StatusCode, Error> {
    if found {
        Ok(status)
    } else {
        Err(Error::NotFound(NOT_FOUND))
    }
}

#[utoipa::path(
    operation_id = "event_destinations_list",
    tag = "Events",
    get,
    path = "/event-destinations",
    summary = "Where the organization's events are sent",
    responses((status = 200, description = "Every destination, oldest first", body = [keydesk_contract::events::Destination]),
        crate::http::error::Errors
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Destination>>, Error> {
    caller.require(permissions::ACCOUNTS_RETRIEVE)?;
    Ok(Json(
        state
            .storage
            .list_destinations(&caller.organization.id)
            .await?,
    ))
}

/// 422 on `url` unless events may go there now.
async fn check_url(state: &AppState, url: &str) -> Result<(), Error> {
    crate::events::address::resolve(url, state.allow_private_destinations)
        .await
        .map(|_| ())
        .map_err(|why| Error::field("url", why.0))
}

#[utoipa::path(
    operation_id = "event_destinations_create",
    tag = "Events",
    post,
    path = "/event-destinations",
    summary = "Send events to an endpoint",
    description = "Answers the signing secret once (`whsec_…`); keydesk keeps it sealed and never shows it again.",
    request_body = keydesk_contract::events::CreateDestination,
    responses((status = 201, description = "The destination and its signing secret", body = keydesk_contract::events::CreatedDestination),
        crate::http::error::Errors
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateDestination>,
) -> Result<(StatusCode, Json<CreatedDestination>), Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let url = req.url.trim();
    contract::validate(url, &req.description, &req.events).map_err(Error::Validation)?;
    check_url(&state, url).await?;
    let secret = SigningSecret::random();
    let id = Storage::new_destination_id();
    let sealed = state
        .server_key
        .seal(SECRET_PURPOSE, &id, secret.text().as_bytes());
    let destination = state
        .storage
        .create_destination(
            caller.author(),
            NewDestination {
                id: &id,
                url,
                description: req.description.trim(),
                events: &req.events,
                secret: &sealed,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedDestination {
            destination,
            signing_secret: secret.text(),
        }),
    ))
}

#[utoipa::path(
    operation_id = "event_destinations_update",
    tag = "Events",
    patch,
    path = "/event-destinations/{id}",
    summary = "Change a destination, or switch it off or on",
    params(("id" = String, Path, description = "The destination's id")),
    request_body = keydesk_contract::events::UpdateDestination,
    responses((status = 200, description = "The destination as it now is", body = keydesk_contract::events::Destination),
        crate::http::error::Errors
    ))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(mut req): Json<UpdateDestination>,
) -> Result<Json<Destination>, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let mut problems = keydesk_contract::types::FieldErrors::new();
    if let Some(url) = req.url.as_mut() {
        *url = url.trim().to_string();
        if let Some(message) = contract::url_problem(url) {
            problems.insert("url".into(), message);
        }
    }
    if let Some(description) = req.description.as_mut() {
        *description = description.trim().to_string();
        if description.chars().count() > contract::DESCRIPTION_MAX_CHARS {
            problems.insert(
                "description".into(),
                format!("At most {} characters.", contract::DESCRIPTION_MAX_CHARS),
            );
        }
    }
    if let Some(message) = req.events.as_deref().and_then(contract::events_problem) {
        problems.insert("events".into(), message);
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    if let Some(url) = &req.url {
        check_url(&state, url).await?;
    }
    state
        .storage
        .update_destination(caller.author(), &id, &req)
        .await?
        .map(Json)
        .ok_or(Error::NotFound(NOT_FOUND))
}

#[utoipa::path(
    operation_id = "event_destinations_delete",
    tag = "Events",
    delete,
    path = "/event-destinations/{id}",
    summary = "Stop sending events to a destination, and forget its deliveries",
    params(("id" = String, Path, description = "The destination's id")),
    responses((status = 204, description = "Removed"),
        crate::http::error::Errors
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let removed = state
        .storage
        .delete_destination(caller.author(), &id)
        .await?;
    found(removed, StatusCode::NO_CONTENT)
}

#[utoipa::path(
    operation_id = "event_destinations_rotate_secret",
    tag = "Events",
    post,
    path = "/event-destinations/{id}/rotate-secret",
    summary = "A new signing secret; the old one also signs for 24 hours",
    params(("id" = String, Path, description = "The destination's id")),
    responses((status = 200, description = "The new secret, shown once", body = keydesk_contract::events::RotatedSecret),
        crate::http::error::Errors
    ))]
async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RotatedSecret>, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let secret = SigningSecret::random();
    let sealed = state
        .server_key
        .seal(SECRET_PURPOSE, &id, secret.text().as_bytes());
    let until = crate::time_format::format(
        state.clock.now() + time::Duration::seconds(ROTATION_OVERLAP_SECONDS),
    );
    if state
        .storage
        .rotate_destination_secret(caller.author(), &id, &sealed, &until)
        .await?
    {
        Ok(Json(RotatedSecret {
            signing_secret: secret.text(),
        }))
    } else {
        Err(Error::NotFound(NOT_FOUND))
    }
}

#[utoipa::path(
    operation_id = "event_destinations_deliveries",
    tag = "Events",
    get,
    path = "/event-destinations/{id}/deliveries",
    summary = "What was sent to a destination and how it went, newest first",
    params(("id" = String, Path, description = "The destination's id"), PageQuery),
    responses((status = 200, description = "One page of deliveries", body = keydesk_contract::events::DeliveryPage),
        crate::http::error::Errors
    ))]
async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<DeliveryPage>, Error> {
    caller.require(permissions::ACCOUNTS_RETRIEVE)?;
    state
        .storage
        .destination(&caller.organization.id, &id)
        .await?
        .ok_or(Error::NotFound(NOT_FOUND))?;
    let cursor = match page.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| Error::BadRequest("The cursor is not one this API gave.".into()))?,
        ),
    };
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let (items, next_cursor) = state.storage.list_deliveries(&id, cursor, limit).await?;
    Ok(Json(DeliveryPage { items, next_cursor }))
}

#[utoipa::path(
    operation_id = "event_destinations_test",
    tag = "Events",
    post,
    path = "/event-destinations/{id}/test",
    summary = "Send a `ping` event to a destination",
    params(("id" = String, Path, description = "The destination's id")),
    responses((status = 202, description = "Queued; its delivery shows in the log"),
        crate::http::error::Errors
    ))]
async fn send_test(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let queued = state
        .storage
        .queue_ping(&caller.organization.id, &id)
        .await?;
    found(queued, StatusCode::ACCEPTED)
}

#[utoipa::path(
    operation_id = "event_destinations_replay",
    tag = "Events",
    post,
    path = "/event-destinations/{id}/replay",
    summary = "Send again every event since a moment",
    params(("id" = String, Path, description = "The destination's id")),
    request_body = keydesk_contract::events::Replay,
    responses((status = 202, description = "Queued, in order, after what is already queued"),
        crate::http::error::Errors
    ))]
async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Replay>,
) -> Result<StatusCode, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let since = crate::time_format::parse_rfc3339(&req.since)
        .ok_or_else(|| Error::field("since", "Enter a date and time (RFC 3339)."))?;
    if since > state.clock.now() {
        return Err(Error::field("since", "Pick a moment in the past."));
    }
    let first_kept = crate::events::retention::first_kept(&state.clock, state.events_kept_days);
    if since < first_kept {
        let days = state.events_kept_days;
        return Err(Error::field(
            "since",
            format!("Events are kept for {days} days: pick a moment in the last {days} days."),
        ));
    }
    let queued = state
        .storage
        .replay(
            &caller.organization.id,
            &id,
            &crate::time_format::format(since),
        )
        .await?;
    found(queued.is_some(), StatusCode::ACCEPTED)
}
