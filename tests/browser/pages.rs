use keydesk_contract::types::Role;
use keydesk_web::pages::not_found::NotFound;
use keydesk_web::pages::roles::RoleCards;
use keydesk_web::pages::sign_in::safe_next;
use keydesk_web::time::relative;
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn not_found_page_links_home() {
    let page = mount(|| view! { <Router><NotFound/></Router> });
    settle().await;
    assert!(text(&page).contains("Page not found"));
    assert_eq!(find(&page, "a").get_attribute("href").as_deref(), Some("/"));
}

#[wasm_bindgen_test]
async fn roles_show_every_permission_grouped_with_descriptions() {
    let roles: Vec<Role> = built_in_roles();
    let page = mount(move || view! { <RoleCards roles=roles/> });
    settle().await;
    assert_eq!(
        find_all(&page, ".role-card").len(),
        keydesk_contract::roles::BUILT_IN_ROLES.len()
    );
    let viewer = find(&page, "[aria-labelledby='role-card-document-viewer']");
    assert_eq!(
        listed_permissions(&viewer, ".permission"),
        permissions_of(&["document-viewer"])
    );
    let description = keydesk_contract::permissions::find("documents.retrieve")
        .unwrap()
        .description;
    assert!(text(&viewer).contains(description));
}

#[wasm_bindgen_test]
fn times_read_like_people_say_them() {
    let now = 1_000_000_000_000.0;
    let ago = |s: f64| relative(now - s * 1000.0, now);
    assert_eq!(ago(5.0), "just now");
    assert_eq!(ago(180.0), "3 minutes ago");
    assert_eq!(ago(3600.0), "1 hour ago");
    assert_eq!(ago(2.0 * 86_400.0), "2 days ago");
    assert_eq!(relative(now + 3.0 * 86_400_000.0, now), "in 3 days");
}

#[wasm_bindgen_test]
fn after_sign_in_only_app_paths_are_followed() {
    assert_eq!(safe_next(Some("/roles".into())), "/roles");
    assert_eq!(safe_next(Some("//evil.example".into())), "/api-keys");
    assert_eq!(safe_next(Some("https://evil.example".into())), "/api-keys");
    assert_eq!(safe_next(None), "/api-keys");
}

#[wasm_bindgen_test]
async fn the_audit_trail_says_who_did_what_to_which_key() {
    use keydesk_contract::types::{Actor, ActorKind, AuditEvent, AuditTarget};
    use keydesk_web::pages::audit::AuditList;
    let event = |id: &str, action: &str, details: serde_json::Value, kind: ActorKind, who: &str| {
        AuditEvent {
            id: id.into(),
            at: "2026-11-26T05:00:00.000000Z".into(),
            actor: Actor {
                kind,
                id: "x".into(),
                name: who.into(),
            },
            action: action.into(),
            target: AuditTarget {
                kind: "api_key".into(),
                id: "key_1".into(),
                name: "Billing_Reader".into(),
            },
            details,
        }
    };
    let edit = serde_json::json!({
        "name": {"from": "Billing", "to": "Billing_Reader"},
        "description": null,
        "role_ids": {"from": ["billing-reader"], "to": ["developer"]},
    });
    let events = vec![
        event("e5", "api_key.updated", edit, ActorKind::User, "Ada Admin"),
        event(
            "e4",
            "api_key.deleted",
            serde_json::json!({}),
            ActorKind::User,
            "Ada Admin",
        ),
        event(
            "e3",
            "api_key.generated",
            serde_json::json!({"regenerated": true}),
            ActorKind::ApiKey,
            "Deploy_Bot",
        ),
        event(
            "e2",
            "api_key.generated",
            serde_json::json!({"regenerated": false}),
            ActorKind::User,
            "Ada Admin",
        ),
        event(
            "e1",
            "api_key.created",
            serde_json::json!({}),
            ActorKind::User,
            "Ada Admin",
        ),
    ];
    let page = mount(move || view! { <AuditList events=Signal::stored(events)/> });
    settle().await;
    let lines: Vec<String> = find_all(&page, ".audit-event__what")
        .iter()
        .map(|e| {
            e.text_content()
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        lines,
        [
            "Ada Admin edited API key Billing_Reader",
            "Ada Admin removed API key Billing_Reader",
            "Deploy_Bot (API key) regenerated the secret of API key Billing_Reader",
            "Ada Admin generated the secret of API key Billing_Reader",
            "Ada Admin created API key Billing_Reader",
        ]
    );
    let changes: Vec<String> = find_all(&page, ".audit-event__changes")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(
        changes,
        ["roles: Billing Reader → Developer; renamed from Billing"]
    );
}
