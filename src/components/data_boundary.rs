//! Where a screen shows what it loaded: Leptos' `ErrorBoundary`, whose
//! fallback is the one [`ErrorPanel`], with Retry when retrying can help.
//! Views inside render `Result<_, ApiError>` and need not handle failure.

use leptos::error::Error;
use leptos::prelude::*;

use super::error_panel::ErrorPanel;
use crate::api::ApiError;

#[component]
pub fn DataBoundary(
    /// Loads again (e.g. a resource's `refetch`).
    #[prop(into)]
    on_retry: Callback<()>,
    children: Children,
) -> impl IntoView {
    let fallback = move |errors: ArcRwSignal<Errors>| {
        move || {
            let error = errors
                .with(|e| e.iter().next().map(|(_, e)| api_error(e)))
                .unwrap_or(ApiError::Network);
            view! { <ErrorPanel error=error on_retry=on_retry/> }
        }
    };
    view! {
        <ErrorBoundary fallback=fallback>
            {children()}
        </ErrorBoundary>
    }
}

/// The API's error behind a thrown error (anything else reads as a failure).
fn api_error(error: &Error) -> ApiError {
    (**error)
        .downcast_ref::<ApiError>()
        .cloned()
        .unwrap_or_else(|| ApiError::Server(error.to_string()))
}
