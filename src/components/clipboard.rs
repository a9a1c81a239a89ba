//! Copying to the clipboard with the Clipboard API.

use wasm_bindgen_futures::JsFuture;

/// Copies `text`; `Err` with a message a person can act on when the browser refuses.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = leptos::prelude::window().navigator().clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| {
            "Copying was blocked by the browser. Select the text and press Ctrl+C.".to_string()
        })
}
