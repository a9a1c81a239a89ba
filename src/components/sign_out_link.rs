//! "Not you? Sign out": the way out of a screen that stands in for the
//! whole app (setting one's own password, setting up a required second
//! factor). Ends the session; sign-in follows whatever the answer.

use leptos::prelude::*;

use crate::api;
use crate::session::use_session;

#[component]
pub fn SignOutLink(
    /// What comes before the button, e.g. "Not you? ".
    #[prop(into)]
    lead: String,
) -> impl IntoView {
    let session = use_session();
    view! {
        <p class="auth__switch">{lead}
            <button type="button" class="link-button" on:click=move |_| {
                leptos::task::spawn_local(async move {
                    let _ = api::sign_out().await;
                    session.signed_out();
                });
            }>"Sign out"</button>
        </p>
    }
}
