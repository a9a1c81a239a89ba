//! Copying to the clipboard and remembering how it went: what was copied
//! last (by a label the caller chooses), or why the browser refused. A
//! browser call, not an API request: a task, not an Action (each Action type
//! costs ~5 KB of wasm).

use leptos::prelude::*;

use crate::components::clipboard::copy_text;

/// The last copy's outcome, and a way to copy.
#[derive(Clone, Copy)]
pub struct UseCopy<L: Clone + Send + Sync + 'static> {
    last: RwSignal<Option<Result<L, String>>>,
}

impl<L: Clone + PartialEq + Send + Sync + 'static> UseCopy<L> {
    /// Copies `text`; `label` says what it was, for [`UseCopy::copied`].
    pub fn copy(self, label: L, text: String) {
        let last = self.last;
        leptos::task::spawn_local(async move {
            let result = copy_text(&text).await.map(|()| label);
            last.try_set(Some(result));
        });
    }

    /// What was copied last, if the last copy worked (reactive).
    pub fn copied(self) -> Option<L> {
        self.last.get().and_then(Result::ok)
    }

    /// Why the last copy failed, if it did (reactive).
    pub fn error(self) -> Option<String> {
        self.last.get().and_then(Result::err)
    }
}

pub fn use_copy<L: Clone + PartialEq + Send + Sync + 'static>() -> UseCopy<L> {
    UseCopy {
        last: RwSignal::new(None),
    }
}
