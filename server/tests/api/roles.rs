//! Custom roles: create, read with who holds them, edit (applies at once to
//! every key and person holding the role), remove (refused while in use),
//! the naming rules, built-in roles read-only, no escalation on any path,
//! the last-admin rule through a role edit, and races with removal.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::harness::{code, TestServer};

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_custom_role_grants_its_permissions_and_an_edit_applies_at_once() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let (status, role) = ada
        .post(
            "/roles",
            json!({"name": "Support Desk", "description": "Answers customers",
                   "permissions": ["documents.retrieve", "renders.retrieve", "documents.retrieve"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    assert_eq!(role["built_in"], false);
    // Without repeats, in catalogue order.
    assert_eq!(
        strings(&role["permissions"]),
        ["renders.retrieve", "documents.retrieve"]
    );
    let role_id = role["id"].as_str().unwrap().to_string();

    let key = ada.create_key("Support_Bot", &[&role_id]).await;
    assert_eq!(key.roles[0].name, "Support Desk");
    let bot = server.system(&ada.generate(&key.id).await.secret);
    let (_, who) = bot.get("/whoami").await;
    assert_eq!(
        strings(&who["permissions"]),
        ["renders.retrieve", "documents.retrieve"]
    );
    assert_eq!(bot.get("/api-keys").await.0, StatusCode::FORBIDDEN);

    // It is listed after the built-in roles, with who holds it.
    let (_, list) = ada.get("/roles").await;
    let list = list.as_array().unwrap();
    assert_eq!(
        list.len(),
        keydesk_contract::roles::BUILT_IN_ROLES.len() + 1
    );
    assert_eq!(list.last().unwrap()["id"], role_id.as_str());
    let (status, one) = ada.get(&format!("/roles/{role_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["used_by"], json!({"api_keys": 1, "users": 0}));
    let (_, admin) = ada.get("/roles/admin").await;
    assert_eq!(admin["used_by"], json!({"api_keys": 0, "users": 1}));

    // Widen it: the key's very next call has the new permission.
    let (status, edited) = ada
        .patch(
            &format!("/roles/{role_id}"),
            json!({"permissions": ["renders.retrieve", "documents.retrieve", "service-accounts.retrieve"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let (_, who) = bot.get("/whoami").await;
    assert!(strings(&who["permissions"]).contains(&"service-accounts.retrieve"));
    assert_eq!(bot.get("/api-keys").await.0, StatusCode::OK);
    // The key as listed shows the role's new permissions too.
    let (_, shown) = ada.get(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(shown["permissions"].as_array().unwrap().len(), 3);

    // Renaming shows everywhere the role is named.
    let (status, _) = ada
        .patch(&format!("/roles/{role_id}"), json!({"name": "Support"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, shown) = ada.get(&format!("/api-keys/{}", key.id)).await;
    assert_eq!(shown["roles"][0]["name"], "Support");

    let (_, trail) = ada.get("/audit-events").await;
    let trail = trail.to_string();
    assert!(trail.contains("role.created") && trail.contains("role.updated"));
}

#[tokio::test]
async fn a_role_in_use_cannot_be_removed_and_says_by_whom() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let role_id = ada.create_role("Readers", &["documents.retrieve"]).await;
    let key = ada.create_key("Reader_Bot", &[&role_id]).await;
    ada.add_person("rita@acme.io", &[&role_id]).await;
    let another = ada.create_key("Reader_Two", &[&role_id]).await;

    let (status, body) = ada.delete(&format!("/roles/{role_id}")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("2 keys and 1 person"), "{message}");

    // Once nobody holds it, it can go; then it can no longer be given.
    for k in [&key.id, &another.id] {
        assert_eq!(
            ada.delete(&format!("/api-keys/{k}")).await.0,
            StatusCode::NO_CONTENT
        );
    }
    let rita = ada
        .get("/users")
        .await
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "rita@acme.io")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = ada
        .patch(
            &format!("/users/{rita}"),
            json!({"role_ids": ["document-viewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = ada.delete(&format!("/roles/{role_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        ada.get(&format!("/roles/{role_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = ada
        .post("/api-keys", json!({"name": "Late", "role_ids": [role_id]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["role_ids"].is_string());
    let (_, trail) = ada.get("/audit-events").await;
    assert!(trail.to_string().contains("role.deleted"));
}

#[tokio::test]
async fn role_names_are_unique_never_built_in_and_permissions_must_exist() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    ada.create_role("Support Desk", &["documents.retrieve"])
        .await;
    let refused = [
        (
            json!({"name": "support desk", "permissions": ["documents.retrieve"]}),
            "name",
        ),
        (
            json!({"name": "DEVELOPER", "permissions": ["documents.retrieve"]}),
            "name",
        ),
        (
            json!({"name": "x", "permissions": ["documents.retrieve"]}),
            "name",
        ),
        (
            json!({"name": "Fine Name", "permissions": []}),
            "permissions",
        ),
        (
            json!({"name": "Fine Name", "permissions": ["documents.fly"]}),
            "permissions",
        ),
        (
            json!({"name": "Fine Name", "description": "a\u{202e}b", "permissions": ["documents.retrieve"]}),
            "description",
        ),
    ];
    for (body, field) in refused {
        let (status, answer) = ada.post("/roles", body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{body} → {answer}"
        );
    }
    // Twenty at once with one name: exactly one wins.
    let ada = Arc::new(ada);
    let attempts: Vec<_> = (0..20)
        .map(|i| {
            let ada = ada.clone();
            let name = if i % 2 == 0 {
                "Night Shift"
            } else {
                "NIGHT shift"
            };
            tokio::spawn(async move {
                ada.post(
                    "/roles",
                    json!({"name": name, "permissions": ["renders.retrieve"]}),
                )
                .await
                .0
            })
        })
        .collect();
    let mut created = 0;
    for a in attempts {
        match a.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 1);
}

#[tokio::test]
async fn built_in_roles_are_read_only_and_other_organizations_roles_are_absent() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    for (status, body) in [
        ada.patch("/roles/developer", json!({"name": "Devs"})).await,
        ada.delete("/roles/admin").await,
    ] {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("built-in"));
    }
    let role_id = ada.create_role("Acme Only", &["documents.retrieve"]).await;
    let eve = server.sign_up("Evil Corp", "eve@evil.io").await;
    assert_eq!(
        eve.get(&format!("/roles/{role_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        eve.patch(&format!("/roles/{role_id}"), json!({"name": "Mine"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        eve.delete(&format!("/roles/{role_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, listed) = eve.get("/roles").await;
    assert!(!listed.to_string().contains(&role_id));
    // Nor can it be given to a key or person of theirs.
    let (status, body) = eve
        .post(
            "/api-keys",
            json!({"name": "Stolen", "role_ids": [role_id]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = eve
        .post(
            "/users",
            json!({"name": "Mallory", "email": "m@evil.io", "role_ids": [role_id]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn nobody_creates_widens_gives_or_removes_a_role_beyond_what_they_hold() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    // Role managers may manage roles, but hold little else.
    let managers = ada
        .create_role(
            "Role Managers",
            &[
                "roles.retrieve",
                "roles.create",
                "roles.update",
                "roles.delete",
                "documents.retrieve",
                "service-accounts.create",
            ],
        )
        .await;
    let rm = ada.add_person("rm@acme.io", &[&managers]).await;
    let wide = ada
        .create_role("Wide", &["documents.retrieve", "users.create"])
        .await;

    let forbidden = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(code(&body), "forbidden");
    };
    // Create with a permission they lack.
    forbidden(
        rm.post(
            "/roles",
            json!({"name": "Sneaky", "permissions": ["users.create"]}),
        )
        .await,
    );
    // Widen their own kind of role beyond what they hold.
    let narrow = rm.create_role("Narrow", &["documents.retrieve"]).await;
    forbidden(
        rm.patch(
            &format!("/roles/{narrow}"),
            json!({"permissions": ["documents.retrieve", "billing.retrieve"]}),
        )
        .await,
    );
    // Edit or remove a role that holds more than they do.
    forbidden(
        rm.patch(&format!("/roles/{wide}"), json!({"name": "Wider"}))
            .await,
    );
    forbidden(rm.delete(&format!("/roles/{wide}")).await);
    // Give a key a custom role that holds more than they do.
    forbidden(
        rm.post(
            "/api-keys",
            json!({"name": "Escalator", "role_ids": [wide]}),
        )
        .await,
    );
    // A Developer holds no roles.create at all.
    let dev = ada.add_person("dev@acme.io", &["developer"]).await;
    forbidden(
        dev.post(
            "/roles",
            json!({"name": "Mine", "permissions": ["documents.retrieve"]}),
        )
        .await,
    );
    // Nothing of it was written.
    let (_, wide_now) = ada.get(&format!("/roles/{wide}")).await;
    assert_eq!(wide_now["name"], "Wide");
    let (_, narrow_now) = ada.get(&format!("/roles/{narrow}")).await;
    assert_eq!(strings(&narrow_now["permissions"]), ["documents.retrieve"]);
}

#[tokio::test]
async fn a_role_edit_never_leaves_the_organization_without_a_full_admin() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let everything: Vec<&str> = keydesk_contract::permissions::CATALOGUE
        .iter()
        .map(|p| p.id)
        .collect();
    let owners = ada.create_role("Owners", &everything).await;
    let bob = ada.add_person("bob@acme.io", &[&owners]).await;
    let ada_id = ada.me().await.user.id;
    // Bob, through the custom role, holds everything: Ada may step down.
    let (status, body) = bob
        .patch(
            &format!("/users/{ada_id}"),
            json!({"role_ids": ["developer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Now narrowing Owners would leave nobody holding everything.
    let (status, body) = bob
        .patch(
            &format!("/roles/{owners}"),
            json!({"permissions": ["documents.retrieve"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, still) = bob.get(&format!("/roles/{owners}")).await;
    assert_eq!(
        still["permissions"].as_array().unwrap().len(),
        everything.len()
    );
    // Renaming it changes no permission and is fine.
    let (status, _) = bob
        .patch(&format!("/roles/{owners}"), json!({"name": "Founders"}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_edit_decided_on_an_older_version_is_refused() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let role_id = ada.create_role("Readers", &["documents.retrieve"]).await;
    let (_, role) = ada.get(&format!("/roles/{role_id}")).await;
    let seen = role["version"].as_u64().unwrap();
    let (status, _) = ada
        .patch(
            &format!("/roles/{role_id}"),
            json!({"description": "first"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stale = ada
        .http
        .patch(format!("{}/api/v1/roles/{role_id}", server.base))
        .header("X-Requested-With", "keydesk")
        .header("If-Match", format!("\"{seen}\""))
        .json(&json!({"permissions": ["renders.retrieve"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let (_, now) = ada.get(&format!("/roles/{role_id}")).await;
    assert_eq!(strings(&now["permissions"]), ["documents.retrieve"]);
}

/// Giving a role to a key while it is being removed: exactly one wins, and
/// a key never ends up holding a role that no longer exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_role_removed_while_being_given_is_never_left_dangling() {
    let server = TestServer::start().await;
    let ada = Arc::new(server.sign_up("Acme", "ada@acme.io").await);
    for round in 0..15 {
        let role_id = ada
            .create_role(&format!("Passing {round}"), &["documents.retrieve"])
            .await;
        let give = {
            let (ada, role_id) = (ada.clone(), role_id.clone());
            tokio::spawn(async move {
                ada.post(
                    "/api-keys",
                    json!({"name": format!("Holder {round}"), "role_ids": [role_id]}),
                )
                .await
            })
        };
        let remove = {
            let (ada, role_id) = (ada.clone(), role_id.clone());
            tokio::spawn(async move { ada.delete(&format!("/roles/{role_id}")).await })
        };
        let (given, _) = give.await.unwrap();
        let (removed, _) = remove.await.unwrap();
        match (given, removed) {
            (StatusCode::CREATED, StatusCode::CONFLICT) => {}
            (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::NO_CONTENT) => {}
            other => panic!("round {round}: {other:?}"),
        }
    }
    let (_, keys) = ada.get("/api-keys?limit=200").await;
    for key in keys["items"].as_array().unwrap() {
        assert_eq!(key["roles"].as_array().unwrap().len(), 1, "{key}");
    }
}

#[tokio::test]
async fn a_role_edit_needs_its_editor_to_hold_what_every_affected_holder_holds() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    let readers = ada.create_role("Readers", &["documents.retrieve"]).await;
    // Dana edits roles and holds the readers' permissions, but no billing.
    let editors = ada
        .create_role(
            "Role Editors",
            &[
                "roles.retrieve",
                "roles.update",
                "documents.retrieve",
                "renders.retrieve",
            ],
        )
        .await;
    let dana = ada.add_person("dana@acme.io", &[&editors]).await;
    // A key holding Readers and Billing Reader holds what Dana does not.
    ada.create_key("Invoices", &[&readers, "billing-reader"])
        .await;
    let (status, body) = dana
        .patch(
            &format!("/roles/{readers}"),
            json!({"permissions": ["documents.retrieve", "renders.retrieve"]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("billing.retrieve"),
        "{body}"
    );
    let (_, role) = ada.get(&format!("/roles/{readers}")).await;
    assert_eq!(strings(&role["permissions"]), ["documents.retrieve"]);
    // A name-only edit changes what nobody holds: allowed.
    let (status, body) = dana
        .patch(&format!("/roles/{readers}"), json!({"name": "Doc Readers"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_role_named_with_look_alike_letters_does_not_pass_for_a_built_in_one() {
    let server = TestServer::start().await;
    let ada = server.sign_up("Acme", "ada@acme.io").await;
    // "Admin" with a Cyrillic A.
    let (status, body) = ada
        .post(
            "/roles",
            json!({"name": "\u{0410}dmin", "permissions": ["documents.retrieve"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["name"].is_string());
}
