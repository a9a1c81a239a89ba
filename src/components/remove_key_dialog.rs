//! Remove an API key: says what stops working, and asks for the key's name
//! to be typed before the button wakes up.

use keydesk_contract::types::ApiKey;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use super::modal::Modal;
use super::submission::Submission;
use crate::api::Pending;

#[component]
pub fn RemoveKeyDialog(
    key: ApiKey,
    /// Sends the removal of the key with this id.
    submit: UnsyncCallback<String, Pending<()>>,
    #[prop(into)] on_removed: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let submission = Submission::new();
    let (busy, failure) = (submission.busy, submission.failure);
    let name = key.name.clone();
    let matches = {
        let name = name.clone();
        move || typed.get().trim() == name
    };
    let matches_now = matches.clone();
    let id = key.id.clone();
    let remove = move || {
        if !matches_now() {
            return;
        }
        let id = id.clone();
        submission.send(move || submit.run(id), move |()| on_removed.run(()), None);
    };
    let remove_on_submit = remove.clone();
    view! {
        <Modal labelled_by="remove-title" on_close=on_close can_close=submission.idle()>
            <header class="modal__header">
                <h2 id="remove-title">{format!("Remove {name}?")}</h2>
            </header>
            <form class="modal__content" on:submit=move |ev| { ev.prevent_default(); remove_on_submit(); }>
                <p class="warning" role="note">
                    "Systems using this key stop working at once: every request they send with it will be refused. "
                    "This cannot be undone."
                </p>
                <label for="confirm-name">"Type " <strong>{name.clone()}</strong> " to confirm"</label>
                <input id="confirm-name" autocomplete="off" spellcheck="false" autofocus
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                {move || failure.get().map(|e| view! { <ErrorPanel error=e/> })}
                <footer class="modal__actions">
                    <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="button button--danger" disabled=move || busy.get() || !matches()>
                        {move || if busy.get() { "Removing…" } else { "Remove key" }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}
