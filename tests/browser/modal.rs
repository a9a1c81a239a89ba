use keydesk_web::components::modal::Modal;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn focus_moves_into_the_dialog_and_returns_to_the_opener() {
    let open = RwSignal::new(false);
    let page = mount(move || {
        view! {
            <button id="opener" on:click=move |_| open.set(true)>"Open"</button>
            <Show when=move || open.get()>
                <Modal labelled_by="t" on_close=move |_| open.set(false)>
                    <h2 id="t">"Title"</h2>
                    <button id="inside">"Inside"</button>
                </Modal>
            </Show>
        }
    });
    settle().await;
    let opener: web_sys::HtmlElement = find(&page, "#opener").unchecked_into();
    opener.focus().unwrap();
    opener.click();
    until(|| exists(&page, "dialog[open]")).await;
    let focused = document().active_element().unwrap();
    assert!(
        find(&page, "dialog").contains(Some(&focused)),
        "focus is inside the dialog"
    );

    press_escape(&find(&page, "dialog"));
    until(|| !exists(&page, "dialog")).await;
    settle().await;
    assert_eq!(
        document().active_element().unwrap().id(),
        "opener",
        "focus is back on the opener"
    );
}
