use keydesk_web::pages::not_found::NotFound;
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
    assert_eq!(
        safe_next(Some("/api-keys?search=bill#top".into())),
        "/api-keys?search=bill#top"
    );
    assert_eq!(safe_next(None), "/api-keys");
}

/// Every way a redirect target has been used to leave a site: protocol-
/// relative, backslashes (which browsers read as slashes), control and
/// whitespace characters (which URL parsing drops), encodings, schemes.
const HOSTILE_TARGETS: &[&str] = &[
    "//evil.example",
    "///evil.example",
    "////evil.example/path",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\u{0000}/evil.example",
    " //evil.example",
    "\t//evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "/../..//evil.example",
    "https://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "HTTPS://evil.example",
    "//evil.example@127.0.0.1",
    "//127.0.0.1@evil.example",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5C/evil.example",
    "/%09/evil.example",
    "/sign-in?next=//evil.example",
    "/sign-up",
];

#[wasm_bindgen_test]
fn no_redirect_target_leaves_the_origin() {
    let origin = window().location().origin().unwrap();
    for target in HOSTILE_TARGETS {
        let next = safe_next(Some(target.to_string()));
        // Wherever it leads, it is a path of this origin that no browser
        // reads as another host.
        let url = web_sys::Url::new_with_base(&next, &origin).unwrap();
        assert_eq!(url.origin(), origin, "{target:?} led to {next:?}");
        assert!(
            next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\"),
            "{target:?} gave {next:?}"
        );
        assert!(
            !next.contains("evil.example") || next.starts_with("/%"),
            "{target:?} gave {next:?}"
        );
        assert!(!next.starts_with("/sign-"), "{target:?} gave {next:?}");
    }
    // The forms that decode to another host fall back to the keys list.
    for target in [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/.//evil.example",
        "https:evil.example",
    ] {
        assert_eq!(safe_next(Some(target.into())), "/api-keys", "{target:?}");
    }
}

#[wasm_bindgen_test]
async fn the_audit_trail_says_who_did_what_to_which_key() {
    use keydesk_contract::types::{Actor, ActorKind, AuditEvent, AuditTarget, AuditTargetKind};
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
                kind: AuditTargetKind::ApiKey,
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
    let mut signed_in = event(
        "e6",
        "user.signed_in",
        serde_json::json!({"client_address": "198.51.100.7"}),
        ActorKind::User,
        "Ada Admin",
    );
    signed_in.target = AuditTarget {
        kind: AuditTargetKind::User,
        id: "x".into(),
        name: "Ada Admin".into(),
    };
    let mut role_edit = event(
        "e7",
        "role.updated",
        serde_json::json!({"permissions": {"from": ["documents.retrieve"], "to": ["renders.retrieve"]}}),
        ActorKind::User,
        "Ada Admin",
    );
    role_edit.target = AuditTarget {
        kind: AuditTargetKind::Role,
        id: "role_1".into(),
        name: "Support Desk".into(),
    };
    let events = vec![
        role_edit,
        signed_in,
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
            "Ada Admin edited role Support Desk",
            "Ada Admin signed in",
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
        [
            "permissions: 1 added, 1 removed",
            "from 198.51.100.7",
            "roles: Billing Reader → Developer; renamed from Billing"
        ]
    );
}
