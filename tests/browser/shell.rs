use keydesk_contract::types::{Me, Organization, User};
use keydesk_web::components::shell::Shell;
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen_test::*;

use crate::support::*;

fn ada() -> Me {
    Me {
        user: User {
            id: "usr_1".into(),
            name: "Ada Admin".into(),
            email: "ada@acme.io".into(),
            roles: vec![],
            created_at: "2026-11-26T05:00:00.000000Z".into(),
        },
        organization: Organization {
            id: "org_1".into(),
            name: "Acme".into(),
        },
        permissions: vec![],
    }
}

#[wasm_bindgen_test]
async fn a_sign_out_the_server_does_not_confirm_is_shown_as_failed_with_retry() {
    let path_before = window().location().pathname().unwrap();
    let page = mount(|| {
        Session::provide(SessionState::SignedIn(ada()));
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
