//! Guards signed-in screens: while `/me` is asked, a quiet loading line; a
//! session that must first set its own password, or set up the second
//! factor its organization requires, gets only that screen; when
//! signed out, off to sign-in with the current address to come back to.

use leptos::prelude::*;

use super::loading::Loading;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::error_panel::ErrorPanel;
use crate::parts::{Screen, SignedInScreen, SignedInShell};
use crate::session::{use_session, SessionState};
use keydesk_contract::types::RequiredStep;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Checking,
    SignedOut,
    SignedIn,
    /// Signed in, but the session may only set its own password first.
    MustSetPassword,
    /// Signed in, but the session may only set up a second factor first.
    MustEnrolSecondFactor,
    Unreachable,
}

#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let phase = Memo::new(move |_| match session.state.get() {
        SessionState::Checking => Phase::Checking,
        SessionState::SignedOut => Phase::SignedOut,
        SessionState::SignedIn(me) => match me.required_step {
            Some(RequiredStep::SetPassword) => Phase::MustSetPassword,
            Some(RequiredStep::EnrolSecondFactor) => Phase::MustEnrolSecondFactor,
            None => Phase::SignedIn,
        },
        SessionState::Unreachable(_) => Phase::Unreachable,
    });
    Effect::new(move || {
        let path = location.pathname.get_untracked();
        // Signing out navigates to /sign-in itself; nothing to come back to then.
        if phase.get() == Phase::SignedOut && !path.starts_with("/sign-") {
            let here = format!("{path}{}", location.search.get_untracked());
            let target = format!("/sign-in?next={}", crate::api::encode(&here));
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let children = StoredValue::new(children);
    move || match phase.get() {
        Phase::Checking => view! { <Loading/> }.into_any(),
        Phase::SignedOut => ().into_any(),
        Phase::SignedIn => {
            let children: ChildrenFn = children.get_value();
            view! { <SignedInShell children=children/> }.into_any()
        }
        Phase::MustSetPassword => {
            view! { <SignedInScreen screen=Screen::SetOwnPassword/> }.into_any()
        }
        Phase::MustEnrolSecondFactor => {
            view! { <SignedInScreen screen=Screen::EnrolSecondFactor/> }.into_any()
        }
        Phase::Unreachable => {
            let error = match session.state.get_untracked() {
                SessionState::Unreachable(e) => e,
                _ => crate::api::ApiError::Network,
            };
            view! {
                <main class="page page--centered">
                    <ErrorPanel error=error on_retry=Callback::new(move |_| session.retry())/>
                </main>
            }
            .into_any()
        }
    }
}
