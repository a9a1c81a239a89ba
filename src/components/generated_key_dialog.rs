//! API Key Generated: the secret, shown once. It cannot be dismissed until
//! the person ticks "I have stored this key"; the secret lives only in this
//! component and is gone when it closes.

use keydesk_contract::types::GeneratedApiKey;
use leptos::prelude::*;

use super::modal::Modal;
use crate::hooks::use_copy::use_copy;

/// The environment variable the test command reads the key from.
pub const KEY_VARIABLE: &str = "KEYDESK_API_KEY";

/// A command that tests the key without putting it on a command line: the
/// secret would otherwise sit in shell history and in `ps` for anyone on the
/// machine. `read -rs` takes it pasted and unechoed; `printf` is a shell
/// built-in, and curl reads the header from its standard input.
pub fn curl_command(origin: &str) -> String {
    format!(
        "read -rs {KEY_VARIABLE} && export {KEY_VARIABLE}\n\
         printf 'Authorization: Bearer %s\\n' \"${KEY_VARIABLE}\" | curl -sS -H @- {origin}{}/whoami",
        keydesk_contract::API_BASE
    )
}

#[component]
pub fn GeneratedKeyDialog(
    generated: GeneratedApiKey,
    /// Where the API answers, for the ready-to-run curl command, e.g. `https://keydesk.example.com`.
    #[prop(into)]
    origin: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let GeneratedApiKey { api_key, secret } = generated;
    let stored = RwSignal::new(false);
    let curl = curl_command(&origin);
    let copying = use_copy::<&'static str>();
    let copied = move || copying.copied();
    let copy_error = move || copying.error();
    let copy = move |what: &'static str, text: String| copying.copy(what, text);
    let secret_for_copy = secret.clone();
    let curl_for_copy = curl.clone();
    let close = move |_| {
        if stored.get_untracked() {
            on_close.run(());
        }
    };

    view! {
        <Modal labelled_by="generated-key-title" on_close=on_close can_close=Signal::derive(move || stored.get()) class="modal--wide">
            <header class="modal__header">
                <h2 id="generated-key-title">"API Key Generated"</h2>
                <p class="modal__subtitle">{format!("The secret for {}", api_key.name)}</p>
            </header>
            <div class="modal__content">
                <p class="warning" role="note">
                    <strong>"Copy it now. "</strong>
                    "For your security this key is shown only once: keydesk keeps only a fingerprint of it. "
                    "If you lose it, regenerate the key."
                </p>
                <label class="secret__label" for="generated-secret">"Secret key"</label>
                <div class="secret">
                    <input id="generated-secret" class="secret__value" readonly value=secret.clone()
                        aria-describedby="copy-status" spellcheck="false" autocomplete="off"
                        on:focus=move |ev| {
                            use leptos::wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }/>
                    <button type="button" class="button button--primary" autofocus
                        on:click=move |_| copy("secret", secret_for_copy.clone())>
                        {move || if copied() == Some("secret") { "Copied" } else { "Copy" }}
                    </button>
                </div>
                <p id="copy-status" class="copy-status" role="status" aria-live="polite">
                    {move || match (copied(), copy_error()) {
                        (_, Some(e)) => e,
                        (Some("secret"), None) => "Copied the secret to the clipboard.".to_string(),
                        (Some(_), None) => "Copied the command to the clipboard.".to_string(),
                        _ => String::new(),
                    }}
                </p>
                <label class="secret__label" for="generated-curl">"Test it"</label>
                <p class="field__hint" id="generated-curl-hint">
                    "Run it and paste the key when it waits (nothing is shown). The key goes into "
                    <code>{KEY_VARIABLE}</code>", never onto a command line or into your shell history."
                </p>
                <div class="secret">
                    <textarea id="generated-curl" class="secret__value secret__value--command" readonly rows="4"
                        aria-describedby="generated-curl-hint" spellcheck="false">{curl.clone()}</textarea>
                    <button type="button" class="button" on:click=move |_| copy("curl", curl_for_copy.clone())>
                        {move || if copied() == Some("curl") { "Copied" } else { "Copy command" }}
                    </button>
                </div>
                <label class="acknowledge">
                    <input type="checkbox" id="stored-key" prop:checked=move || stored.get()
                        on:change=move |ev| stored.set(event_target_checked(&ev))/>
                    "I have stored this key somewhere safe"
                </label>
            </div>
            <footer class="modal__actions">
                <button type="button" class="button button--primary" disabled=move || !stored.get() on:click=close
                    aria-describedby="done-hint">"Done"</button>
                <p id="done-hint" class="modal__hint" hidden=move || stored.get()>"Tick the box once the key is stored to close."</p>
            </footer>
        </Modal>
    }
}
