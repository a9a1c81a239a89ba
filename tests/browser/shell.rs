use keydesk_web::components::shell::Shell;
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn a_sign_out_the_server_does_not_confirm_is_shown_as_failed_with_retry() {
    let path_before = window().location().pathname().unwrap();
    let page = mount(|| {
        Session::provide(SessionState::SignedIn(ada_with(&[])));
        view! { <Router><Shell><p>"the keys"</p></Shell></Router> }
    });
    settle().await;
    click(&button(&page, "Sign out"));
    // The page these tests run in has no keydesk API behind it, so the
    // sign-out request really fails.
    until(|| text(&page).contains("signing out did not complete")).await;
    assert!(exists(&page, ".error-panel"), "the failure is explained");
    let retry = button(&page, "Retry");
    assert!(!is_disabled(&retry));
    assert!(
        text(&page).contains("Ada Admin"),
        "still shown as signed in"
    );
    assert!(text(&page).contains("the keys"));
    assert_eq!(
        window().location().pathname().unwrap(),
        path_before,
        "not sent to sign-in as if it had worked"
    );
    // Retry asks again (and fails again, visibly).
    click(&retry);
    until(|| text(&page).contains("signing out did not complete")).await;
}
