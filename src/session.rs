//! Who is signed in, shared by every screen through context. The app asks
//! `/me` at start, so a reload keeps you signed in; an expired session sends
//! you to sign-in and, afterwards, back to the page you were on.

use keydesk_contract::types::Me;
use leptos::prelude::*;

use crate::api::{self, ApiError};

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Asking `/me`.
    Checking,
    SignedOut,
    SignedIn(Me),
    /// `/me` could not be answered (server down): offer a retry.
    Unreachable(ApiError),
}

/// Handle to the session; `Copy`, so closures can capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub state: RwSignal<SessionState>,
    /// Asks `/me` again (set by [`Session::check`]).
    ask_again: StoredValue<Option<Callback<()>>>,
}

impl Session {
    /// A session in a known state, provided to the components below (tests use this).
    pub fn provide(state: SessionState) -> Self {
        let session = Session {
            state: RwSignal::new(state),
            ask_again: StoredValue::new(None),
        };
        provide_context(session);
        // Any answer anywhere saying the session ended signs this person
        // out; the guard then sends them to sign-in, and back afterwards.
        api::when_session_ends(move || {
            if session
                .state
                .try_with_untracked(|s| matches!(s, SessionState::SignedIn(_)))
                == Some(true)
            {
                session.state.try_set(SessionState::SignedOut);
            }
        });
        session
    }

    /// Asks the server who is signed in, now and on each [`Session::retry`].
    pub fn check(self) {
        let ask = Action::new_local(|_: &()| api::me());
        Effect::new(move || {
            if let Some(answer) = ask.value().get() {
                self.state.set(match answer {
                    Ok(me) => SessionState::SignedIn(me),
                    Err(ApiError::Unauthenticated(_)) => SessionState::SignedOut,
                    Err(e) => SessionState::Unreachable(e),
                });
            }
        });
        let again = Callback::new(move |()| {
            self.state.set(SessionState::Checking);
            ask.dispatch(());
        });
        again.run(());
        self.ask_again.set_value(Some(again));
    }

    /// Asks again after the server could not be reached.
    pub fn retry(self) {
        if let Some(again) = self.ask_again.get_value() {
            again.run(());
        }
    }

    pub fn me(self) -> Option<Me> {
        match self.state.get() {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    /// [`Session::me`] without subscribing: for values computed once.
    pub fn me_now(self) -> Option<Me> {
        self.state.with_untracked(|s| match s {
            SessionState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// Whether the signed-in person holds `permission` (reactive).
    pub fn can(self, permission: &str) -> bool {
        self.state
            .with(|s| matches!(s, SessionState::SignedIn(me) if me.can(permission)))
    }

    /// [`Session::can`] without subscribing: for values computed once.
    pub fn can_now(self, permission: &str) -> bool {
        self.state
            .with_untracked(|s| matches!(s, SessionState::SignedIn(me) if me.can(permission)))
    }

    pub fn signed_in(self, me: Me) {
        self.state.set(SessionState::SignedIn(me));
    }

    pub fn signed_out(self) {
        self.state.set(SessionState::SignedOut);
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
