//! Browser test: the not-found page offers a way home.
#![cfg(target_arch = "wasm32")]

use keydesk_web::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::Router;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn not_found_page_links_home() {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let _handle = leptos::mount::mount_to(
        host.clone().unchecked_into(),
        || view! { <Router><NotFound/></Router> },
    );
    leptos::task::tick().await;
    assert!(host.text_content().unwrap().contains("Page not found"));
    let link = host.query_selector("a").unwrap().expect("a link home");
    assert_eq!(link.get_attribute("href").as_deref(), Some("/"));
}
