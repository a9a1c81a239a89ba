//! A dialog's request: at most one in flight (no double submit), its failure
//! kept for the error panel, and an expired session passed to the session.

use keydesk_contract::types::FieldErrors;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, Pending};
use crate::session::Session;

#[derive(Debug, Clone, Copy)]
pub struct Submission {
    /// A request is in flight: buttons are disabled and the dialog stays open.
    pub busy: RwSignal<bool>,
    /// Why the last request failed, when no field can say it.
    pub failure: RwSignal<Option<ApiError>>,
    /// Absent in tests that mount a dialog alone.
    session: Option<Session>,
}

impl Submission {
    pub fn new() -> Self {
        Submission {
            busy: RwSignal::new(false),
            failure: RwSignal::new(None),
            session: use_context::<Session>(),
        }
    }

    /// Whether the dialog may be closed now.
    pub fn idle(self) -> Signal<bool> {
        let busy = self.busy;
        Signal::derive(move || !busy.get())
    }

    /// Sends the request `start` makes, unless one is in flight. `on_ok` gets
    /// the answer; `on_fields` gets the server's per-field messages (if it
    /// is given; otherwise they show in the error panel).
    pub fn send<T: 'static>(
        self,
        start: impl FnOnce() -> Pending<T>,
        on_ok: impl FnOnce(T) + 'static,
        on_fields: Option<Box<dyn FnOnce(FieldErrors)>>,
    ) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.failure.set(None);
        let call = start();
        spawn_local(async move {
            let result = call.await;
            // The dialog may have gone while the request was in flight.
            if self.busy.is_disposed() {
                return;
            }
            self.busy.set(false);
            match (result, on_fields) {
                (Ok(value), _) => on_ok(value),
                (Err(ApiError::Invalid { fields, .. }), Some(show)) if !fields.is_empty() => {
                    show(fields)
                }
                (Err(e), _) => {
                    self.failure.set(Some(e.clone()));
                    if let Some(session) = self.session {
                        session.notice(&e);
                    }
                }
            }
        });
    }
}

impl Default for Submission {
    fn default() -> Self {
        Self::new()
    }
}
