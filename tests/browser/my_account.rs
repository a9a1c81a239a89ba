use keydesk_contract::types::ChangePasswordRequest;
use keydesk_web::api::{ApiError, ApiResult};
use keydesk_web::pages::my_account::MyAccount;
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen_test::*;

use crate::support::*;

/// Mounts My account; `answer` is what the server says to a password change.
fn open_page(answer: ApiResult<()>) -> (Mounted, RwSignal<Vec<ChangePasswordRequest>>) {
    let sent = RwSignal::new(Vec::new());
    let page = mount(move || {
        Session::provide(SessionState::SignedIn(ada_with(&["admin"])));
        let change = Action::new_local(move |req: &ChangePasswordRequest| {
            sent.update(|s| s.push(req.clone()));
            let answer = answer.clone();
            async move { answer }
        });
        let everywhere = Action::new_local(|_: &()| async { Ok(()) });
        view! { <Router><MyAccount change=change everywhere=everywhere/></Router> }
    });
    (page, sent)
}

#[wasm_bindgen_test]
async fn a_wrong_current_password_is_shown_at_its_field_and_nothing_typed_is_lost() {
    let refused = ApiError::Invalid {
        message: "The current password is not right.".into(),
        fields: [(
            "current_password".to_string(),
            "The current password is not right.".to_string(),
        )]
        .into(),
    };
    let (page, sent) = open_page(Err(refused));
    settle().await;
    type_into(&page, "#current-password", "not my password");
    type_into(&page, "#new-password", "marble otter quietly folds");
    click(&button(&page, "Change password"));
    until(|| text(&page).contains("The current password is not right.")).await;
    assert_eq!(
        find(&page, "#current-password-error")
            .text_content()
            .unwrap(),
        "The current password is not right."
    );
    assert_eq!(
        value_of(&page, "#new-password"),
        "marble otter quietly folds"
    );
    assert_eq!(sent.get_untracked().len(), 1);
}

#[wasm_bindgen_test]
async fn a_short_new_password_is_refused_before_sending_and_a_change_confirms() {
    let (page, sent) = open_page(Ok(()));
    settle().await;
    type_into(&page, "#current-password", "correct horse battery staple");
    type_into(&page, "#new-password", "short");
    click(&button(&page, "Change password"));
    until(|| text(&page).contains("at least 12 characters")).await;
    assert!(
        sent.get_untracked().is_empty(),
        "the contract's rule, before any request"
    );

    type_into(&page, "#new-password", "marble otter quietly folds");
    click(&button(&page, "Change password"));
    until(|| text(&page).contains("Password changed")).await;
    assert_eq!(
        value_of(&page, "#current-password"),
        "",
        "the form is cleared"
    );
    assert_eq!(
        sent.get_untracked()[0].new_password,
        "marble otter quietly folds"
    );
}

#[wasm_bindgen_test]
async fn a_session_that_must_set_its_own_password_sees_only_that_and_sends_the_given_one_as_current(
) {
    use keydesk_contract::types::RequiredStep;
    use keydesk_web::components::require_session::RequireSession;
    use keydesk_web::pages::set_own_password::SetOwnPassword;
    let mut me = ada_with(&["developer"]);
    me.required_step = Some(RequiredStep::SetPassword);
    let guarded = mount(move || {
        Session::provide(SessionState::SignedIn(me.clone()));
        view! { <Router><RequireSession><p id="inside">"The API keys"</p></RequireSession></Router> }
    });
    until(|| text(&guarded).contains("Set your own password")).await;
    assert!(
        !exists(&guarded, "#inside"),
        "nothing else until it is done"
    );
    assert!(
        !exists(&guarded, "nav"),
        "no navigation to screens it may not open"
    );
    drop(guarded);

    let sent = RwSignal::new(Vec::<ChangePasswordRequest>::new());
    let page = mount(move || {
        let mut me = ada_with(&["developer"]);
        me.required_step = Some(RequiredStep::SetPassword);
        Session::provide(SessionState::SignedIn(me));
        let change = Action::new_local(move |req: &ChangePasswordRequest| {
            sent.update(|s| s.push(req.clone()));
            async { Ok(()) }
        });
        view! { <Router><SetOwnPassword change=change/></Router> }
    });
    settle().await;
    type_into(&page, "#given-password", "the one bo was given");
    type_into(&page, "#own-password", "marble otter quietly folds");
    click(&button(&page, "Set my password"));
    until(|| !sent.get_untracked().is_empty()).await;
    let req = sent.get_untracked().remove(0);
    assert_eq!(req.current_password, "the one bo was given");
    assert_eq!(req.new_password, "marble otter quietly folds");
}
