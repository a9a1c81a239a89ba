//! Helpers for browser tests: mount a component into the page, act on it as
//! a person would (type, tick, click), and read what it shows.
#![allow(dead_code)]

use keydesk_contract::types::{
    ApiKey, ApiKeyStatus, Me, NamedRef, Organization, Role, RoleRef, User, UserStatus,
};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// A component mounted into its own element of the page; unmounted and
/// removed when dropped, so tests never see each other's leftovers.
pub struct Mounted {
    host: Element,
    handle: Option<Box<dyn std::any::Any>>,
}

impl std::ops::Deref for Mounted {
    type Target = Element;
    fn deref(&self) -> &Element {
        &self.host
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        drop(self.handle.take());
        self.host.remove();
    }
}

pub fn mount<F, V>(view: F) -> Mounted
where
    F: FnOnce() -> V + 'static,
    V: IntoView + 'static,
{
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), view);
    Mounted {
        host,
        handle: Some(Box::new(handle)),
    }
}

/// Waits until `done` holds, letting reactive updates, spawned tasks and the
/// browser (e.g. the clipboard) do their work; gives up after 3 s of polling,
/// so a feature that never gets there fails the test.
pub async fn until(mut done: impl FnMut() -> bool) {
    let deadline = js_sys::Date::now() + 3_000.0;
    while js_sys::Date::now() < deadline {
        if done() {
            return;
        }
        leptos::task::tick().await;
        if !done() {
            next_task().await;
        }
    }
    assert!(done(), "the page never reached the expected state");
}

/// Yields to the browser's event loop once (a zero-delay timer).
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Lets pending updates run.
pub async fn settle() {
    for _ in 0..5 {
        leptos::task::tick().await;
    }
}

pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

pub fn exists(root: &Element, selector: &str) -> bool {
    root.query_selector(selector).unwrap().is_some()
}

pub fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

/// The (first) button whose text is exactly `text`.
pub fn button(root: &Element, text: &str) -> HtmlElement {
    find_all(root, "button")
        .into_iter()
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
        .unwrap_or_else(|| {
            panic!(
                "no button {text:?}; page shows: {}",
                root.text_content().unwrap_or_default()
            )
        })
        .unchecked_into()
}

pub fn is_disabled(el: &Element) -> bool {
    el.has_attribute("disabled")
}

pub fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

/// Types `text` into an input or textarea (replacing what was there).
pub fn type_into(root: &Element, selector: &str, text: &str) {
    let el = find(root, selector);
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        input.set_value(text);
    } else {
        el.unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .set_value(text);
    }
    el.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

pub fn value_of(root: &Element, selector: &str) -> String {
    let el = find(root, selector);
    match el.dyn_ref::<HtmlInputElement>() {
        Some(input) => input.value(),
        None => el.unchecked_ref::<web_sys::HtmlTextAreaElement>().value(),
    }
}

/// Ticks a checkbox on or off, as a click would.
pub fn set_checked(root: &Element, selector: &str, on: bool) {
    let input: HtmlInputElement = find(root, selector).unchecked_into();
    input.set_checked(on);
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

pub fn text(root: &Element) -> String {
    root.text_content().unwrap_or_default()
}

/// Presses Escape on the open dialog, as the keyboard would.
pub fn press_escape(dialog: &Element) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    dialog.dispatch_event(&ev).unwrap();
    // What the browser does next when keydown was not cancelled.
    if !ev.default_prevented() {
        let cancel = web_sys::EventInit::new();
        cancel.set_cancelable(true);
        let cancel = web_sys::Event::new_with_event_init_dict("cancel", &cancel).unwrap();
        if dialog.dispatch_event(&cancel).unwrap() {
            dialog.unchecked_ref::<web_sys::HtmlDialogElement>().close();
        }
    }
}

/// Permission ids shown in a permission list inside `root`.
pub fn listed_permissions(root: &Element, selector: &str) -> Vec<String> {
    let mut ids: Vec<String> = find_all(root, selector)
        .iter()
        .filter_map(|li| li.get_attribute("data-permission"))
        .collect();
    ids.sort();
    ids
}

pub fn built_in_roles() -> Vec<Role> {
    keydesk_contract::roles::BUILT_IN_ROLES
        .iter()
        .map(Role::from)
        .collect()
}

pub fn role(id: &str) -> Role {
    built_in_roles().into_iter().find(|r| r.id == id).unwrap()
}

pub fn permissions_of(role_ids: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = role_ids
        .iter()
        .flat_map(|id| role(id).permissions)
        .collect();
    all.sort();
    all.dedup();
    all
}

pub fn sample_key(name: &str, role_ids: &[&str]) -> ApiKey {
    ApiKey {
        id: format!("key_{}", name.to_lowercase()),
        name: name.into(),
        description: "Nightly billing job".into(),
        roles: role_ids
            .iter()
            .map(|id| {
                let r = role(id);
                RoleRef {
                    id: r.id,
                    name: r.name,
                }
            })
            .collect(),
        permissions: permissions_of(role_ids),
        status: ApiKeyStatus::Active,
        display_prefix: Some("kd_live_AbCd".into()),
        created_by: NamedRef {
            id: "usr_1".into(),
            name: "Ada Admin".into(),
        },
        created_at: "2026-11-26T05:00:00.000000Z".into(),
        updated_at: "2026-11-26T05:00:00.000000Z".into(),
        generated_at: Some("2026-11-26T05:00:00.000000Z".into()),
        last_used_at: None,
        last_used_from: None,
        unused_permissions: None,
        expires_at: None,
        policy_violation: None,
        version: 1,
        allowed_networks: Vec::new(),
        network_mode: Default::default(),
    }
}

/// Ada, signed in to Acme, holding the permissions of these roles.
pub fn ada_with(role_ids: &[&str]) -> Me {
    Me {
        user: User {
            id: "usr_1".into(),
            name: "Ada Admin".into(),
            email: "ada@acme.io".into(),
            roles: vec![],
            status: UserStatus::Active,
            created_at: "2026-11-26T05:00:00.000000Z".into(),
            last_signed_in_at: None,
            version: 1,
            second_factor: false,
        },
        organization: Organization {
            id: "org_1".into(),
            name: "Acme".into(),
        },
        permissions: permissions_of(role_ids),
        required_step: None,
    }
}
