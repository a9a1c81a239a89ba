//! A modal dialog on the platform's `<dialog>` with `showModal()`: the page
//! behind becomes inert, focus moves inside, and when the dialog goes away
//! focus returns to the element that opened it.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use send_wrapper::SendWrapper;

/// Mount it to open it, unmount it to close it.
#[component]
pub fn Modal(
    /// Id of the element that names the dialog (its heading).
    #[prop(into)]
    labelled_by: String,
    /// The person asked to close it (Escape, a click outside) and closing is allowed.
    #[prop(into)]
    on_close: Callback<()>,
    /// While this is false, Escape and clicks outside do nothing.
    #[prop(into, optional)]
    can_close: Option<Signal<bool>>,
    /// Extra class on the dialog element (e.g. a width variant).
    #[prop(into, optional)]
    class: String,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // `try_`: events can still arrive after the dialog was taken down.
    let may_close = move || {
        can_close
            .and_then(|c| c.try_get_untracked())
            .unwrap_or(true)
    };

    // Remember the opener now, give focus back when this dialog goes away.
    let opener = SendWrapper::new(
        document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    // The element itself, kept from when it is shown: by the time this
    // component is cleaned up its node reference may already be cleared.
    let shown = StoredValue::new_local(None::<web_sys::HtmlDialogElement>);
    on_cleanup(move || {
        // While the dialog is modal the rest of the page is inert and cannot
        // take focus: close it first (also if it has already left the page).
        if let Some(Some(d)) = shown.try_get_value() {
            d.close();
        }
        let Some(opener) = opener.take() else { return };
        let _ = opener.focus();
        // Firefox lifts the inertness of the page only after this task; an
        // opener focused too early does not keep focus. Try again then.
        let again = opener.clone();
        request_animation_frame(move || {
            if document().active_element().as_ref() != Some(again.as_ref()) {
                let _ = again.focus();
            }
        });
    });

    Effect::new(move || {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
            shown.set_value(Some(d));
        }
    });

    view! {
        <dialog
            node_ref=dialog
            class=format!("modal {class}")
            aria-labelledby=labelled_by
            // Escape: the browser would close it; we decide instead.
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                if may_close() {
                    on_close.try_run(());
                }
            }
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" && !may_close() {
                    ev.prevent_default();
                }
            }
            // A click on the dialog element itself (not its content) is on the backdrop.
            on:click=move |ev| {
                let on_backdrop = ev.target().zip(ev.current_target()).is_some_and(|(t, c)| t == c);
                if on_backdrop && may_close() {
                    on_close.try_run(());
                }
            }
            // Some browsers close a dialog on repeated Escape regardless: reopen it.
            on:close=move |_| {
                if !may_close() {
                    if let Some(Some(d)) = dialog.try_get_untracked() {
                        let _ = d.show_modal();
                    }
                }
            }
        >
            <div class="modal__body">{children()}</div>
        </dialog>
    }
}
