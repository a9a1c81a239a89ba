//! API keys (service accounts): list, create, read, edit, remove, generate the
//! secret, and `/whoami` for a system holding one.
//!
//! Rule 3 (no escalation) is checked on create, edit, generate and remove: a
//! caller may neither give a key permissions they lack nor take over (edit,
//! obtain a fresh secret for, or remove) a key that holds permissions they lack.
//!
//! Every change is decided on a read of the key and written only if the key
//! is still at that version; a client may also send `If-Match: "<version>"`
//! to make its change conditional on the copy it showed the person. Either
//! way a key changed in between answers 409 instead of being overwritten.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use keydesk_contract::types::{
    ApiKey, ApiKeyPage, ApiKeyQuery, CreateApiKeyRequest, GenerateRequest, GeneratedApiKey,
    NamedRef, UpdateApiKeyRequest, WhoAmI,
};
use keydesk_contract::{key_format, permissions, validation};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{Error, ResultExt};
use super::extract::{IfMatch, Json, Query};
use super::found;
use super::outcome::{self, answer};
use crate::auth::Caller;
use crate::rules::keys::{self, KeyAction};
use crate::storage::{KeyFilter, Rule};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(expiry_warnings))
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
        .routes(routes!(generate))
        .routes(routes!(disable))
        .routes(routes!(enable))
        .routes(routes!(whoami))
}

fn name_taken() -> Error {
    Error::field("name", validation::KEY_NAME_TAKEN)
}

/// Refuses a change the client decided on another version than `current`.
fn check_if_match(headers: &HeaderMap, current: &ApiKey) -> Result<(), Error> {
    if IfMatch::from_headers(headers)?.allows(current.version) {
        Ok(())
    } else {
        Err(outcome::changed_meanwhile(outcome::KEY))
    }
}

/// A key with its newest use, including one not yet written.
fn with_last_use(state: &AppState, mut key: ApiKey) -> ApiKey {
    (key.last_used_at, key.last_used_from) =
        state
            .usage
            .last_use(&key.id, key.last_used_at.take(), key.last_used_from.take());
    key
}

#[utoipa::path(
    operation_id = "api_keys_list",
    tag = "API keys",
    get,
    path = "/api-keys",
    summary = "List API keys",
    params(keydesk_contract::types::ApiKeyQuery),
    responses((status = 200, description = "A page of keys and how many match", body = keydesk_contract::types::ApiKeyPage),
        crate::http::error::Errors
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ApiKeyQuery>,
) -> Result<Json<ApiKeyPage>, Error> {
    keys::may(&caller, KeyAction::Read)?;
    let offset = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c
            .parse::<u64>()
            .ok()
            .filter(|n| i64::try_from(*n).is_ok())
            .ok_or_else(|| Error::BadRequest("The cursor is not valid.".into()))?,
    };
    let filter = KeyFilter {
        search: q
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from),
        role: q.role.filter(|r| !r.is_empty()),
        // Unknown sorts and statuses were refused (400) by the query's types.
        status: q.status,
        sort: q.sort.unwrap_or_default(),
        offset,
        limit: validation::page_size(q.limit),
    };
    let mut page = state
        .storage
        .list_keys(&caller.organization.id, &filter)
        .await?;
    page.items = page
        .items
        .into_iter()
        .map(|k| with_last_use(&state, k))
        .collect();
    mark_unused(&state, &mut page.items).await?;
    Ok(Json(page))
}

/// Least privilege at a glance: how many permissions each key older than
/// the usage window has not exercised in it (written counts, and this
/// server's not yet written ones).
async fn mark_unused(state: &AppState, keys: &mut [ApiKey]) -> Result<(), Error> {
    let window = crate::usage::window(state.clock.now(), None).map_err(Error::Internal)?;
    let born_before =
        crate::time_format::format(state.clock.now() - time::Duration::days(window.len() as i64));
    let judged: Vec<&str> = keys
        .iter()
        .filter(|k| k.created_at <= born_before)
        .map(|k| k.id.as_str())
        .collect();
    let used = state.storage.used_by_keys(&judged, &window[0]).await?;
    for key in keys.iter_mut().filter(|k| k.created_at <= born_before) {
        let pending = state.usage.pending_permissions(&key.id);
        let used: std::collections::BTreeSet<&str> = used
            .get(&key.id)
            .into_iter()
            .flatten()
            .chain(pending.iter())
            .map(String::as_str)
            .collect();
        let unused = crate::usage::unused(&key.permissions, &used).count();
        key.unused_permissions = Some(unused as u32);
    }
    Ok(())
}

#[utoipa::path(
    operation_id = "api_keys_create",
    tag = "API keys",
    post,
    path = "/api-keys",
    summary = "Create an API key",
    request_body = keydesk_contract::types::CreateApiKeyRequest,
    responses((status = 201, description = "The new key, without a secret yet", body = keydesk_contract::types::ApiKey),
        crate::http::error::Errors
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateApiKeyRequest>,
) -> Result<(StatusCode, Json<ApiKey>), Error> {
    keys::may(&caller, KeyAction::Create)?;
    let book = state.storage.role_book(&caller.organization.id).await?;
    let valid = keys::create(&caller, &book, &req)?;
    let policy = state.storage.key_policy(&caller.organization.id).await?;
    let expires_at = keys::expiry(
        &policy,
        state.clock.now(),
        req.expires_at.as_deref(),
        valid.expires_in_days,
        None,
    )?;
    let key = state
        .storage
        .create_key(caller.author(), &valid, expires_at.as_deref())
        .await
        .on_constraint(Rule::KeyName, name_taken)
        .on_constraint(Rule::RoleExists, super::error::role_removed)?;
    Ok((StatusCode::CREATED, Json(key)))
}

#[utoipa::path(
    operation_id = "api_keys_expiry_warnings",
    tag = "API keys",
    get,
    path = "/api-keys/expiry-warnings",
    summary = "Keys expiring within 7 days, and expired keys something still calls",
    responses((status = 200, description = "What the API Keys tab warns of", body = keydesk_contract::expiry::ExpiryWarnings),
        crate::http::error::Errors
    ))]
async fn expiry_warnings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<keydesk_contract::expiry::ExpiryWarnings>, Error> {
    keys::may(&caller, KeyAction::Read)?;
    let now = state.clock.now();
    let until = now + time::Duration::days(keydesk_contract::expiry::WARN_DAYS);
    Ok(Json(
        state
            .storage
            .expiry_warnings(
                &caller.organization.id,
                &crate::time_format::format(now),
                &crate::time_format::format(until),
            )
            .await?,
    ))
}

#[utoipa::path(
    operation_id = "api_keys_read",
    tag = "API keys",
    get,
    path = "/api-keys/{id}",
    summary = "Read an API key",
    params(("id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "The key", body = keydesk_contract::types::ApiKey),
        crate::http::error::Errors
    ))]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ApiKey>, Error> {
    keys::may(&caller, KeyAction::Read)?;
    Ok(Json(with_last_use(
        &state,
        found::key(&state, &caller, &id).await?,
    )))
}

#[utoipa::path(
    operation_id = "api_keys_update",
    tag = "API keys",
    patch,
    path = "/api-keys/{id}",
    summary = "Edit an API key",
    params(("id" = String, Path, description = "The key's id"), ("If-Match" = Option<String>, Header, description = "The version the change was decided on, e.g. `\"3\"`")),
    request_body = keydesk_contract::types::UpdateApiKeyRequest,
    responses((status = 200, description = "The key as it now is", body = keydesk_contract::types::ApiKey),
        crate::http::error::Errors
    ))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<UpdateApiKeyRequest>,
) -> Result<Json<ApiKey>, Error> {
    keys::may(&caller, KeyAction::Edit)?;
    let current = found::key(&state, &caller, &id).await?;
    check_if_match(&headers, &current)?;
    let book = state.storage.role_book(&caller.organization.id).await?;
    let networks = keys::networks(&caller, &current, &req)?;
    let change = keys::edit(&caller, &book, &current, &req)?;
    let only_networks =
        networks.is_some() && change == keydesk_contract::validation::ValidKeyChange::default();
    let mut key = current;
    if !only_networks {
        let updated = state
            .storage
            .update_key(caller.author(), &key, &change)
            .await
            .on_constraint(Rule::KeyName, name_taken)
            .on_constraint(Rule::RoleExists, super::error::role_removed)?;
        key = answer(&caller, updated, outcome::KEY, "change this key")?;
    }
    if let Some((nets, mode)) = networks {
        let updated = state
            .storage
            .set_key_networks(caller.author(), &key, &nets, mode)
            .await?;
        key = answer(&caller, updated, outcome::KEY, "change this key")?;
    }
    Ok(Json(key))
}

#[utoipa::path(
    operation_id = "api_keys_remove",
    tag = "API keys",
    delete,
    path = "/api-keys/{id}",
    summary = "Remove an API key",
    params(("id" = String, Path, description = "The key's id"), ("If-Match" = Option<String>, Header, description = "The version the removal was decided on")),
    responses((status = 204, description = "Removed; its secrets stop at once"),
        crate::http::error::Errors
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    keys::may(&caller, KeyAction::Remove)?;
    let current = found::key(&state, &caller, &id).await?;
    check_if_match(&headers, &current)?;
    keys::remove(&caller, &current)?;
    let removed = state.storage.delete_key(caller.author(), &current).await?;
    answer(&caller, removed, outcome::KEY, "remove this key")?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    operation_id = "api_keys_generate",
    tag = "API keys",
    post,
    path = "/api-keys/{id}/generate",
    summary = "Generate (or regenerate) a key's secret",
    params(("id" = String, Path, description = "The key's id"), ("If-Match" = Option<String>, Header, description = "The version the regeneration was decided on")),
    request_body(content = Option<keydesk_contract::types::GenerateRequest>, description = "Optional: a grace period for the old secret"),
    responses((status = 200, description = "The key and its new secret, shown this once", body = keydesk_contract::types::GeneratedApiKey),
        crate::http::error::Errors
    ))]
async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<GeneratedApiKey>, Error> {
    keys::may(&caller, KeyAction::Generate)?;
    let current = found::key(&state, &caller, &id).await?;
    check_if_match(&headers, &current)?;
    let body = body.map_err(super::extract::body_error)?;
    // The body is optional: an empty one means "no grace period".
    let req: GenerateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        GenerateRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Error::BadRequest(format!(
                "The request body is not valid for this endpoint: {e}"
            ))
        })?
    };
    let grace = req.grace_period_seconds;
    let grace = validation::grace_period_seconds(grace)
        .map_err(|m| Error::field("grace_period_seconds", m))?;
    keys::generate(&caller, &current)?;
    let policy = state.storage.key_policy(&caller.organization.id).await?;
    let previous = current.expires_at.as_deref().zip(
        current
            .generated_at
            .as_deref()
            .or(Some(current.created_at.as_str())),
    );
    let expires_at = keys::expiry(
        &policy,
        state.clock.now(),
        req.expires_at.as_deref(),
        None,
        previous,
    )?;
    let secret = key_format::generate(&mut rand::rngs::OsRng);
    let key = state
        .storage
        .replace_secret(
            caller.author(),
            &current,
            &secret,
            grace,
            expires_at.as_deref(),
        )
        .await?;
    let key = answer(&caller, key, outcome::KEY, "generate a secret for this key")?;
    Ok(Json(GeneratedApiKey {
        api_key: key,
        secret: secret.expose().to_string(),
    }))
}

#[utoipa::path(
    operation_id = "api_keys_disable",
    tag = "API keys",
    post,
    path = "/api-keys/{id}/disable",
    summary = "Switch a key off: its secrets answer 401 until it is enabled",
    params(("id" = String, Path, description = "The key's id"), ("If-Match" = Option<String>, Header, description = "The version the change was decided on")),
    responses((status = 200, description = "The key, with status disabled", body = keydesk_contract::types::ApiKey),
        crate::http::error::Errors
    ))]
async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ApiKey>, Error> {
    switch(&state, &caller, &id, &headers, true).await
}

#[utoipa::path(
    operation_id = "api_keys_enable",
    tag = "API keys",
    post,
    path = "/api-keys/{id}/enable",
    summary = "Switch a disabled key on again",
    params(("id" = String, Path, description = "The key's id"), ("If-Match" = Option<String>, Header, description = "The version the change was decided on")),
    responses((status = 200, description = "The key", body = keydesk_contract::types::ApiKey),
        crate::http::error::Errors
    ))]
async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ApiKey>, Error> {
    switch(&state, &caller, &id, &headers, false).await
}

/// Disable or enable: an update of the key, by someone holding its powers
/// (switching a key on gives its secret those powers back).
async fn switch(
    state: &AppState,
    caller: &Caller,
    id: &str,
    headers: &HeaderMap,
    disabled: bool,
) -> Result<Json<ApiKey>, Error> {
    keys::may(caller, KeyAction::Switch)?;
    let current = found::key(state, caller, id).await?;
    check_if_match(headers, &current)?;
    keys::switch(caller, &current, disabled)?;
    let key = state
        .storage
        .set_key_disabled(caller.author(), &current, disabled)
        .await?;
    Ok(Json(answer(caller, key, outcome::KEY, "change this key")?))
}

#[utoipa::path(
    operation_id = "api_keys_whoami",
    tag = "API keys",
    get,
    path = "/whoami",
    summary = "The calling API key",
    responses((status = 200, description = "The calling key, its organization and permissions", body = keydesk_contract::types::WhoAmI),
        crate::http::error::Errors
    ),
    security(("api_key" = [])))]
async fn whoami(caller: Caller) -> Result<Json<WhoAmI>, Error> {
    if !caller.is_key() {
        return Err(Error::Unauthenticated(
            "/whoami answers for an API key; send one in Authorization: Bearer.",
        ));
    }
    Ok(Json(WhoAmI {
        api_key: NamedRef {
            id: caller.actor.id.clone(),
            name: caller.actor.name.clone(),
        },
        permissions: permissions::in_catalogue_order(|p| caller.can(p))
            .into_iter()
            .map(String::from)
            .collect(),
        organization: caller.organization,
    }))
}
