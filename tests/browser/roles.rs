//! The Roles tab: role cards with who holds them, Duplicate on built-in
//! roles, and the create, edit and delete dialogs of custom roles.

use keydesk_contract::types::{Me, Role, RoleUsage};
use keydesk_web::api::{ApiError, ApiResult};
use keydesk_web::components::delete_role_dialog::RoleRemoval;
use keydesk_web::components::role_dialog::RoleSave;
use keydesk_web::pages::roles::RoleCards;
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use wasm_bindgen_test::*;

use crate::support::*;

fn custom(id: &str, name: &str, permissions: &[&str], keys: u64, users: u64) -> Role {
    Role {
        id: id.into(),
        name: name.into(),
        description: format!("{name} things"),
        built_in: false,
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
        used_by: Some(RoleUsage {
            api_keys: keys,
            users,
        }),
        version: 4,
    }
}

/// Mounts the role cards for `me`, recording what is saved and deleted.
fn mount_cards(
    me: Me,
    roles: Vec<Role>,
    saved: RwSignal<Vec<RoleSave>>,
    deleted: RwSignal<Vec<RoleRemoval>>,
) -> Mounted {
    mount(move || {
        Session::provide(SessionState::SignedIn(me.clone()));
        let save = Action::new_local(move |s: &RoleSave| {
            saved.update(|v| v.push(s.clone()));
            async { ApiResult::<Role>::Err(ApiError::Network) }
        });
        let delete = Action::new_local(move |r: &RoleRemoval| {
            deleted.update(|v| v.push(r.clone()));
            async { ApiResult::Ok(()) }
        });
        view! { <RoleCards roles=roles.clone() save=save delete=delete/> }
    })
}

/// A Developer who may also create roles: holds far from everything.
fn developer_who_creates_roles() -> Me {
    let mut me = ada_with(&["developer"]);
    me.permissions.push("roles.create".into());
    me
}

#[wasm_bindgen_test]
async fn roles_show_every_permission_grouped_with_who_holds_them() {
    let mut roles = built_in_roles();
    roles.push(custom(
        "role_1",
        "Support Desk",
        &["documents.retrieve"],
        2,
        1,
    ));
    let page = mount_cards(
        ada_with(&["admin"]),
        roles,
        RwSignal::new(vec![]),
        RwSignal::new(vec![]),
    );
    settle().await;
    assert_eq!(
        find_all(&page, ".role-card").len(),
        keydesk_contract::roles::BUILT_IN_ROLES.len() + 1
    );
    let viewer = find(&page, "[data-role='document-viewer']");
    assert_eq!(
        listed_permissions(&viewer, ".permission"),
        permissions_of(&["document-viewer"])
    );
    let description = keydesk_contract::permissions::find("documents.retrieve")
        .unwrap()
        .description;
    assert!(text(&viewer).contains(description));
    // Built-in roles offer only Duplicate; custom ones Edit and Delete too.
    assert!(!exists(
        &viewer,
        "button[aria-label='Edit Document Viewer']"
    ));
    assert!(exists(
        &viewer,
        "button[aria-label='Duplicate Document Viewer']"
    ));
    let support = find(&page, "[data-role='role_1']");
    assert!(text(&support).contains("Held by 2 keys and 1 person"));
    assert!(!is_disabled(&find(
        &support,
        "button[aria-label='Edit Support Desk']"
    )));
}

#[wasm_bindgen_test]
async fn creating_a_role_offers_only_held_permissions_and_double_checks_them() {
    let saved = RwSignal::new(Vec::<RoleSave>::new());
    let page = mount_cards(
        developer_who_creates_roles(),
        built_in_roles(),
        saved,
        RwSignal::new(vec![]),
    );
    settle().await;
    click(&find(
        &page,
        "button[aria-label='Duplicate Billing Reader']",
    ));
    until(|| exists(&page, "dialog[open]")).await;
    // A Developer holds no billing permission: the copy leaves them out, and says so.
    assert!(text(&page).contains("left out"), "{}", text(&page));
    until(|| value_of(&page, "#role-name") == "Billing Reader copy").await;
    assert!(is_disabled(&find(&page, "#permission-billing-retrieve")));
    assert!(text(&find(&page, "[data-permission='billing.retrieve']")).contains("do not hold"));

    // Nothing chosen and a built-in name: both named, nothing sent.
    type_into(&page, "#role-name", "developer");
    click(&button(&page, "Next: double-check"));
    settle().await;
    let shown = text(&page);
    assert!(shown.contains("is a built-in role"), "{shown}");
    assert!(shown.contains("Choose at least one permission."), "{shown}");

    type_into(&page, "#role-name", "Support Desk");
    type_into(&page, "#role-description", "Answers customers");
    set_checked(&page, "#permission-documents-retrieve", true);
    set_checked(&page, "#permission-renders-retrieve", true);
    until(|| text(&page).contains("2 permissions chosen.")).await;
    click(&button(&page, "Next: double-check"));
    until(|| text(&page).contains("will grant these 2 permissions")).await;
    let dialog = find(&page, "dialog");
    assert_eq!(
        listed_permissions(&dialog, ".permission"),
        ["documents.retrieve", "renders.retrieve"]
    );
    assert!(
        saved.get_untracked().is_empty(),
        "nothing sent before confirming"
    );
    click(&button(&page, "Create role"));
    until(|| !saved.get_untracked().is_empty()).await;
    match &saved.get_untracked()[0] {
        RoleSave::Create(req) => {
            assert_eq!(req.name, "Support Desk");
            assert_eq!(req.description, "Answers customers");
            let mut p = req.permissions.clone();
            p.sort();
            assert_eq!(p, ["documents.retrieve", "renders.retrieve"]);
        }
        other => panic!("expected a create, got {other:?}"),
    }
    // The stand-in fails: the dialog stays, says so, and keeps the choice.
    until(|| exists(&page, "dialog [role='alert']")).await;
    assert!(exists(&page, "dialog[open]"));
}

#[wasm_bindgen_test]
async fn editing_a_role_says_whom_it_affects_and_what_changes() {
    let saved = RwSignal::new(Vec::<RoleSave>::new());
    let mut roles = built_in_roles();
    roles.push(custom(
        "role_1",
        "Support Desk",
        &["renders.retrieve", "documents.retrieve"],
        2,
        1,
    ));
    let page = mount_cards(ada_with(&["admin"]), roles, saved, RwSignal::new(vec![]));
    settle().await;
    click(&find(&page, "button[aria-label='Edit Support Desk']"));
    until(|| exists(&page, "dialog[open]")).await;
    until(|| value_of(&page, "#role-name") == "Support Desk").await;
    set_checked(&page, "#permission-renders-retrieve", false);
    set_checked(&page, "#permission-templates-retrieve", true);
    click(&button(&page, "Next: double-check"));
    until(|| exists(&page, ".permission-diff")).await;
    let dialog = find(&page, "dialog");
    assert!(
        text(&dialog).contains("affects 2 keys and 1 person"),
        "{}",
        text(&dialog)
    );
    assert_eq!(
        listed_permissions(&find(&dialog, ".permission-diff__added"), ".permission"),
        ["templates.retrieve"]
    );
    assert_eq!(
        listed_permissions(&find(&dialog, ".permission-diff__removed"), ".permission"),
        ["renders.retrieve"]
    );
    click(&button(&page, "Save changes"));
    until(|| !saved.get_untracked().is_empty()).await;
    match &saved.get_untracked()[0] {
        RoleSave::Update {
            id,
            version,
            change,
        } => {
            assert_eq!((id.as_str(), *version), ("role_1", 4));
            let mut p = change.permissions.clone().unwrap();
            p.sort();
            assert_eq!(p, ["documents.retrieve", "templates.retrieve"]);
        }
        other => panic!("expected an update, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_role_in_use_cannot_be_deleted_and_one_holding_more_cannot_be_changed() {
    let deleted = RwSignal::new(Vec::<RoleRemoval>::new());
    let mut roles = built_in_roles();
    roles.push(custom(
        "role_1",
        "Support Desk",
        &["documents.retrieve"],
        2,
        1,
    ));
    roles.push(custom("role_2", "Unused", &["documents.retrieve"], 0, 0));
    roles.push(custom("role_3", "Billing Ops", &["billing.retrieve"], 0, 0));
    let mut me = developer_who_creates_roles();
    me.permissions
        .extend(["roles.update".into(), "roles.delete".into()]);
    let page = mount_cards(me, roles, RwSignal::new(vec![]), deleted);
    settle().await;
    // Billing Ops grants what a Developer lacks.
    let billing = find(&page, "[data-role='role_3']");
    for action in ["Edit", "Delete"] {
        let b = find(
            &billing,
            &format!("button[aria-label='{action} Billing Ops']"),
        );
        assert!(is_disabled(&b), "{action}");
        assert!(b.get_attribute("title").unwrap().contains("do not hold"));
    }

    click(&find(&page, "button[aria-label='Delete Support Desk']"));
    until(|| exists(&page, "dialog[open]")).await;
    let dialog = find(&page, "dialog");
    assert!(
        text(&dialog).contains("2 keys and 1 person"),
        "{}",
        text(&dialog)
    );
    assert!(
        !exists(&dialog, ".button--danger"),
        "no button the server would refuse"
    );
    click(&button(&page, "Close"));
    until(|| !exists(&page, "dialog")).await;

    click(&find(&page, "button[aria-label='Delete Unused']"));
    until(|| exists(&page, "dialog[open]")).await;
    click(&button(&page, "Delete role"));
    until(|| !deleted.get_untracked().is_empty()).await;
    assert_eq!(deleted.get_untracked(), [("role_2".to_string(), 4)]);
    until(|| !exists(&page, "dialog")).await;
}
