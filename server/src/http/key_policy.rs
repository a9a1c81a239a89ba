//! The key policy (Settings → Key policy): whether keys must expire, the
//! longest and the default lifetime of a secret, and when keys outside a
//! tightened policy stop working (14 days after the change by default, so
//! nothing breaks unannounced). A preview before saving lists every key the
//! change affects, why, and how much it was used in the last 7 days.

use axum::extract::State;
use keydesk_contract::key_policy::{
    self as contract, KeyPolicy, KeyPolicyPreview, KeyPolicyRequest, PreviewItem,
};
use keydesk_contract::permissions;
use keydesk_contract::types::NamedRef;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::Json;
use crate::auth::Caller;
use crate::storage::judge;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read, save))
        .routes(routes!(preview))
}

#[utoipa::path(
    operation_id = "key_policy_read",
    tag = "Organization",
    get,
    path = "/organization/key-policy",
    summary = "The key policy",
    responses((status = 200, description = "The policy (all off when none was set)", body = keydesk_contract::key_policy::KeyPolicy),
        crate::http::error::Errors
    ))]
async fn read(State(state): State<AppState>, caller: Caller) -> Result<Json<KeyPolicy>, Error> {
    caller.require(permissions::SERVICE_ACCOUNTS_RETRIEVE)?;
    Ok(Json(
        state.storage.key_policy(&caller.organization.id).await?,
    ))
}

#[utoipa::path(
    operation_id = "key_policy_preview",
    tag = "Organization",
    post,
    path = "/organization/key-policy/preview",
    summary = "Which keys a policy would put outside it",
    request_body = keydesk_contract::key_policy::KeyPolicyRequest,
    responses((status = 200, description = "Every key outside the policy, why, and its requests in the last 7 days", body = keydesk_contract::key_policy::KeyPolicyPreview),
        crate::http::error::Errors
    ))]
async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<KeyPolicyRequest>,
) -> Result<Json<KeyPolicyPreview>, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    contract::validate(&req).map_err(Error::Validation)?;
    let org = &caller.organization.id;
    let window = crate::usage::window(state.clock.now(), Some(7)).map_err(Error::BadRequest)?;
    let first_day = window.first().cloned().unwrap_or_default();
    let written = state.storage.requests_since(org, &first_day).await?;
    let items: Vec<PreviewItem> = state
        .storage
        .keys_to_judge(org)
        .await?
        .into_iter()
        .filter_map(|key| {
            let reason = judge(req.require_expiry, req.max_lifetime_days, &key)?;
            let mut days = Vec::new();
            state.usage.merge_days(&key.id, &first_day, &mut days);
            let pending: u64 = days.iter().map(|d| d.requests).sum();
            Some(PreviewItem {
                requests_last_7_days: written.get(&key.id).copied().unwrap_or(0) + pending,
                api_key: NamedRef {
                    id: key.id,
                    name: key.name,
                },
                expires_at: key.expires_at,
                reason,
            })
        })
        .collect();
    Ok(Json(KeyPolicyPreview {
        total: items.len() as u64,
        items,
    }))
}

#[utoipa::path(
    operation_id = "key_policy_save",
    tag = "Organization",
    put,
    path = "/organization/key-policy",
    summary = "Change the key policy",
    description = "Keys outside the new policy keep working until `enforce_from` (default: 14 days from now), then their secrets answer 401 on every replica. Regenerating a key renews its secret within the policy.",
    request_body = keydesk_contract::key_policy::KeyPolicyRequest,
    responses((status = 200, description = "The policy now", body = keydesk_contract::key_policy::KeyPolicy),
        crate::http::error::Errors
    ))]
async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<KeyPolicyRequest>,
) -> Result<Json<KeyPolicy>, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    contract::validate(&req).map_err(Error::Validation)?;
    let now = state.clock.now();
    let enforce_from = match req.enforce_from.as_deref().filter(|t| !t.is_empty()) {
        Some(text) => crate::time_format::parse(text)
            .filter(|t| *t >= now - time::Duration::minutes(1))
            .ok_or_else(|| {
                Error::field(
                    "enforce_from",
                    "Give a time from now on, e.g. 2027-01-15T00:00:00Z.",
                )
            })?,
        None => now + time::Duration::days(contract::DEFAULT_NOTICE_DAYS),
    };
    let policy = state
        .storage
        .set_key_policy(
            caller.author(),
            &req,
            &crate::time_format::format(enforce_from),
        )
        .await?;
    Ok(Json(policy))
}
