//! A new invitation link for someone who has not joined yet; the old one
//! stops working.

use keydesk_contract::types::{Invitation, User};
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::invitation_link::InvitationLink;
use super::modal::Modal;
use crate::api::ApiResult;
use crate::hooks::use_action_outcome::{use_action_outcome_with_options, UseActionOutcomeOptions};

#[component]
pub fn NewLinkDialog(
    person: User,
    invite: Action<String, ApiResult<Invitation>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let link = RwSignal::new(None::<Invitation>);
    let outcome = use_action_outcome_with_options(
        invite,
        UseActionOutcomeOptions {
            on_success: Some(Callback::new(move |i| link.set(Some(i)))),
            ..Default::default()
        },
    );
    invite.dispatch(person.id.clone());
    let name = person.name.clone();
    view! {
        <Modal labelled_by="new-link-title" on_close=on_close can_close=outcome.idle()>
            <header class="modal__header">
                <h2 id="new-link-title">{format!("Invitation link for {}", person.name)}</h2>
            </header>
            <div class="modal__content">
                {move || outcome.pending.get().then(|| view! { <p class="loading" role="status">"Making a new link…"</p> })}
                {move || outcome.failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                {move || link.get().map(|i| view! { <InvitationLink invitation=i name=name.clone()/> })}
            </div>
            <footer class="modal__actions">
                <button type="button" class="button button--primary" disabled=move || outcome.pending.get()
                    on:click=move |_| on_close.run(())>"Done"</button>
            </footer>
        </Modal>
    }
}
