//! What a dialog shows about the request it makes through an [`Action`]:
//! whether one is in flight, the messages the server put on fields, and a
//! failure no field can carry. Only requests dispatched since the hook was
//! created count, so an action shared by a page (which reloads its list on
//! the action's `version`) starts clean in every dialog that uses it.

use keydesk_contract::types::FieldErrors;
use leptos::prelude::*;

use crate::api::{ApiError, ApiResult};

/// What to do when an answer arrives; both optional.
pub struct UseActionOutcomeOptions<O: 'static> {
    /// Runs once with each success.
    pub on_success: Option<Callback<O>>,
    /// Runs with the server's per-field messages; without it they show as
    /// the failure.
    pub on_fields: Option<Callback<FieldErrors>>,
}

impl<O> Default for UseActionOutcomeOptions<O> {
    fn default() -> Self {
        UseActionOutcomeOptions {
            on_success: None,
            on_fields: None,
        }
    }
}

/// The state of the requests made through one action.
#[derive(Clone, Copy)]
pub struct ActionOutcome {
    /// A request is in flight: buttons disable, the dialog stays open.
    pub pending: Signal<bool>,
    /// Why the last request failed, when no field says it.
    pub failure: Signal<Option<ApiError>>,
}

impl ActionOutcome {
    /// Whether the dialog may be closed now.
    pub fn idle(self) -> Signal<bool> {
        let pending = self.pending;
        Signal::derive(move || !pending.get())
    }
}

pub fn use_action_outcome<I, O>(action: Action<I, ApiResult<O>>) -> ActionOutcome
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    use_action_outcome_with_options(action, UseActionOutcomeOptions::default())
}

pub fn use_action_outcome_with_options<I, O>(
    action: Action<I, ApiResult<O>>,
    options: UseActionOutcomeOptions<O>,
) -> ActionOutcome
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    // Only this adapter depends on the answer's type; the rest is shared by
    // every action (each generic copy costs the web app's download).
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    });
    let on_success = options.on_success.map(|f| {
        Callback::new(move |()| {
            if let Some(Ok(value)) = action.value().get_untracked() {
                f.run(value);
            }
        })
    });
    outcome(
        action.version(),
        action.pending(),
        error,
        on_success,
        options.on_fields,
    )
}

fn outcome(
    version: RwSignal<usize>,
    pending: Memo<bool>,
    error: Signal<Option<ApiError>>,
    on_success: Option<Callback<()>>,
    on_fields: Option<Callback<FieldErrors>>,
) -> ActionOutcome {
    let since = version.get_untracked();
    let mine = move || version.get() > since;
    let fields_have_a_home = on_fields.is_some();
    let failure = Signal::derive(move || {
        if !mine() || pending.get() {
            return None;
        }
        match error.get() {
            Some(ApiError::Invalid { fields, .. }) if fields_have_a_home && !fields.is_empty() => {
                None
            }
            other => other,
        }
    });
    // Each answer is handled once: the effect remembers the version it saw.
    Effect::new(move |seen: Option<usize>| {
        let now = version.get();
        if now > since && seen != Some(now) {
            match error.get_untracked() {
                None => {
                    if let Some(f) = on_success {
                        f.run(());
                    }
                }
                Some(ApiError::Invalid { fields, .. }) if !fields.is_empty() => {
                    if let Some(f) = on_fields {
                        f.run(fields);
                    }
                }
                Some(_) => {}
            }
        }
        now
    });
    ActionOutcome {
        pending: pending.into(),
        failure,
    }
}
