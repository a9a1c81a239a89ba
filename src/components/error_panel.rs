//! The one way an API failure is shown: what happened, and a retry when retrying can help.

use leptos::prelude::*;

use crate::api::ApiError;

#[component]
pub fn ErrorPanel(
    error: ApiError,
    /// Offered as a Retry button when the failure may pass.
    #[prop(into, optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let title = match &error {
        ApiError::Network => "keydesk cannot be reached",
        ApiError::Forbidden(_) => "Not allowed",
        ApiError::NotFound(_) => "Not found",
        ApiError::Server(_) => "Something went wrong",
        _ => "That did not work",
    };
    let retry = on_retry.filter(|_| error.is_transient());
    view! {
        <div class="error-panel" role="alert">
            <p class="error-panel__title">{title}</p>
            <p class="error-panel__message">{error.to_string()}</p>
            {retry.map(|retry| view! {
                <button type="button" class="button" on:click=move |_| retry.run(())>"Retry"</button>
            })}
        </div>
    }
}
