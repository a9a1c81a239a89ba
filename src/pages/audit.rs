//! Audit: who changed what, and when, newest first (rule 8 of docs/concepts.md).

use keydesk_contract::audit::{AuditAction, DestinationChange};
use keydesk_contract::roles;
use keydesk_contract::types::{ActorKind, AuditEvent, AuditTargetKind, Role};
use leptos::prelude::*;

use crate::components::loading::Loading;

use crate::api;
use crate::components::data_boundary::DataBoundary;
use crate::time;

/// What happened, in words: "created API key", "regenerated the secret of".
pub fn describe(event: &AuditEvent) -> String {
    match event.what() {
        AuditAction::ApiKeyCreated { .. } => "created API key".into(),
        AuditAction::ApiKeyUpdated { .. } => "edited API key".into(),
        AuditAction::ApiKeyGenerated {
            regenerated: true, ..
        } => "regenerated the secret of API key".into(),
        AuditAction::ApiKeyGenerated { .. } => "generated the secret of API key".into(),
        AuditAction::ApiKeyDeleted { .. } => "removed API key".into(),
        AuditAction::ApiKeyDisabled {} => "disabled API key".into(),
        AuditAction::ApiKeyEnabled {} => "enabled API key".into(),
        AuditAction::UserCreated { .. } => "added".into(),
        AuditAction::UserSignedIn { .. } => "signed in".into(),
        AuditAction::UserPasswordChanged {} => "changed their password".into(),
        AuditAction::UserSignedOutEverywhere {} => "signed out everywhere".into(),
        AuditAction::UserDeactivated {} => "deactivated".into(),
        AuditAction::UserActivated {} => "activated".into(),
        AuditAction::UserInvited { .. } => "invited".into(),
        AuditAction::UserJoined {} => "accepted the invitation and joined".into(),
        AuditAction::UserUpdated { .. } => "changed the roles or name of".into(),
        AuditAction::UserLockedOut { .. } => "was locked out after repeated failed sign-ins".into(),
        AuditAction::OrganizationCreated {} => "created the organization".into(),
        AuditAction::RoleCreated { .. } => "created role".into(),
        AuditAction::RoleUpdated { .. } => "edited role".into(),
        AuditAction::RoleDeleted { .. } => "deleted role".into(),
        AuditAction::UserSecondFactorAdded { method, name } => match name {
            Some(name) if method == "passkey" => {
                format!("added the passkey \u{201c}{name}\u{201d} of")
            }
            _ => "set up an authenticator app for".into(),
        },
        AuditAction::UserSecondFactorRemoved { method, name } => match name {
            Some(name) if method == "passkey" => {
                format!("removed the passkey \u{201c}{name}\u{201d} of")
            }
            _ => "removed the authenticator app of".into(),
        },
        AuditAction::UserRecoveryCodeUsed { codes_left } => {
            format!("signed in with a recovery code ({codes_left} left)")
        }
        AuditAction::UserRecoveryCodesReplaced {} => "made new recovery codes".into(),
        AuditAction::UserSecondFactorsReset {} => "reset the second factors of".into(),
        AuditAction::OrganizationSecurityUpdated {
            require_second_factor,
        } => if require_second_factor {
            "required a second factor of everyone in"
        } else {
            "stopped requiring a second factor in"
        }
        .into(),
        AuditAction::OrganizationSsoUpdated { .. } => "changed single sign-on of".into(),
        AuditAction::OrganizationSsoRemoved {} => "removed single sign-on from".into(),
        AuditAction::UserSsoRefused { .. } => "was refused at single sign-on".into(),
        AuditAction::OrganizationKeyPolicyUpdated { .. } => "changed the key policy of".into(),
        AuditAction::ApiKeyLeaked { .. } => "disabled, on a leak report,".into(),
        AuditAction::ApiKeyNetworksChanged { .. } => "changed where it may be used from:".into(),
        AuditAction::ApiKeyNetworkRefused {
            client_address,
            enforced,
        } => format!(
            "{} a call from {} outside the allowed networks of",
            if enforced { "refused" } else { "reported" },
            client_address.unwrap_or_else(|| "an unknown address".into())
        ),
        AuditAction::ApiKeyDecoyUsed { client_address, .. } => format!(
            "raised the alarm: someone at {} used the decoy",
            client_address.unwrap_or_else(|| "an unknown address".into())
        ),
        AuditAction::EventDestinationChanged { change, url, .. } => match change {
            DestinationChange::Created => format!("added the event destination {url} to"),
            DestinationChange::Updated => format!("changed the event destination {url} of"),
            DestinationChange::SecretRotated => {
                format!("rotated the signing secret of the event destination {url} of")
            }
            DestinationChange::Deleted => format!("removed the event destination {url} from"),
        },
        // A newer server's action: its wire name still says what it was.
        AuditAction::Other => event.action.replace(['.', '_'], " "),
    }
}

/// Whether the event is about its own actor (a sign-in): then the target
/// is not named a second time.
pub fn about_oneself(event: &AuditEvent) -> bool {
    event.target.id == event.actor.id
}

/// Role names for ids: built-in ones always, custom ones from `custom`
/// (the organization's roles as listed), and a removed role as such.
fn role_names(ids: &[String], custom: &[Role]) -> String {
    ids.iter()
        .map(|id| match roles::find(id) {
            Some(r) => r.name,
            None => custom
                .iter()
                .find(|r| r.id == *id)
                .map_or("a removed role", |r| r.name.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an edit changed, e.g. "roles: Billing Reader → Developer; renamed from Billing",
/// or where a sign-in came from.
pub fn changes(event: &AuditEvent, custom: &[Role]) -> Option<String> {
    match event.what() {
        AuditAction::UserSignedIn {
            client_address: Some(address),
        }
        | AuditAction::UserLockedOut {
            client_address: Some(address),
        } => Some(format!("from {address}")),
        AuditAction::UserUpdated { name, role_ids } => {
            let mut parts = Vec::new();
            if let Some(r) = role_ids {
                parts.push(format!(
                    "roles: {} → {}",
                    role_names(&r.from, custom),
                    role_names(&r.to, custom)
                ));
            }
            if let Some(n) = name {
                parts.push(format!("renamed from {}", n.from));
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        AuditAction::ApiKeyUpdated {
            name,
            description,
            role_ids,
        } => {
            let mut parts = Vec::new();
            if let Some(r) = role_ids {
                parts.push(format!(
                    "roles: {} → {}",
                    role_names(&r.from, custom),
                    role_names(&r.to, custom)
                ));
            }
            if let Some(n) = name {
                parts.push(format!("renamed from {}", n.from));
            }
            if description.is_some() {
                parts.push("description changed".into());
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        AuditAction::RoleUpdated {
            name,
            description,
            permissions,
        } => {
            let mut parts = Vec::new();
            if let Some(p) = permissions {
                let added = p.to.iter().filter(|x| !p.from.contains(x)).count();
                let removed = p.from.iter().filter(|x| !p.to.contains(x)).count();
                parts.push(format!("permissions: {added} added, {removed} removed"));
            }
            if let Some(n) = name {
                parts.push(format!("renamed from {}", n.from));
            }
            if description.is_some() {
                parts.push("description changed".into());
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        AuditAction::RoleCreated { permissions, .. } | AuditAction::RoleDeleted { permissions }
            if !permissions.is_empty() =>
        {
            Some(format!("{} permissions", permissions.len()))
        }
        _ => None,
    }
}

/// A name, or what it is when the server left it out (the reader may not
/// read people or keys).
fn shown_name(name: &str, is_key: bool) -> String {
    match (name.is_empty(), is_key) {
        (false, _) => name.to_string(),
        (true, true) => "a key".into(),
        (true, false) => "someone".into(),
    }
}

#[component]
pub fn AuditTrailPage() -> impl IntoView {
    let pages = RwSignal::new(1usize);
    // Tagged with the pages asked for, to tell "loading more" from "loaded".
    let trail = LocalResource::new(move || {
        let asked = pages.get();
        async move { (asked, api::audit_trail(asked).await) }
    });
    // Custom roles are named by id in events; the list names them.
    let roles = LocalResource::new(api::roles);
    let roles = Signal::derive(move || roles.get().and_then(Result::ok).unwrap_or_default());
    let loading_more = move || trail.with(|t| t.as_ref().is_some_and(|(n, _)| *n != pages.get()));
    view! {
        <header class="page__header page__header--with-action">
            <div>
                <h1>"Audit trail"</h1>
                <p class="page__lead">"Every change to API keys and people: who made it, when, and what changed."</p>
            </div>
            <div class="page__action">
                <a class="button" href=api::audit_export_url() download="keydesk-audit.ndjson"
                    title="One event per line, oldest first: what a SIEM reads">"Export NDJSON"</a>
            </div>
        </header>
        {move || trail.with(Option::is_none).then(|| view! { <Loading/> })}
        <DataBoundary on_retry=move |_| trail.refetch()>
            {move || trail.get().map(|(_, page)| page.map(|page| view! {
                <AuditList events=Signal::stored(page.items) roles=roles/>
                {page.next_cursor.is_some().then(|| view! {
                    <button type="button" class="button load-more" disabled=loading_more
                        on:click=move |_| pages.update(|n| *n += 1)>
                        {move || if loading_more() { "Loading…" } else { "Load more" }}
                    </button>
                })}
            }))}
        </DataBoundary>
    }
}

/// The events as a list a person can scan.
#[component]
pub fn AuditList(
    #[prop(into)] events: Signal<Vec<AuditEvent>>,
    /// The organization's roles, to name custom ones.
    #[prop(into, optional)]
    roles: Signal<Vec<Role>>,
) -> impl IntoView {
    view! {
        <ol class="audit-list">
            <For each=move || events.get() key=|e| e.id.clone() let:event>
                <li class="audit-event">
                    <time datetime=event.at.clone() title=time::exact(&event.at)>{time::ago(&event.at)}</time>
                    <p class="audit-event__what">
                        <strong>{shown_name(&event.actor.name, event.actor.kind == ActorKind::ApiKey)}</strong>
                        {(event.actor.kind == ActorKind::ApiKey).then_some(" (API key)")}
                        " " {describe(&event)}
                        {(!about_oneself(&event)).then(|| view! { " " <strong>{shown_name(&event.target.name, event.target.kind == AuditTargetKind::ApiKey)}</strong> })}
                    </p>
                    {move || roles.with(|r| changes(&event, r)).map(|c| view! { <p class="audit-event__changes">{c}</p> })}
                </li>
            </For>
        </ol>
    }
}
