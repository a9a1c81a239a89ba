//! Recovery codes, shown once: ten one-time codes that stand in for a
//! second factor when the phone or passkey is lost. Copy and Download, and
//! the dialog stays until the person says they stored them (like a secret).

use leptos::prelude::*;

use super::modal::Modal;
use crate::hooks::use_copy::use_copy;

/// The codes as a text file: one per line, with what they are.
pub fn as_text(codes: &[String], who: &str) -> String {
    format!(
        "keydesk recovery codes for {who}\nEach code works once, in place of your second factor.\n\n{}\n",
        codes.join("\n")
    )
}

/// A `data:` link the browser downloads the codes from (no server round trip).
pub fn download_href(text: &str) -> String {
    format!("data:text/plain;charset=utf-8,{}", crate::api::encode(text))
}

#[component]
pub fn RecoveryCodesDialog(
    codes: Vec<String>,
    /// Whose codes (the email), written into the downloaded file.
    #[prop(into)]
    who: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let stored = RwSignal::new(false);
    let copying = use_copy::<&'static str>();
    let text = as_text(&codes, &who);
    let href = download_href(&text);
    let finish = move |_| {
        if stored.get_untracked() {
            on_close.run(());
        }
    };
    view! {
        <Modal labelled_by="recovery-codes-title" on_close=on_close can_close=Signal::derive(move || stored.get())>
            <header class="modal__header">
                <h2 id="recovery-codes-title">"Your recovery codes"</h2>
                <p class="modal__subtitle">"Each works once, in place of your second factor"</p>
            </header>
            <div class="modal__content">
                <p class="warning" role="note">
                    <strong>"Store them now. "</strong>
                    "They are shown only once: keydesk keeps only fingerprints of them. "
                    "Keep them apart from your phone and passkeys, e.g. in a password manager."
                </p>
                <ol class="recovery-codes" aria-label="Recovery codes">
                    {codes.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
                </ol>
                <div class="recovery-codes__actions">
                    <button type="button" class="button button--primary" autofocus
                        on:click={
                            let text = text.clone();
                            move |_| copying.copy("codes", text.clone())
                        }>
                        {move || if copying.copied().is_some() { "Copied" } else { "Copy" }}
                    </button>
                    <a class="button" href=href download="keydesk-recovery-codes.txt">"Download"</a>
                </div>
                <p class="copy-status" role="status" aria-live="polite">
                    {move || copying.error().or_else(|| copying.copied().map(|_| "Copied the codes to the clipboard.".to_string()))}
                </p>
                <label class="acknowledge">
                    <input type="checkbox" id="stored-codes" prop:checked=move || stored.get()
                        on:change=move |ev| stored.set(event_target_checked(&ev))/>
                    "I have stored these codes somewhere safe"
                </label>
            </div>
            <footer class="modal__actions">
                <button type="button" class="button button--primary" disabled=move || !stored.get()
                    on:click=finish>"Done"</button>
            </footer>
        </Modal>
    }
}
