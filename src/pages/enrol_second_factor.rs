//! Set up a second factor: the only thing a session may do while the
//! organization requires one and the person has none. Every other screen
//! would be refused (403 `second_factor_required`), so this stands in for
//! them all; once a factor is set up (and its recovery codes put away), the
//! session is asked for again and the app opens.

use leptos::prelude::*;

use crate::components::second_factors_panel::SecondFactorsPanel;
use crate::components::sign_out_link::SignOutLink;
use crate::pages::my_account::security_calls;
use crate::session::use_session;

#[component]
pub fn EnrolSecondFactorPage() -> impl IntoView {
    let session = use_session();
    let me = session.me_now();
    let who = me
        .as_ref()
        .map(|m| m.user.email.clone())
        .unwrap_or_default();
    let organization = me.map(|m| m.organization.name).unwrap_or_default();
    view! {
        <main class="page page--narrow" id="main">
            <header class="page__header">
                <h1>"Set up a second factor"</h1>
                <p class="page__lead">{format!(
                    "{organization} requires a second factor for everyone. Set up an authenticator app or a passkey to go on."
                )}</p>
            </header>
            <SecondFactorsPanel calls=security_calls() who=who
                on_changed=Callback::new(move |()| session.retry())/>
            <SignOutLink lead="Not now? "/>
        </main>
    }
}
