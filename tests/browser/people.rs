use keydesk_contract::types::{RoleRef, User, UserStatus};
use keydesk_web::api::{ApiError, ApiResult};
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
        version: 1,
        second_factor: false,
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
        let invite = Action::new_local(|_: &String| async { Err(ApiError::Network) });
        let update = Action::new_local(
            |_: &(String, keydesk_contract::types::UpdateUserRequest)| async {
                Err(ApiError::Network)
            },
        );
        view! { <PeopleTable people=people change=change invite=invite update=update roles=Signal::stored(built_in_roles())/> }
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

#[wasm_bindgen_test]
async fn adding_a_person_double_checks_then_shows_the_link_once() {
    use keydesk_contract::types::{CreateUserRequest, Invitation};
    use keydesk_web::components::add_person_dialog::AddPersonDialog;
    let sent = RwSignal::new(Vec::<CreateUserRequest>::new());
    let page = mount(move || {
        let create = Action::new_local(move |req: &CreateUserRequest| {
            sent.update(|s| s.push(req.clone()));
            let mut added = person("usr_9", "Grace", UserStatus::Invited);
            added.email = req.email.clone();
            async move { ApiResult::Ok(added) }
        });
        let invite = Action::new_local(|id: &String| {
            let url = format!("https://keydesk.example/invitation#token-for-{id}");
            async move {
                ApiResult::Ok(Invitation {
                    url,
                    expires_at: "2026-12-03T05:00:00.000000Z".into(),
                })
            }
        });
        view! {
            <AddPersonDialog roles=Signal::stored(built_in_roles()) my_permissions=permissions_of(&["admin"])
                create=create invite=invite on_close=|_| {}/>
        }
    });
    settle().await;
    type_into(&page, "#person-name", "Grace");
    type_into(&page, "#person-email", "not an email");
    set_checked(&page, "#role-document-viewer", true);
    click(&button(&page, "Next: double-check"));
    until(|| {
        exists(&page, "#person-email-error")
            && !text(&find(&page, "#person-email-error")).is_empty()
    })
    .await;
    assert_eq!(
        value_of(&page, "#person-name"),
        "Grace",
        "nothing typed is lost"
    );

    type_into(&page, "#person-email", "grace@acme.io");
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("will be granted to")).await;
    assert_eq!(
        listed_permissions(&page, ".permission"),
        permissions_of(&["document-viewer"])
    );
    click(&button(&page, "Add person"));
    until(|| exists(&page, "#invitation-link")).await;
    assert_eq!(
        value_of(&page, "#invitation-link"),
        "https://keydesk.example/invitation#token-for-usr_9"
    );
    assert!(text(&page).contains("Shown once"));
    let request = sent.get_untracked().pop().unwrap();
    assert_eq!(request.password, None, "added as invited");
    assert_eq!(request.role_ids, ["document-viewer"]);
}

#[wasm_bindgen_test]
async fn changing_roles_shows_what_is_added_and_removed_before_saving() {
    use keydesk_contract::types::UpdateUserRequest;
    use keydesk_web::components::change_roles_dialog::ChangeRolesDialog;
    let sent = RwSignal::new(Vec::<(String, UpdateUserRequest)>::new());
    let page = mount(move || {
        let update = Action::new_local(move |c: &(String, UpdateUserRequest)| {
            sent.update(|s| s.push(c.clone()));
            async move { ApiResult::Ok(person("usr_2", "Dev", UserStatus::Active)) }
        });
        view! {
            <ChangeRolesDialog person=person("usr_2", "Dev", UserStatus::Active) roles=Signal::stored(built_in_roles())
                my_permissions=permissions_of(&["admin"]) update=update on_close=|_| {}/>
        }
    });
    settle().await;
    set_checked(&page, "#role-developer", false);
    set_checked(&page, "#role-billing-reader", true);
    click(&button(&page, "Next: review changes"));
    until(|| text(&page).contains("Review what changes")).await;
    assert_eq!(
        listed_permissions(&page, ".permission--added"),
        permissions_of(&["billing-reader"])
    );
    assert!(listed_permissions(&page, ".permission--removed")
        .contains(&"service-accounts.create".to_string()));
    assert!(sent.get_untracked().is_empty(), "nothing saved before Save");
    click(&button(&page, "Save changes"));
    until(|| sent.get_untracked().len() == 1).await;
    assert_eq!(
        sent.get_untracked()[0].1.role_ids.as_deref(),
        Some(&["billing-reader".to_string()][..])
    );
}
