//! An invitation link, shown once: keydesk sends no email, so the person who
//! adds someone passes the link on themselves.

use keydesk_contract::types::Invitation;
use leptos::prelude::*;

use crate::hooks::use_copy::use_copy;
use crate::time;

#[component]
pub fn InvitationLink(
    invitation: Invitation,
    /// Who it is for.
    #[prop(into)]
    name: String,
) -> impl IntoView {
    let copying = use_copy::<()>();
    let url = invitation.url.clone();
    let copy = move |_| copying.copy((), url.clone());
    view! {
        <p class="warning" role="note">
            <strong>"Shown once. "</strong>
            "keydesk sends no email: give this link to " <strong>{name}</strong>
            " yourself. Whoever opens it can set the password, so send it privately. It works once, until "
            {time::exact(&invitation.expires_at)} "."
        </p>
        <label class="secret__label" for="invitation-link">"Invitation link"</label>
        <div class="secret">
            <input id="invitation-link" class="secret__value" readonly value=invitation.url.clone()
                spellcheck="false" autocomplete="off" aria-describedby="invitation-copy-status"/>
            <button type="button" class="button button--primary" on:click=copy>
                {move || if copying.copied().is_some() { "Copied" } else { "Copy" }}
            </button>
        </div>
        <p id="invitation-copy-status" class="copy-status" role="status" aria-live="polite">
            {move || match (copying.copied(), copying.error()) {
                (Some(()), _) => "Copied the link to the clipboard.".to_string(),
                (None, Some(e)) => e,
                (None, None) => String::new(),
            }}
        </p>
    }
}
