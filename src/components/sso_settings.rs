//! Settings → Single sign-on: the organization's OpenID provider (issuer,
//! client id and write-only secret, with Test connection), its email
//! domains, the rules mapping a claim's value to a role, default roles,
//! and "require single sign-on" with the break-glass people who keep
//! their password. Saving checks the issuer on the server first; what was
//! typed stays when a field is refused.

use keydesk_contract::sso::{RoleRule, Sso, SsoRequest, SsoTestResult};
use keydesk_contract::types::{FieldErrors, Role, User};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::field::TextField;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

/// One rule as edited: a claim, a value, one role.
#[derive(Debug, Clone, PartialEq)]
struct RuleRow {
    key: usize,
    claim: RwSignal<String>,
    value: RwSignal<String>,
    role: RwSignal<String>,
}

/// Domains typed as a list: commas, spaces or lines between them.
pub fn domains_from(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
pub fn SsoSettings(
    /// The configuration as stored, if any.
    current: Option<Sso>,
    /// Every role (built-in and custom), for rules and defaults.
    roles: Vec<Role>,
    /// The organization's people, for the break-glass list.
    people: Vec<User>,
    save: Action<SsoRequest, ApiResult<Sso>>,
    test: Action<String, ApiResult<SsoTestResult>>,
    remove: Action<(), ApiResult<()>>,
    /// Whether the signed-in person may change it (`accounts.update`).
    may_change: bool,
) -> impl IntoView {
    let stored = RwSignal::new(current.clone());
    let c = current.unwrap_or(Sso {
        issuer: String::new(),
        client_id: String::new(),
        client_secret_last4: String::new(),
        email_domains: vec![],
        role_rules: vec![],
        default_role_ids: vec![],
        require_sso: false,
        break_glass_user_ids: vec![],
        redirect_uri: String::new(),
    });
    let issuer = RwSignal::new(c.issuer.clone());
    let client_id = RwSignal::new(c.client_id.clone());
    let secret = RwSignal::new(String::new());
    let domains = RwSignal::new(c.email_domains.join(", "));
    let require = RwSignal::new(c.require_sso);
    let defaults = RwSignal::new(c.default_role_ids.clone());
    let break_glass = RwSignal::new(c.break_glass_user_ids.clone());
    let next_key = StoredValue::new(0usize);
    let new_row = move |claim: &str, value: &str, role: &str| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        RuleRow {
            key,
            claim: RwSignal::new(claim.to_string()),
            value: RwSignal::new(value.to_string()),
            role: RwSignal::new(role.to_string()),
        }
    };
    let rules = RwSignal::new(
        c.role_rules
            .iter()
            .flat_map(|r| {
                r.role_ids
                    .iter()
                    .map(move |id| (r.claim.clone(), r.value.clone(), id.clone()))
            })
            .map(|(claim, value, role)| new_row(&claim, &value, &role))
            .collect::<Vec<_>>(),
    );
    let errors = RwSignal::new(FieldErrors::new());
    let saved = RwSignal::new(false);
    let saving = use_action_outcome_with_options(
        save,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |sso: Sso| {
                secret.set(String::new());
                stored.set(Some(sso));
                saved.set(true);
            })),
            on_fields: Some(Callback::new(move |f| errors.set(f))),
        },
    );
    let testing = use_action_outcome_with_options(
        test,
        UseActionOutcomeOptions {
            on_fields: Some(Callback::new(move |f| errors.set(f))),
            ..Default::default()
        },
    );
    let removing = use_action_outcome_with_options(
        remove,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |()| stored.set(None))),
            ..Default::default()
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.pending.get_untracked() {
            return;
        }
        saved.set(false);
        errors.set(FieldErrors::new());
        let typed_secret = secret.get_untracked();
        save.dispatch(SsoRequest {
            issuer: issuer.get_untracked(),
            client_id: client_id.get_untracked(),
            client_secret: (!typed_secret.is_empty()).then_some(typed_secret),
            email_domains: domains_from(&domains.get_untracked()),
            role_rules: rules
                .get_untracked()
                .iter()
                .map(|r| RoleRule {
                    claim: r.claim.get_untracked().trim().to_string(),
                    value: r.value.get_untracked().trim().to_string(),
                    role_ids: vec![r.role.get_untracked()],
                })
                .collect(),
            default_role_ids: defaults.get_untracked(),
            require_sso: require.get_untracked(),
            break_glass_user_ids: break_glass.get_untracked(),
        });
    };
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));
    let role_options = StoredValue::new(roles.clone());
    let toggle = |list: RwSignal<Vec<String>>, id: String, on: bool| {
        list.update(|l| {
            l.retain(|x| *x != id);
            if on {
                l.push(id);
            }
        })
    };
    view! {
        <section class="account-section account-section--wide" aria-labelledby="sso-title">
            <h2 id="sso-title">"Single sign-on"</h2>
            <p>"People with an address at your domains sign in through your identity provider (OpenID Connect), with the roles its claims map to."</p>
            {move || stored.get().map(|s| view! {
                <p class="field__hint">"Redirect URI to register at the provider: " <code id="sso-redirect-uri">{s.redirect_uri}</code></p>
            })}
            <form on:submit=submit novalidate>
                <fieldset disabled=!may_change class="plain-fieldset">
                    <TextField id="sso-issuer" label="Issuer URL" value=issuer error=error("issuer")
                        hint="e.g. https://login.example.com/realms/acme (keydesk reads its discovery document)"/>
                    <button type="button" class="button button--small" disabled=move || testing.pending.get()
                        on:click=move |_| { errors.set(FieldErrors::new()); test.dispatch(issuer.get_untracked()); }>
                        {move || if testing.pending.get() { "Testing…" } else { "Test connection" }}
                    </button>
                    {move || test.value().get().and_then(|r| r.ok()).map(|found| view! {
                        <p class="notice notice--good" role="status">{format!("Found a provider: sign-in at {}", found.authorization_endpoint)}</p>
                    })}
                    {move || testing.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                    <TextField id="sso-client-id" label="Client id" value=client_id error=error("client_id")/>
                    <TextField id="sso-client-secret" label="Client secret" kind="password" value=secret error=error("client_secret")
                        autocomplete="off"
                        hint=if c.client_secret_last4.is_empty() { "Write-only: never shown again.".to_string() } else { format!("Stored: ••••{}. Leave empty to keep it.", c.client_secret_last4) }/>
                    <TextField id="sso-domains" label="Email domains" value=domains error=error("email_domains")
                        hint="Addresses at these domains sign in through the provider, e.g. acme.io, acme.de"/>

                    <h3>"Roles from claims"</h3>
                    <p class="field__hint">"A rule gives its role when the claim (e.g. groups) has the value, or lists it. No rule matching: the default roles. Neither: the sign-in is refused."</p>
                    <p class="field__error" id="sso-rules-error">{move || error("role_rules").get()}</p>
                    <ul class="sso-rules">
                        <For each=move || rules.get() key=|r| r.key let:row>
                            <li class="sso-rules__row">
                                <label>"Claim" <input prop:value=move || row.claim.get() on:input=move |ev| row.claim.set(event_target_value(&ev))/></label>
                                <label>"Value" <input prop:value=move || row.value.get() on:input=move |ev| row.value.set(event_target_value(&ev))/></label>
                                <label>"Role"
                                    <select on:change=move |ev| row.role.set(event_target_value(&ev))>
                                        {role_options.get_value().into_iter().map(|r| {
                                            let selected = r.id == row.role.get_untracked();
                                            view! { <option value=r.id.clone() selected=selected>{r.name.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="button" class="button button--small" aria-label="Remove this rule"
                                    on:click=move |_| rules.update(|rs| rs.retain(|r| r.key != row.key))>"Remove"</button>
                            </li>
                        </For>
                    </ul>
                    <button type="button" class="button button--small" on:click=move |_| {
                        let first = role_options.get_value().first().map(|r| r.id.clone()).unwrap_or_default();
                        let row = new_row("groups", "", &first);
                        rules.update(|rs| rs.push(row));
                    }>"Add rule"</button>

                    <fieldset class="plain-fieldset">
                        <legend>"Default roles"</legend>
                        <p class="field__error">{move || error("default_role_ids").get()}</p>
                        {roles.iter().map(|r| {
                            let id = r.id.clone();
                            let checked = c.default_role_ids.contains(&r.id);
                            view! {
                                <label class="acknowledge"><input type="checkbox" prop:checked=checked
                                    on:change=move |ev| toggle(defaults, id.clone(), event_target_checked(&ev))/>{r.name.clone()}</label>
                            }
                        }).collect_view()}
                    </fieldset>

                    <label class="acknowledge">
                        <input type="checkbox" id="sso-require" prop:checked=move || require.get()
                            on:change=move |ev| require.set(event_target_checked(&ev))/>
                        "Require single sign-on (passwords stop working, except for break-glass people)"
                    </label>
                    <fieldset class="plain-fieldset">
                        <legend>"Break-glass people (keep their password)"</legend>
                        <p class="field__error" id="sso-break-glass-error">{move || error("break_glass_user_ids").get()}</p>
                        {people.iter().map(|p| {
                            let id = p.id.clone();
                            let checked = c.break_glass_user_ids.contains(&p.id);
                            view! {
                                <label class="acknowledge"><input type="checkbox" prop:checked=checked
                                    on:change=move |ev| toggle(break_glass, id.clone(), event_target_checked(&ev))/>
                                    {format!("{} ({})", p.name, p.email)}</label>
                            }
                        }).collect_view()}
                    </fieldset>
                </fieldset>
                {move || saving.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                {move || saved.get().then(|| view! { <p class="notice" role="status">"Saved: the provider answered, and single sign-on is on."</p> })}
                {may_change.then(|| view! {
                    <div class="form-actions">
                        <button type="submit" class="button button--primary" disabled=move || saving.pending.get()>
                            {move || if saving.pending.get() { "Checking the provider…" } else { "Save single sign-on" }}
                        </button>
                        {move || stored.get().is_some().then(|| view! {
                            <button type="button" class="button button--danger" disabled=move || removing.pending.get()
                                on:click=move |_| { remove.dispatch(()); }>"Remove single sign-on"</button>
                        })}
                    </div>
                })}
                {move || removing.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            </form>
        </section>
    }
}
