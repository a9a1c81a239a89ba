//! Single sign-on (docs/api.md, "Organization security and single
//! sign-on"): an organization's identity provider, configured by someone
//! holding `accounts.update` and every role its rules can give; and the
//! sign-in through it (authorization code, PKCE, state and nonce), which
//! creates people just in time and recomputes their roles every time.
//! A refused sign-in goes back to `/sign-in?error=<code>`, in the audit
//! trail and the security log, never with a token or a secret in them.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use keydesk_contract::audit::AuditAction;
use keydesk_contract::permissions;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::sso::{
    self as contract, refusal, Sso, SsoRequest, SsoTestRequest, SsoTestResult,
};
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, UserStatus};
use keydesk_contract::validation;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::client::ClientAddr;
use super::error::{Error, ResultExt};
use super::extract::{Json, Query};
use super::signing_in;
use crate::auth::{sessions, sso, Caller};
use crate::security_log::{self, Refused, Who};
use crate::storage::{AuditEntry, Rule, SsoConfig, SsoPerson};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(save, remove))
        .routes(routes!(test_connection))
        .routes(routes!(start))
        .routes(routes!(callback))
}

/// What a client secret and a PKCE verifier are sealed for.
const SECRET_PURPOSE: &str = "sso-client-secret";
const VERIFIER_PURPOSE: &str = "sso-pkce-verifier";

#[utoipa::path(
    operation_id = "organization_sso_save",
    tag = "Organization",
    put,
    path = "/organization/sso",
    summary = "Set up or change single sign-on",
    description = "The issuer's discovery document is fetched and checked first (422 on `issuer` otherwise). Needs `accounts.update` and every permission the rules and default roles can give. `client_secret` may be left out to keep the stored one.",
    request_body = keydesk_contract::sso::SsoRequest,
    responses((status = 200, description = "The configuration (the secret only as its last four characters)", body = keydesk_contract::sso::Sso),
        crate::http::error::Errors
    ))]
async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SsoRequest>,
) -> Result<Json<Sso>, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let org = caller.organization.id.clone();
    let existing = state.storage.sso_config(&org).await?;
    contract::validate(&req, existing.is_some()).map_err(Error::Validation)?;
    let domains: Vec<String> = {
        let mut d: Vec<String> = req
            .email_domains
            .iter()
            .filter_map(|d| contract::email_domain(d).ok())
            .collect();
        d.sort();
        d.dedup();
        d
    };
    let book = state.storage.role_book(&org).await?;
    let mut given: Vec<&str> = req.default_role_ids.iter().map(String::as_str).collect();
    for rule in &req.role_rules {
        given.extend(rule.role_ids.iter().map(String::as_str));
    }
    if let Some(unknown) = given.iter().find(|id| !book.is_known(id)) {
        let field = if req.default_role_ids.iter().any(|d| d == unknown) {
            "default_role_ids"
        } else {
            "role_rules"
        };
        return Err(Error::field(
            field,
            format!("There is no role \u{201c}{unknown}\u{201d}."),
        ));
    }
    // No escalation through the provider: whoever writes the rules holds
    // everything they can give.
    caller.require_all(
        book.union_of(given.iter().copied()),
        "give these roles through single sign-on",
    )?;
    let everything = permissions::CATALOGUE.len();
    let mut break_glass_admin = false;
    for id in &req.break_glass_user_ids {
        let person = state
            .storage
            .get_user(&org, id)
            .await?
            .filter(|p| p.status == UserStatus::Active)
            .ok_or_else(|| {
                Error::field(
                    "break_glass_user_ids",
                    "Break-glass people must be active people of this organization.",
                )
            })?;
        let held = book.union_of(person.roles.iter().map(|r| r.id.as_str()));
        break_glass_admin |= held.len() == everything;
    }
    if req.require_sso && !break_glass_admin {
        return Err(Error::field(
            "break_glass_user_ids",
            "Keep a break-glass person who holds every permission: if the provider fails, they can still get in (rule 9).",
        ));
    }
    sso::discover(&state.sso_http, &req.issuer)
        .await
        .map_err(|e| Error::field("issuer", format!("{}.", e.0)))?;
    let (sealed, last4) = match (&req.client_secret, &existing) {
        (Some(secret), _) => (
            state
                .server_key
                .seal(SECRET_PURPOSE, &org, secret.as_bytes()),
            secret
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        ),
        (None, Some(e)) => (
            e.sealed_client_secret.clone(),
            e.client_secret_last4.clone(),
        ),
        (None, None) => unreachable!("validated: a secret is given or stored"),
    };
    let config = SsoConfig {
        organization_id: org.clone(),
        issuer: req.issuer.trim().to_string(),
        client_id: req.client_id.trim().to_string(),
        sealed_client_secret: sealed,
        client_secret_last4: last4,
        email_domains: domains,
        role_rules: req.role_rules.clone(),
        default_role_ids: req.default_role_ids.clone(),
        require_sso: req.require_sso,
        break_glass_user_ids: req.break_glass_user_ids.clone(),
    };
    state
        .storage
        .save_sso(caller.author(), &config)
        .await
        .on_constraint(Rule::SsoDomain, || {
            Error::field(
                "email_domains",
                "One of these domains already belongs to another organization's single sign-on.",
            )
        })?;
    security_log::sign_in_rules_changed("sso_updated", &org, &caller.actor, caller.client);
    Ok(Json(config.view(state.sso_redirect_uri())))
}

#[utoipa::path(
    operation_id = "organization_sso_remove",
    tag = "Organization",
    delete,
    path = "/organization/sso",
    summary = "Remove single sign-on",
    responses((status = 204, description = "Removed: everyone signs in with a password again"),
        crate::http::error::Errors
    ))]
async fn remove(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    if !state.storage.delete_sso(caller.author()).await? {
        return Err(Error::NotFound("single sign-on"));
    }
    security_log::sign_in_rules_changed(
        "sso_removed",
        &caller.organization.id,
        &caller.actor,
        caller.client,
    );
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    operation_id = "organization_sso_test",
    tag = "Organization",
    post,
    path = "/organization/sso/test",
    summary = "Test connection: is there an OpenID provider at this issuer?",
    request_body = keydesk_contract::sso::SsoTestRequest,
    responses((status = 200, description = "What its discovery document says", body = keydesk_contract::sso::SsoTestResult),
        crate::http::error::Errors
    ))]
async fn test_connection(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SsoTestRequest>,
) -> Result<Json<SsoTestResult>, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    let probe = SsoRequest {
        issuer: req.issuer.clone(),
        client_id: "-".into(),
        client_secret: Some("-".into()),
        email_domains: vec!["example.com".into()],
        role_rules: vec![],
        default_role_ids: vec![],
        require_sso: false,
        break_glass_user_ids: vec![],
    };
    contract::validate(&probe, true).map_err(Error::Validation)?;
    let metadata = sso::discover(&state.sso_http, &req.issuer)
        .await
        .map_err(|e| Error::field("issuer", format!("{}.", e.0)))?;
    Ok(Json(SsoTestResult {
        issuer: metadata.issuer().to_string(),
        authorization_endpoint: metadata.authorization_endpoint().to_string(),
        token_endpoint: metadata
            .token_endpoint()
            .map(|t| t.to_string())
            .unwrap_or_default(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct StartQuery {
    /// The address the person typed; its domain picks the organization.
    email: String,
}

#[utoipa::path(
    operation_id = "auth_sso_start",
    tag = "Sessions",
    get,
    path = "/auth/sso/start",
    summary = "Begin signing in through the organization's identity provider",
    params(StartQuery),
    responses((status = 302, description = "To the provider (authorization code flow with PKCE S256, state and nonce)"),
        crate::http::error::Errors
    ),
    security(()))]
async fn start(
    State(state): State<AppState>,
    Query(q): Query<StartQuery>,
) -> Result<Response, Error> {
    let email = validation::email(&q.email).map_err(|m| Error::field("email", m))?;
    let domain = contract::domain_of(&email).unwrap_or_default();
    let config = match state.storage.sso_organization_for(domain).await? {
        Some(org) => state.storage.sso_config(&org).await?,
        None => None,
    }
    .ok_or(Error::NotFound("single sign-on for this address"))?;
    let metadata = sso::discover(&state.sso_http, &config.issuer)
        .await
        .map_err(|e| {
            tracing::warn!(organization = %config.organization_id, "single sign-on: {}", e.0);
            Error::Unavailable {
                message: "Your identity provider did not answer. Try again shortly.",
                retry_after_seconds: 30,
            }
        })?;
    let begun = sso::begin(
        metadata,
        &config.client_id,
        &state.sso_redirect_uri(),
        &email,
    )
    .map_err(|e| Error::Internal(e.0))?;
    let expires = state.clock.now() + sso::SIGN_IN_LIFETIME;
    state
        .storage
        .save_sso_sign_in(
            &sessions::digest(&begun.state),
            &config.organization_id,
            &begun.nonce,
            &state.server_key.seal(
                VERIFIER_PURPOSE,
                &config.organization_id,
                begun.pkce_verifier.as_bytes(),
            ),
            &crate::time_format::format(expires),
        )
        .await?;
    Ok(found(&begun.url))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    /// Set by a provider that refused.
    error: Option<String>,
}

#[utoipa::path(
    operation_id = "auth_sso_callback",
    tag = "Sessions",
    get,
    path = "/auth/sso/callback",
    summary = "Where the identity provider sends people back",
    params(CallbackQuery),
    responses((status = 302, description = "Into the app with a session; a refused sign-in to `/sign-in?error=<code>`"),
        crate::http::error::Errors
    ),
    security(()))]
async fn callback(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, Error> {
    let pending = match &q.state {
        Some(s) => state.storage.take_sso_sign_in(&sessions::digest(s)).await?,
        None => None,
    };
    let Some(pending) = pending else {
        security_log::refused(
            Refused::SignInFailed,
            "single sign-on callback with an unknown, used or expired state",
            Who::default(),
            client,
        );
        return Ok(refused_to_sign_in(refusal::STATE));
    };
    let org = pending.organization_id.clone();
    let refuse = |reason: &'static str, why: &str, email: Option<String>| {
        let state = state.clone();
        let org = org.clone();
        let why = why.to_string();
        async move {
            security_log::refused(
                Refused::SignInFailed,
                &format!("single sign-on: {why}"),
                Who {
                    organization: Some(&org),
                    actor: None,
                },
                client,
            );
            let actor = Actor {
                kind: ActorKind::User,
                id: String::new(),
                name: email.clone().unwrap_or_else(|| "someone".into()),
            };
            let target = AuditTarget::organization(org.clone(), String::new());
            let entry = AuditEntry {
                organization_id: &org,
                actor: &actor,
                action: AuditAction::UserSsoRefused {
                    reason: reason.into(),
                    email,
                },
                target,
            };
            state.storage.append_audit(entry).await?;
            Ok::<Response, Error>(refused_to_sign_in(reason))
        }
    };
    let Some(config) = state.storage.sso_config(&org).await? else {
        return refuse(
            refusal::PROVIDER,
            "single sign-on was removed meanwhile",
            None,
        )
        .await;
    };
    let (Some(code), None) = (&q.code, &q.error) else {
        return refuse(refusal::PROVIDER, "the provider sent no code", None).await;
    };
    let secret = state
        .server_key
        .open(SECRET_PURPOSE, &org, &config.sealed_client_secret)
        .and_then(|s| String::from_utf8(s).ok());
    let verifier = state
        .server_key
        .open(VERIFIER_PURPOSE, &org, &pending.sealed_pkce_verifier)
        .and_then(|s| String::from_utf8(s).ok());
    let (Some(secret), Some(verifier)) = (secret, verifier) else {
        return refuse(
            refusal::PROVIDER,
            "sealed values do not open with this server key",
            None,
        )
        .await;
    };
    let metadata = match sso::discover(&state.sso_http, &config.issuer).await {
        Ok(m) => m,
        Err(e) => return refuse(refusal::PROVIDER, &e.0, None).await,
    };
    let vouched = match sso::finish(
        &state.sso_http,
        metadata,
        &config.client_id,
        &secret,
        &state.sso_redirect_uri(),
        code,
        &verifier,
        &pending.nonce,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return refuse(refusal::PROVIDER, &e.0, None).await,
    };
    let email = vouched
        .email
        .as_deref()
        .and_then(|e| validation::email(e).ok());
    let in_domains = email
        .as_deref()
        .and_then(contract::domain_of)
        .is_some_and(|d| config.email_domains.iter().any(|c| c == d));
    let Some(email) = email.filter(|_| in_domains && vouched.email_verified != Some(false)) else {
        return refuse(
            refusal::EMAIL,
            "no verified address of the organization's domains",
            vouched.email.clone(),
        )
        .await;
    };
    let book = state.storage.role_book(&org).await?;
    let roles: Vec<String> = contract::roles_for(
        &config.role_rules,
        &config.default_role_ids,
        &vouched.claims,
    )
    .into_iter()
    .filter(|r| book.is_known(r))
    .collect();
    if roles.is_empty() {
        return refuse(
            refusal::NO_ROLE,
            "no rule and no default role gives a role",
            Some(email),
        )
        .await;
    }
    let name = vouched
        .name
        .as_deref()
        .and_then(|n| validation::person_name(n).ok())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("someone").to_string());
    let person = state
        .storage
        .sso_person(
            &org,
            &format!("{} {}", config.issuer, vouched.subject),
            &email,
            &name,
            &roles,
        )
        .await?;
    let SsoPerson::Admitted(user_id) = person else {
        return refuse(
            refusal::DEACTIVATED,
            "the person is deactivated in keydesk",
            Some(email),
        )
        .await;
    };
    let account = state
        .storage
        .account_of(&user_id)
        .await?
        .ok_or(Error::Internal("an admitted person has no account".into()))?;
    signing_in::complete_by_redirect(&state, &account, client, "/api-keys").await
}

/// A 302 (the flow's redirects are 302s, as the API says).
fn found(location: &str) -> Response {
    match header::HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => Error::Internal("a redirect that is not a header value".into()).into_response(),
    }
}

fn refused_to_sign_in(code: &str) -> Response {
    found(&format!("/sign-in?error={code}"))
}
