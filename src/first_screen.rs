//! The sign-in form the page for `/sign-in` arrives with
//! (`src/pages/sign_in.html`), usable before the app's wasm is here. When
//! the app starts it takes the form over: [`take_over`] reads what was
//! typed, where the focus was and whether it was submitted, and removes the
//! form; the app's own renders in the same task (so nothing is painted
//! between), filled in, and [`Typed::restore_focus`] puts the focus back.

use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// What the page's form held when the app took it over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Typed {
    pub email: String,
    pub password: String,
    /// The id of the field that had the focus, with its selection (a
    /// password field has one; an email field does not).
    pub focus: Option<(String, Option<(u32, u32)>)>,
    /// Submitted before the app was ready: the app sends it.
    pub submitted: bool,
}

thread_local! {
    static TYPED: RefCell<Option<Typed>> = const { RefCell::new(None) };
}

/// Reads and removes the page's own sign-in form, if it has one.
pub fn take_over() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(Some(screen)) = document.query_selector("[data-first-screen]") else {
        return;
    };
    let input = |id: &str| {
        screen
            .query_selector(&format!("#{id}"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    };
    let value = |id: &str| input(id).map(|i| i.value()).unwrap_or_default();
    let focus = document
        .active_element()
        .filter(|active| screen.contains(Some(active)))
        .and_then(|active| active.dyn_into::<HtmlInputElement>().ok())
        .map(|field| {
            let start = field.selection_start().ok().flatten();
            let end = field.selection_end().ok().flatten();
            (field.id(), start.zip(end))
        });
    let submitted = screen
        .query_selector("form[data-submitted]")
        .ok()
        .flatten()
        .is_some();
    let typed = Typed {
        email: value("sign-in-email"),
        password: value("sign-in-password"),
        focus,
        submitted,
    };
    screen.remove();
    TYPED.with(|t| *t.borrow_mut() = Some(typed));
}

/// What was typed into the page's form, once (the sign-in screen asks).
pub fn typed() -> Option<Typed> {
    TYPED.with(|t| t.borrow_mut().take())
}

impl Typed {
    /// Focuses the app's field with the id the focus was on, with the same
    /// selection (so typing goes on where it was), before the next paint:
    /// by then the fields hold their values (setting a value moves the
    /// cursor to its end).
    pub fn restore_focus(&self) {
        let Some(focus) = self.focus.clone() else {
            return;
        };
        let restore = wasm_bindgen::closure::Closure::once_into_js(move || Self::focus(focus));
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(restore.unchecked_ref());
        }
    }

    fn focus((id, selection): (String, Option<(u32, u32)>)) {
        let field = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
        if let Some(field) = field {
            let _ = field.focus();
            if let Some((start, end)) = selection {
                let _ = field.set_selection_range(start, end);
            }
        }
    }
}
