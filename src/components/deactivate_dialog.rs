//! Deactivate a person: says what happens (their sessions end at once;
//! their keys keep working) before it is done, and which keys carry a
//! current secret they generated (they saw it), each with a one-click
//! Regenerate that shows the new secret once.

use keydesk_contract::permissions;
use keydesk_contract::types::{GenerateRequest, GeneratedApiKey, User};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::generated_key_dialog::GeneratedKeyDialog;
use super::modal::Modal;
use crate::api::{self, ApiResult};
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};
use crate::session::use_session;

/// A change of someone's access: their id and whether they may sign in.
pub type AccessChange = (String, bool);

/// Says what deactivation does before it is done.
#[component]
pub fn DeactivateDialog(
    person: User,
    change: Action<AccessChange, ApiResult<User>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let outcome = use_action_outcome_with_options(
        change,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |_| on_close.run(()))),
            ..Default::default()
        },
    );
    let id = person.id.clone();
    let session = use_session();
    let can_see_keys = session.can_now(permissions::SERVICE_ACCOUNTS_RETRIEVE);
    let whose = person.id.clone();
    let seen = LocalResource::new(move || {
        let whose = whose.clone();
        async move {
            if can_see_keys {
                api::generated_secrets(&whose).await
            } else {
                Ok(Vec::new())
            }
        }
    });
    let regenerate = Action::new_local(|key_id: &String| {
        let key_id = key_id.clone();
        async move { api::generate_key(&key_id, &GenerateRequest::default()).await }
    });
    let shown = RwSignal::new(None::<GeneratedApiKey>);
    Effect::new(move || {
        if let Some(Ok(generated)) = regenerate.value().get() {
            shown.set(Some(generated));
            seen.refetch();
        }
    });
    let may_regenerate = session.can_now(permissions::SERVICE_ACCOUNTS_REFRESH);
    let origin = window().location().origin().unwrap_or_default();
    let name = person.name.clone();
    view! {
        {move || shown.get().map(|generated| view! {
            <GeneratedKeyDialog generated=generated origin=origin.clone() on_close=move |_| shown.set(None)/>
        })}
        <Modal labelled_by="deactivate-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="deactivate-title">{format!("Deactivate {}?", person.name)}</h2>
            </header>
            <div class="modal__content">
                <p class="warning" role="note">
                    "Every session of " <strong>{person.name.clone()}</strong>
                    " ends at once and they cannot sign in until activated again. "
                    "API keys they created keep working: keys belong to the organization."
                </p>
                {move || seen.get().and_then(Result::ok).filter(|list| !list.is_empty()).map(|list| {
                    let n = list.len();
                    view! {
                        <div class="notice" role="note">
                            <p>{format!(
                                "{n} key{} still {} a secret {name} generated, so they have seen it. Regenerate {} to be sure:",
                                if n == 1 { "" } else { "s" },
                                if n == 1 { "has" } else { "have" },
                                if n == 1 { "it" } else { "each" },
                            )}</p>
                            <ul class="seen-secrets">
                                {list.into_iter().map(|s| {
                                    let key_id = s.api_key.id.clone();
                                    let label = format!("Regenerate {}", s.api_key.name);
                                    view! {
                                        <li>
                                            <strong>{s.api_key.name.clone()}</strong>
                                            " "
                                            <button type="button" class="button button--small" aria-label=label
                                                disabled=move || !may_regenerate || regenerate.pending().get()
                                                title=(!may_regenerate).then_some("You need the service-accounts.refresh permission.")
                                                on:click=move |_| { regenerate.dispatch(key_id.clone()); }>
                                                "Regenerate"
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </div>
                    }
                })}
                {move || regenerate.value().get().and_then(Result::err).map(|e| view! { <ErrorPanel error=e/> })}
                {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
            </div>
            <footer class="modal__actions">
                <button type="button" class="button" disabled=move || outcome.pending.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button--danger" disabled=move || outcome.pending.get()
                    on:click=move |_| { change.dispatch((id.clone(), false)); }>
                    {move || if outcome.pending.get() { "Deactivating…" } else { "Deactivate" }}
                </button>
            </footer>
        </Modal>
    }
}
