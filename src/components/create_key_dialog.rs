//! Create API Key: *Details* → *Double-check* → created, with "Generate key now".

use keydesk_contract::types::{ApiKey, CreateApiKeyRequest, Role};
use leptos::prelude::*;

use super::double_check::DoubleCheckStep;
use super::key_details::{KeyDetailsForm, KeyDraft};
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use keydesk_contract::key_policy::KeyPolicy;
use keydesk_contract::roles::RoleSet;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Details,
    DoubleCheck,
    Created(Box<ApiKey>),
}

#[component]
pub fn CreateKeyDialog(
    /// Every role there is.
    #[prop(into)]
    roles: Signal<Vec<Role>>,
    /// What the person holds (roles granting more are disabled).
    my_permissions: Vec<String>,
    /// Creates the key (over the API, or a stand-in in tests).
    create: Action<CreateApiKeyRequest, ApiResult<ApiKey>>,
    /// A key was created.
    #[prop(into)]
    on_created: Callback<ApiKey>,
    /// "Generate key now" on the created key.
    #[prop(into)]
    on_generate: Callback<ApiKey>,
    #[prop(into)] on_close: Callback<()>,
    /// The organization's key policy, once known: its default lifetime is
    /// filled in, and lifetimes it forbids are not offered.
    #[prop(into, optional)]
    policy: Option<Signal<Option<KeyPolicy>>>,
) -> impl IntoView {
    let draft = KeyDraft::new("", "", Vec::new());
    let step = RwSignal::new(Step::Details);
    let expiry = RwSignal::new(None::<u32>);
    let decoy = RwSignal::new(false);
    let policy = policy.unwrap_or_else(|| Signal::stored(None));
    // The default lifetime fills in once the policy arrives (not over a choice).
    let chosen = RwSignal::new(false);
    Effect::new(move || {
        if let Some(days) = policy.get().and_then(|p| p.default_lifetime_days) {
            if !chosen.get_untracked() {
                expiry.set(Some(days));
            }
        }
    });
    let outcome = use_action_outcome_with_options(
        create,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |key: ApiKey| {
                on_created.run(key.clone());
                step.set(Step::Created(Box::new(key)));
            })),
            // The server named fields: show them where they were typed.
            on_fields: Some(Callback::new(move |fields| {
                draft.errors.set(fields);
                step.set(Step::Details);
            })),
        },
    );
    let (busy, failure) = (outcome.pending, outcome.failure);
    let my_permissions = StoredValue::new(my_permissions);

    let next = move |_| {
        if roles.with_untracked(|r| draft.validate(r)) {
            step.set(Step::DoubleCheck);
        }
    };
    let create_now = move |_| {
        if busy.get_untracked() {
            return;
        }
        create.dispatch(CreateApiKeyRequest {
            name: draft.name.get_untracked(),
            description: draft.description.get_untracked(),
            role_ids: draft.role_ids.get_untracked(),
            expires_in_days: expiry.get_untracked(),
            expires_at: None,
            decoy: decoy.get_untracked(),
        });
    };
    let can_close = outcome.idle();

    view! {
        <Modal labelled_by="create-key-title" on_close=on_close can_close=can_close class="modal--wide">
            {move || match step.get() {
                Step::Details => view! {
                    <header class="modal__header">
                        <p class="modal__step">"Step 1 of 2"</p>
                        <h2 id="create-key-title">"Create API Key"</h2>
                    </header>
                    <form class="modal__content" on:submit=move |ev| { ev.prevent_default(); next(()); }>
                        <KeyDetailsForm draft=draft roles=roles my_permissions=my_permissions.get_value()/>
                        <ExpiryChoice expiry=expiry policy=policy chosen=chosen/>
                        <label class="acknowledge">
                            <input type="checkbox" id="key-decoy" aria-describedby="key-decoy-hint"
                                prop:checked=move || decoy.get() on:change=move |ev| decoy.set(event_target_checked(&ev))/>
                            "Decoy key"
                        </label>
                        <p class="field__hint" id="key-decoy-hint">
                            "A key made to be found: plant its secret where no one should look (a repository, a config file). \
                             It never works, and any use raises an alarm with the address, in the audit trail and as an event."
                        </p>
                        <footer class="modal__actions">
                            <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                            <button type="submit" class="button button--primary">"Next: double-check"</button>
                        </footer>
                    </form>
                }.into_any(),
                Step::DoubleCheck => view! {
                    <DoubleCheckStep title_id="create-key-title" grantee=draft.clean_name()
                        permissions=roles.with_untracked(|r| r.granted_ids(&draft.role_ids.get_untracked()))
                        note=expiry_sentence(expiry.get_untracked())
                        failure=failure on_retry=Callback::new(create_now)
                        busy=busy on_back=move |_| step.set(Step::Details) on_confirm=create_now
                        confirm=("Create API Key", "Creating…")/>
                }.into_any(),
                Step::Created(key) => {
                    let key_for_generate = (*key).clone();
                    view! {
                        <header class="modal__header">
                            <h2 id="create-key-title">"API key created"</h2>
                        </header>
                        <div class="modal__content">
                            <p role="status">
                                <strong>{key.name.clone()}</strong>
                                " is ready. It has no secret yet: generate one when you are ready to put it in your system's secret store."
                            </p>
                        </div>
                        <footer class="modal__actions">
                            <button type="button" class="button" on:click=move |_| on_close.run(())>"Later"</button>
                            <button type="button" class="button button--primary" autofocus
                                on:click=move |_| on_generate.run(key_for_generate.clone())>"Generate key now"</button>
                        </footer>
                    }.into_any()
                }
            }}
        </Modal>
    }
}

/// Lifetimes offered for a new key: (days, label). Short-lived keys limit the
/// damage of a leak; "never" stays the default so nothing breaks by surprise.
const EXPIRY_CHOICES: [(Option<u32>, &str); 4] = [
    (None, "Never"),
    (Some(30), "In 30 days"),
    (Some(90), "In 90 days"),
    (Some(365), "In 1 year"),
];

fn expiry_sentence(days: Option<u32>) -> String {
    match days {
        None => "The key does not expire; remove it when its system retires.".into(),
        Some(d) => format!("The key stops working {d} days after it is created."),
    }
}

/// The lifetimes a policy allows, with its default among them.
pub fn allowed_expiries(policy: Option<&KeyPolicy>) -> Vec<(Option<u32>, String)> {
    let must_expire = policy.is_some_and(|p| p.require_expiry || p.max_lifetime_days.is_some());
    let max = policy.and_then(|p| p.max_lifetime_days).unwrap_or(u32::MAX);
    let mut choices: Vec<(Option<u32>, String)> = EXPIRY_CHOICES
        .iter()
        .filter(|(d, _)| match d {
            None => !must_expire,
            Some(d) => *d <= max,
        })
        .map(|(d, l)| (*d, l.to_string()))
        .collect();
    for extra in [
        policy.and_then(|p| p.default_lifetime_days),
        policy.and_then(|p| p.max_lifetime_days),
    ]
    .into_iter()
    .flatten()
    {
        if !choices.iter().any(|(d, _)| *d == Some(extra)) {
            choices.push((Some(extra), format!("In {extra} days")));
        }
    }
    choices.sort_by_key(|(d, _)| d.unwrap_or(0));
    choices
}

#[component]
fn ExpiryChoice(
    expiry: RwSignal<Option<u32>>,
    policy: Signal<Option<KeyPolicy>>,
    chosen: RwSignal<bool>,
) -> impl IntoView {
    let value = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <div class="field">
            <label for="key-expiry">"Expires"</label>
            <select id="key-expiry" on:change=move |ev| {
                chosen.set(true);
                expiry.set(event_target_value(&ev).parse().ok());
            }>
                {move || allowed_expiries(policy.get().as_ref()).into_iter().map(|(days, label)| {
                    view! { <option value=value(days) selected=move || expiry.get() == days>{label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
