use keydesk_contract::types::{RoleRef, User, UserStatus};
use keydesk_web::api::ApiResult;
use keydesk_web::pages::people::{AccessChange, PeopleTable};
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use wasm_bindgen_test::*;

use crate::support::*;

fn person(id: &str, name: &str, status: UserStatus) -> User {
    User {
        id: id.into(),
        name: name.into(),
        email: format!("{}@acme.io", name.to_lowercase()),
        roles: vec![RoleRef {
            id: "developer".into(),
            name: "Developer".into(),
        }],
        status,
        created_at: "2026-11-26T05:00:00.000000Z".into(),
        last_signed_in_at: None,
    }
}

#[wasm_bindgen_test]
async fn deactivation_is_confirmed_first_and_nobody_deactivates_themselves() {
    let sent = RwSignal::new(Vec::<AccessChange>::new());
    let page = mount(move || {
        Session::provide(SessionState::SignedIn(ada_with(&["admin"])));
        let change = Action::new_local(move |c: &AccessChange| {
            sent.update(|s| s.push(c.clone()));
            let mut answer = person("usr_2", "Dev", UserStatus::Deactivated);
            answer.id = c.0.clone();
            async move { ApiResult::Ok(answer) }
        });
        let people = vec![
            person("usr_1", "Ada", UserStatus::Active),
            person("usr_2", "Dev", UserStatus::Active),
            person("usr_3", "Old", UserStatus::Deactivated),
        ];
        view! { <PeopleTable people=people change=change/> }
    });
    settle().await;
    // Ada is usr_1 (the signed-in person): her own row cannot be deactivated.
    assert!(is_disabled(&find(
        &page,
        "button[aria-label='Deactivate Ada']"
    )));

    click(&find(&page, "button[aria-label='Deactivate Dev']"));
    until(|| exists(&page, "dialog[open]")).await;
    assert!(
        text(&page).contains("keep working"),
        "says what happens to their keys"
    );
    assert!(
        sent.get_untracked().is_empty(),
        "nothing sent before confirming"
    );
    click(&find(&page, "dialog .button--danger"));
    until(|| !exists(&page, "dialog")).await;
    assert_eq!(sent.get_untracked(), [("usr_2".to_string(), false)]);

    click(&find(&page, "button[aria-label='Activate Old']"));
    until(|| sent.get_untracked().len() == 2).await;
    assert_eq!(sent.get_untracked()[1], ("usr_3".to_string(), true));
}
