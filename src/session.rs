//! Who is signed in, shared by every screen through context. The app asks
//! `/me` at start, so a reload keeps you signed in; an expired session sends
//! you to sign-in and, afterwards, back to the page you were on.

use keydesk_contract::types::Me;
use leptos::prelude::*;
use leptos::task::spawn_local;

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
}

impl Session {
    /// A session in a known state, provided to the components below (tests use this).
    pub fn provide(state: SessionState) -> Self {
        let session = Session {
            state: RwSignal::new(state),
        };
        provide_context(session);
        session
    }

    /// Asks the server who is signed in.
    pub fn check(self) {
        self.state.set(SessionState::Checking);
        spawn_local(async move {
            self.state.set(match api::me().await {
                Ok(me) => SessionState::SignedIn(me),
                Err(ApiError::Unauthenticated(_)) => SessionState::SignedOut,
                Err(e) => SessionState::Unreachable(e),
            });
        });
    }

    pub fn me(self) -> Option<Me> {
        match self.state.get() {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
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

    /// Every screen passes its API errors through here: an expired session
    /// signs the person out (the guard then sends them to sign-in).
    pub fn notice(self, error: &ApiError) {
        if matches!(error, ApiError::Unauthenticated(_)) {
            self.signed_out();
        }
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
