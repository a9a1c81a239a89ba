//! The sign-in form the page for `/sign-in` arrives with
//! (`src/pages/sign_in.html`) and the app's own: the same form, and the app
//! takes the page's over without losing what was typed, the focus, or a
//! submit made before it was ready.

use keydesk_web::first_screen;
use keydesk_web::pages::sign_in::SignIn;
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::Router;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};

use crate::support::*;

const PAGE_FORM: &str = include_str!("../../src/pages/sign_in.html");

/// The page's form in the document, as the server sends it (its script not run).
struct PageForm(Element);

impl PageForm {
    fn insert() -> PageForm {
        let host = document().create_element("div").unwrap();
        host.set_inner_html(PAGE_FORM);
        document().body().unwrap().append_child(&host).unwrap();
        PageForm(host)
    }

    /// Runs the page's own script, as the browser would on arrival.
    fn run_its_script(&self) {
        let script = find(&self.0, "script").text_content().unwrap();
        js_sys::Function::new_no_args(&script)
            .call0(&JsValue::NULL)
            .unwrap();
    }

    fn input(&self, id: &str) -> HtmlInputElement {
        find(&self.0, &format!("#{id}")).unchecked_into()
    }
}

impl Drop for PageForm {
    fn drop(&mut self) {
        self.0.remove();
    }
}

fn sign_in_screen() -> Mounted {
    mount(|| {
        Session::provide(SessionState::SignedOut);
        view! { <Router><SignIn/></Router> }
    })
}

/// What a person and a password manager go by: each control's label, name,
/// type and autocomplete, the heading, the buttons and the link.
fn form_as_seen(root: &Element) -> Vec<String> {
    let mut seen = vec![format!("heading {}", text(&find(root, "h1")))];
    for input in find_all(root, "form input") {
        let id = input.id();
        let attribute = |name: &str| input.get_attribute(name).unwrap_or_default();
        seen.push(format!(
            "input #{id} label={:?} name={:?} type={:?} autocomplete={:?}",
            text(&find(root, &format!("label[for='{id}']"))),
            attribute("name"),
            attribute("type"),
            attribute("autocomplete"),
        ));
    }
    for button in find_all(root, "form button") {
        seen.push(format!(
            "button {:?} type={:?}",
            text(&button),
            button.get_attribute("type").unwrap_or_default()
        ));
    }
    let form = find(root, "form");
    seen.push(format!(
        "form method={:?} novalidate={}",
        form.get_attribute("method").unwrap_or_default(),
        form.has_attribute("novalidate")
    ));
    for link in find_all(root, "a") {
        seen.push(format!(
            "link {:?} -> {}",
            text(&link),
            link.get_attribute("href").unwrap_or_default()
        ));
    }
    seen
}

#[wasm_bindgen_test]
async fn the_page_s_sign_in_form_is_the_one_the_app_renders() {
    let page = PageForm::insert();
    let from_page = form_as_seen(&page.0);
    drop(page);
    let screen = sign_in_screen();
    settle().await;
    let rendered = form_as_seen(&screen);
    assert_eq!(from_page, rendered);
    // Not vacuous: both fields, the submit button and the link are there.
    assert_eq!(from_page.len(), 6, "{from_page:#?}");
}

#[wasm_bindgen_test]
async fn typed_input_and_the_focus_survive_the_takeover() {
    let page = PageForm::insert();
    page.run_its_script();
    page.input("sign-in-email").set_value("ada@example.com");
    let password = page.input("sign-in-password");
    password.set_value("correct horse battery");
    password.focus().unwrap();
    password.set_selection_range(3, 8).unwrap();

    first_screen::take_over();
    let screen = sign_in_screen();
    settle().await;
    assert!(
        document()
            .query_selector("[data-first-screen]")
            .unwrap()
            .is_none(),
        "the page's form is gone"
    );
    assert_eq!(value_of(&screen, "#sign-in-email"), "ada@example.com");
    assert_eq!(
        value_of(&screen, "#sign-in-password"),
        "correct horse battery"
    );
    // By the next frame, the focus is where it was.
    let focus_on = |id: &str| document().active_element().is_some_and(|e| e.id() == id);
    until(|| focus_on("sign-in-password")).await;
    let focused = document().active_element().unwrap();
    assert_eq!(focused.id(), "sign-in-password");
    assert!(
        screen.contains(Some(&focused)),
        "the focus is on the app's field"
    );
    let live: HtmlInputElement = focused.unchecked_into();
    assert_eq!(live.selection_start().unwrap(), Some(3));
    assert_eq!(live.selection_end().unwrap(), Some(8));
    drop(page);
}

/// Answers every fetch with a wrong-password 401 and notes what was sent.
const STAND_IN_SERVER: &str = r#"
window.__signIns = [];
window.__fetch = window.fetch;
window.fetch = async (request) => {
  window.__signIns.push({ url: request.url, method: request.method, body: await request.clone().text() });
  return new Response(JSON.stringify({ error: { code: "invalid_credentials", message: "Wrong email or password." } }),
    { status: 401, headers: { "Content-Type": "application/json" } });
};
"#;

#[wasm_bindgen_test]
async fn a_submit_made_before_the_app_was_ready_is_sent_when_it_takes_over() {
    let page = PageForm::insert();
    page.run_its_script();
    page.input("sign-in-email").set_value("ada@example.com");
    page.input("sign-in-password")
        .set_value("correct horse battery");
    click(&find(&page.0, "button[type=submit]"));
    // Held, not sent as a form: the page stays, saying it is on its way.
    assert_eq!(text(&find(&page.0, "button[type=submit]")), "Signing in…");

    js_sys::eval(STAND_IN_SERVER).unwrap();
    first_screen::take_over();
    let screen = sign_in_screen();
    until(|| text(&screen).contains("Wrong email or password.")).await;
    let sent = js_sys::eval("JSON.stringify(window.__signIns); ").unwrap();
    js_sys::eval("window.fetch = window.__fetch;").unwrap();

    let sent: serde_json::Value = serde_json::from_str(&sent.as_string().unwrap()).unwrap();
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 1, "one sign-in: {sent:?}");
    assert!(sent[0]["url"].as_str().unwrap().ends_with("/auth/sign-in"));
    assert_eq!(sent[0]["method"], "POST");
    let body: serde_json::Value = serde_json::from_str(sent[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["password"], "correct horse battery");
    drop(page);
}
