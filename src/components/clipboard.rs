//! Copying to the clipboard: the Clipboard API, and where it is missing
//! (pages served over plain HTTP are not a secure context) or refuses, the
//! older copy command on a temporary text area.

use leptos::prelude::{document, window};
use leptos::wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Copies `text`; `Err` with a message a person can act on when the browser refuses.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let navigator = window().navigator();
    let has_clipboard_api =
        js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| !c.is_undefined());
    if has_clipboard_api
        && JsFuture::from(navigator.clipboard().write_text(text))
            .await
            .is_ok()
    {
        return Ok(());
    }
    if copy_with_command(text) {
        Ok(())
    } else {
        Err("Copying was blocked by the browser. Select the text and press Ctrl+C.".to_string())
    }
}

fn copy_with_command(text: &str) -> bool {
    let doc = document();
    let Ok(area) = doc.create_element("textarea") else {
        return false;
    };
    let area: web_sys::HtmlTextAreaElement = area.unchecked_into();
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    // A class, not a style attribute: the Content-Security-Policy allows no inline styles.
    area.set_class_name("clipboard-helper");
    // Inside an open modal dialog, only the dialog is focusable: put it there.
    let parent = doc
        .query_selector("dialog[open]")
        .ok()
        .flatten()
        .or_else(|| doc.body().map(Into::into));
    let Some(parent) = parent else { return false };
    if parent.append_child(&area).is_err() {
        return false;
    }
    area.select();
    let copied = doc
        .dyn_ref::<web_sys::HtmlDocument>()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false);
    area.remove();
    copied
}
