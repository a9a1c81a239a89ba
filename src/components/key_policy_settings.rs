//! Settings → Key policy: whether keys must expire, the longest and the
//! default lifetime of a secret. "Preview" lists every key the change puts
//! outside the policy, why, and its requests this week, before Save; keys
//! outside it keep working for 14 days and say so in their row.

use keydesk_contract::key_policy::{KeyPolicy, KeyPolicyPreview, KeyPolicyRequest};
use keydesk_contract::types::FieldErrors;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::field::TextField;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::time;

fn days(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

#[component]
pub fn KeyPolicySettings(
    current: KeyPolicy,
    preview: Action<KeyPolicyRequest, ApiResult<KeyPolicyPreview>>,
    save: Action<KeyPolicyRequest, ApiResult<KeyPolicy>>,
    may_change: bool,
) -> impl IntoView {
    let require = RwSignal::new(current.require_expiry);
    let max = RwSignal::new(
        current
            .max_lifetime_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let default = RwSignal::new(
        current
            .default_lifetime_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let stored = RwSignal::new(current);
    let errors = RwSignal::new(FieldErrors::new());
    let request = move || KeyPolicyRequest {
        require_expiry: require.get_untracked(),
        max_lifetime_days: days(&max.get_untracked()),
        default_lifetime_days: days(&default.get_untracked()),
        enforce_from: None,
    };
    let previewing = use_action_outcome_with_options(
        preview,
        UseActionOutcomeOptions {
            on_fields: Some(Callback::new(move |f| errors.set(f))),
            ..Default::default()
        },
    );
    let saving = use_action_outcome_with_options(
        save,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |p: KeyPolicy| stored.set(p))),
            on_fields: Some(Callback::new(move |f| errors.set(f))),
        },
    );
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));
    let affected = move || preview.value().get().and_then(|r| r.ok());
    view! {
        <section class="account-section account-section--wide" aria-labelledby="key-policy-title">
            <h2 id="key-policy-title">"Key policy"</h2>
            <p>"Keys that stay short-lived leak less. A tighter policy applies to existing keys after 14 days' notice; each says so in its row, and regenerating renews it."</p>
            <form novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if !saving.pending.get_untracked() {
                    errors.set(FieldErrors::new());
                    save.dispatch(request());
                }
            }>
                <fieldset disabled=!may_change class="plain-fieldset">
                    <label class="acknowledge">
                        <input type="checkbox" id="policy-require-expiry" prop:checked=move || require.get()
                            on:change=move |ev| require.set(event_target_checked(&ev))/>
                        "Require an expiry on every key"
                    </label>
                    <TextField id="policy-max-days" label="Longest lifetime (days)" value=max error=error("max_lifetime_days")
                        hint="1 to 3650; empty: no limit"/>
                    <TextField id="policy-default-days" label="Default lifetime (days)" value=default error=error("default_lifetime_days")
                        hint="Create and Regenerate fill it in; empty: none"/>
                </fieldset>
                {move || stored.get().enforce_from.map(|t| view! {
                    <p class="field__hint">{format!("Keys outside the policy stop working {} ({}).", time::ago(&t), time::exact(&t))}</p>
                })}
                {move || affected().map(|p| if p.items.is_empty() {
                    view! { <p class="notice notice--good" role="status">"No key is outside this policy."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" role="status">
                            <table class="keys-table">
                                <caption>{format!("{} keys would be outside the policy", p.total)}</caption>
                                <thead><tr><th scope="col">"Key"</th><th scope="col">"Why"</th><th scope="col">"Expires"</th><th scope="col">"Requests, last 7 days"</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|i| view! {
                                        <tr class="policy-preview__row">
                                            <th scope="row">{i.api_key.name}</th>
                                            <td>{match i.reason.as_str() { "no_expiry" => "never expires", _ => "lives too long" }}</td>
                                            <td>{i.expires_at.as_deref().map(time::exact).unwrap_or_else(|| "never".into())}</td>
                                            <td>{i.requests_last_7_days}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                })}
                {move || previewing.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                {move || saving.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                {move || saving.pending.get().then(|| view! { <p class="field__hint">"Saving…"</p> })}
                {may_change.then(|| view! {
                    <div class="form-actions">
                        <button type="button" class="button" disabled=move || previewing.pending.get()
                            on:click=move |_| { errors.set(FieldErrors::new()); preview.dispatch(request()); }>"Preview"</button>
                        <button type="submit" class="button button--primary" disabled=move || saving.pending.get()>"Save key policy"</button>
                    </div>
                })}
            </form>
        </section>
    }
}
