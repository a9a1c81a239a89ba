//! What keys actually do: the platform's key check (`POST /authorize`),
//! which records each answer as usage; a key's usage over a window; the
//! inventory (every key against every permission, also as CSV); and least
//! privilege (the smallest set of roles covering what a key used).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use keydesk_contract::guardrails::{KeyNetworksSeen, SeenNetwork};
use keydesk_contract::permissions;
use keydesk_contract::types::{
    Authorization, AuthorizeRequest, Inventory, InventoryItem, KeyUsage, NamedRef, PermissionUsage,
    Suggestion, UsageDay, WindowQuery,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{Json, Query};
use super::found;
use crate::auth::Caller;
use crate::rules::keys::{self, KeyAction};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(authorize))
        .routes(routes!(key_usage))
        .routes(routes!(networks_seen))
        .routes(routes!(suggestion))
        .routes(routes!(inventory))
        .routes(routes!(inventory_csv))
}

#[utoipa::path(
    operation_id = "usage_authorize",
    tag = "Usage",
    post,
    path = "/authorize",
    summary = "The platform's key check: may the calling key do this?",
    request_body = keydesk_contract::types::AuthorizeRequest,
    responses((status = 200, description = "Whether the key holds the permission; recorded as usage", body = keydesk_contract::types::Authorization),
        crate::http::error::Errors
    ),
    security(("api_key" = [])))]
async fn authorize(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
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
    // The platform's caller's address, believed only from a trusted proxy;
    // else the address this request came from.
    let from_proxy = state.trusted_proxies.iter().any(|r| r.contains(peer.ip()));
    let address = match req.client_address.as_deref().map(str::trim) {
        Some(given) if from_proxy => given.parse().map_err(|_| {
            Error::field(
                "client_address",
                "Send the caller's IP address, e.g. 203.0.113.7.",
            )
        })?,
        _ => caller.client,
    };
    let outside = caller
        .networks()
        .filter(|n| !n.allows(address))
        .map(|n| n.enforce);
    if let Some(enforced) = outside {
        crate::http::alarms::network_refused(&state, &caller.actor.id, address, enforced);
    }
    let reason = if outside == Some(true) {
        Some("network")
    } else if !caller.can(permission.id) {
        Some("permission")
    } else {
        None
    };
    let allowed = reason.is_none();
    if allowed {
        caller.exercised(permission.id);
    } else {
        caller.count_refusal();
    }
    Ok(Json(Authorization {
        reason: reason.map(String::from),
        allowed,
        permission: permission.id.to_string(),
        api_key: NamedRef {
            id: caller.actor.id.clone(),
            name: caller.actor.name.clone(),
        },
        organization: caller.organization.clone(),
    }))
}

#[utoipa::path(
    operation_id = "api_keys_networks_seen",
    tag = "Usage",
    get,
    path = "/api-keys/{id}/networks",
    summary = "Where a key was used from, and the allowlist that would cover it",
    params(("id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "Each network (/24, /64) the key was used from, most requests first, and suggested allowed networks", body = keydesk_contract::guardrails::KeyNetworksSeen),
        crate::http::error::Errors
    ))]
async fn networks_seen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<KeyNetworksSeen>, Error> {
    keys::may(&caller, KeyAction::Read)?;
    let key = found::key(&state, &caller, &id).await?;
    let mut seen: Vec<(String, u64, String)> = state
        .storage
        .key_networks_seen(&key.id)
        .await?
        .into_iter()
        .map(|(network, requests, last)| (network, requests.max(0) as u64, last))
        .collect();
    state.usage.merge_networks(&key.id, &mut seen);
    // Every network it was used from (up to 20), the busiest first: an
    // allowlist that breaks nothing that works today.
    let suggested = seen.iter().take(20).map(|(n, _, _)| n.clone()).collect();
    Ok(Json(KeyNetworksSeen {
        seen: seen
            .into_iter()
            .map(|(network, requests, last_used_at)| SeenNetwork {
                network,
                requests,
                last_used_at,
            })
            .collect(),
        suggested,
    }))
}

/// The days of the `?days=` window, ending today by the server's clock.
fn window(state: &AppState, q: &WindowQuery) -> Result<Vec<String>, Error> {
    crate::usage::window(state.clock.now(), q.days).map_err(|m| Error::field("days", m))
}

#[utoipa::path(
    operation_id = "usage_key_usage",
    tag = "Usage",
    get,
    path = "/api-keys/{id}/usage",
    summary = "A key's requests per day and the permissions it exercised",
    params(("id" = String, Path, description = "The key's id"), keydesk_contract::types::WindowQuery),
    responses((status = 200, description = "Usage over the window", body = keydesk_contract::types::KeyUsage),
        crate::http::error::Errors
    ))]
async fn key_usage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<WindowQuery>,
) -> Result<Json<KeyUsage>, Error> {
    keys::may(&caller, KeyAction::Read)?;
    let dates = window(&state, &q)?;
    let key = found::key(&state, &caller, &id).await?;
    // What this server counted but has not written yet counts too, merged
    // into the read: a GET writes nothing.
    let mut counted = state.storage.key_days(&key.id, &dates[0]).await?;
    state.usage.merge_days(&key.id, &dates[0], &mut counted);
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
    let used = used_in_window(&state, &caller, Some(&key.id), &q)
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
    let (last_used_at, last_used_from) = state.usage.last_use(
        &key.id,
        key.last_used_at.clone(),
        key.last_used_from.clone(),
    );
    // The usage view shows least privilege too: one request for the dialog.
    let book = state.storage.role_book(&caller.organization.id).await?;
    let suggestion = crate::usage::suggest(&key, &used, &book);
    Ok(Json(KeyUsage {
        days,
        permissions,
        last_used_at,
        last_used_from,
        suggestion: Some(suggestion),
    }))
}

/// What each key of the organization (or only `key_id`) used in the
/// window, counting what this server has not written yet.
async fn used_in_window(
    state: &AppState,
    caller: &Caller,
    key_id: Option<&str>,
    q: &WindowQuery,
) -> Result<std::collections::BTreeMap<String, Vec<crate::storage::PermissionUse>>, Error> {
    let dates = window(state, q)?;
    let mut used = state
        .storage
        .permissions_used(&caller.organization.id, key_id, &dates[0])
        .await?;
    state.usage.merge_permissions(key_id, &dates[0], &mut used);
    Ok(used)
}

async fn inventory_of(
    state: &AppState,
    caller: &Caller,
    q: &WindowQuery,
) -> Result<Inventory, Error> {
    keys::may(caller, KeyAction::Read)?;
    let mut used = used_in_window(state, caller, None, q).await?;
    let keys = state.storage.all_keys(&caller.organization.id).await?;
    // A decoy grants nothing and is never used: it is no part of the inventory.
    let items = keys
        .into_iter()
        .filter(|key| key.status != keydesk_contract::types::ApiKeyStatus::Decoy)
        .map(|key| {
            let uses = used.remove(&key.id).unwrap_or_default();
            InventoryItem {
                used: permissions::union(uses.iter().map(|u| u.permission.as_str()))
                    .into_iter()
                    .map(String::from)
                    .collect(),
                last_used_at: state.usage.last_used(&key.id, key.last_used_at.clone()),
                api_key: NamedRef {
                    id: key.id,
                    name: key.name,
                },
                status: key.status,
                roles: key.roles,
                granted: key.permissions,
            }
        })
        .collect();
    Ok(Inventory {
        permissions: permissions::CATALOGUE
            .iter()
            .map(|p| p.id.to_string())
            .collect(),
        items,
    })
}

#[utoipa::path(
    operation_id = "usage_inventory",
    tag = "Usage",
    get,
    path = "/inventory",
    summary = "Every key against every permission: used, granted but unused, or neither",
    params(keydesk_contract::types::WindowQuery),
    responses((status = 200, description = "The matrix", body = keydesk_contract::types::Inventory),
        crate::http::error::Errors
    ))]
async fn inventory(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<WindowQuery>,
) -> Result<Json<Inventory>, Error> {
    Ok(Json(inventory_of(&state, &caller, &q).await?))
}

#[utoipa::path(
    operation_id = "usage_inventory_csv",
    tag = "Usage",
    get,
    path = "/inventory.csv",
    summary = "The inventory as CSV: a row per key, a column per permission",
    params(keydesk_contract::types::WindowQuery),
    responses((status = 200, description = "`used`, `unused` (granted, not used) or empty per cell", content_type = "text/csv", body = String),
        crate::http::error::Errors
    ))]
async fn inventory_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<WindowQuery>,
) -> Result<Response, Error> {
    let inventory = inventory_of(&state, &caller, &q).await?;
    let mut csv = String::from("key,key_id,status,last_used_at");
    for p in &inventory.permissions {
        csv.push(',');
        csv.push_str(&csv_cell(p));
    }
    csv.push_str("\r\n");
    for item in &inventory.items {
        csv.push_str(&format!(
            "{},{},{},{}",
            csv_cell(&item.api_key.name),
            csv_cell(&item.api_key.id),
            item.status.as_str(),
            item.last_used_at.as_deref().unwrap_or("")
        ));
        for p in &inventory.permissions {
            csv.push(',');
            csv.push_str(item.cell(p).as_str());
        }
        csv.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"keydesk-inventory.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// A CSV field: quoted when it must be, and never read as a formula by a
/// spreadsheet (a leading `=`, `+`, `-` or `@` gets a `'`).
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[utoipa::path(
    operation_id = "usage_suggestion",
    tag = "Usage",
    get,
    path = "/api-keys/{id}/suggestion",
    summary = "Least privilege: what the key did not use, and the smallest set of roles that covers what it did",
    params(("id" = String, Path, description = "The key's id"), keydesk_contract::types::WindowQuery),
    responses((status = 200, description = "The suggestion", body = keydesk_contract::types::Suggestion),
        crate::http::error::Errors
    ))]
async fn suggestion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<WindowQuery>,
) -> Result<Json<Suggestion>, Error> {
    keys::may(&caller, KeyAction::Read)?;
    let key = found::key(&state, &caller, &id).await?;
    let used = used_in_window(&state, &caller, Some(&key.id), &q)
        .await?
        .remove(&key.id)
        .unwrap_or_default();
    let book = state.storage.role_book(&caller.organization.id).await?;
    Ok(Json(crate::usage::suggest(&key, &used, &book)))
}
