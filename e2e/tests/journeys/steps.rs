//! Steps several journeys share.
#![allow(dead_code)]

use keydesk_e2e::accessibility::audit;
use keydesk_e2e::http::Person;
use keydesk_e2e::Page;
use keydesk_server::auth::totp::{code_at_step, step_at, TotpSecret, DIGITS};
use std::collections::BTreeSet;

pub const PASSWORD: &str = "correct horse battery staple";

/// Signs up a fresh organization in the browser.
pub async fn signed_up(page: &Page) {
    page.sign_up("Acme Render Co", "ada@acme.io", PASSWORD)
        .await;
}

/// The same person, over HTTP (for set-up and for checking what the UI did).
pub async fn as_admin(page: &Page) -> Person {
    Person::sign_in(&page.base, "ada@acme.io", PASSWORD).await
}

/// The union of the permissions of these roles, as `GET /roles` reports them.
pub async fn union_of_roles(page: &Page, role_ids: &[&str]) -> BTreeSet<String> {
    let (_, roles) = as_admin(page).await.get("/roles").await;
    roles
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| role_ids.contains(&r["id"].as_str().unwrap()))
        .flat_map(|r| {
            r["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
        })
        .collect()
}

/// Permission ids listed in the open dialog (optionally only those with `class`).
pub async fn listed_permissions(page: &Page, class: &str) -> BTreeSet<String> {
    let js = format!(
        "return Array.from(document.querySelectorAll('dialog[open] .permission{class}')).map(e => e.dataset.permission)"
    );
    page.script(&js)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Opens Create API Key and fills the details step; stays on it.
pub async fn fill_create_details(page: &Page, name: &str, role_ids: &[&str]) {
    page.click_button("Create API Key").await;
    page.wait_for("dialog[open] #key-name").await;
    page.fill("#key-name", name).await;
    page.fill("#key-description", &format!("Used by the {name} system"))
        .await;
    for role in role_ids {
        page.click(&format!("#role-{role}")).await;
    }
}

/// Creates a key through the dialog (no secret yet); returns the permissions
/// the double-check listed. `audit_screens` also audits each step.
pub async fn create_key(
    page: &Page,
    name: &str,
    role_ids: &[&str],
    audit_screens: bool,
) -> BTreeSet<String> {
    fill_create_details(page, name, role_ids).await;
    if audit_screens {
        audit(page, "Create API Key: details").await;
    }
    page.click_button("Next: double-check").await;
    page.wait_text("will be granted to").await;
    if audit_screens {
        audit(page, "Create API Key: double-check").await;
    }
    let listed = listed_permissions(page, "").await;
    page.click("dialog[open] .modal__actions .button--primary")
        .await;
    page.wait_text("API key created").await;
    listed
}

/// From the generated dialog: reads the secret, ticks the box, closes.
pub async fn take_secret_and_close(page: &Page) -> String {
    page.wait_for("#generated-secret").await;
    let secret = page.value("#generated-secret").await;
    assert!(secret.starts_with("kd_live_"), "{secret}");
    page.click("#stored-key").await;
    page.click_button("Done").await;
    page.wait_gone("dialog[open]").await;
    secret
}

/// Creates a key and generates its secret through the screens.
pub async fn key_with_secret(page: &Page, name: &str, role_ids: &[&str]) -> String {
    create_key(page, name, role_ids, false).await;
    page.click_button("Generate key now").await;
    take_secret_and_close(page).await
}

/// The page's table is seen whole in the journey's 1280 px wide window:
/// no column (a row's buttons, last) hides behind a sideways scroll.
pub async fn table_fits(page: &Page, what: &str) {
    let sizes = page
        .script(
            "const frame = document.querySelector('.table-wrap'); \
             return [frame.scrollWidth, frame.clientWidth];",
        )
        .await;
    let (wide, frame) = (sizes[0].as_i64().unwrap(), sizes[1].as_i64().unwrap());
    assert!(
        wide <= frame,
        "{what}: the table is {wide} px wide in a {frame} px frame"
    );
}

/// The row of the key named `name`.
pub fn row(name: &str) -> String {
    format!("tr[data-key-name='{name}']")
}

/// The permissions a key's `/whoami` reports, in its order.
pub async fn whoami_permissions(page: &Page, secret: &str) -> Vec<String> {
    let who: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/whoami", page.base))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    serde_json::from_value(who["permissions"].clone()).unwrap()
}

/// The app's code `steps` after now (the current one may be spent).
pub fn code(secret: &TotpSecret, steps: i64) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    code_at_step(secret, step_at(now) + steps, DIGITS)
}

/// Sets up an authenticator app from the Security section shown on `page`;
/// returns its secret and the recovery codes shown once.
pub async fn set_up_app(page: &Page, audited: bool) -> (TotpSecret, Vec<String>) {
    page.click_button("Set up an authenticator app").await;
    page.wait_for("dialog[open] #prompt-password").await;
    if audited {
        audit(page, "Confirm with your password").await;
    }
    page.fill("#prompt-password", PASSWORD).await;
    page.click_button("Continue").await;
    let shown = page.text("#totp-secret").await;
    let secret = TotpSecret::from_base32(&shown).expect("the secret as text");
    assert!(
        page.exists(".totp-setup__qr svg").await,
        "the QR code is drawn"
    );
    if audited {
        audit(page, "Set up an authenticator app").await;
    }
    page.fill("#totp-code", &code(&secret, 0)).await;
    page.click_button("Confirm").await;
    page.wait_for(".recovery-codes").await;
    if audited {
        audit(page, "Recovery codes").await;
    }
    let codes: Vec<String> = page
        .script("return Array.from(document.querySelectorAll('.recovery-codes code')).map(c => c.textContent)")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    page.click("#stored-codes").await;
    page.click_button("Done").await;
    page.wait_gone("dialog[open]").await;
    (secret, codes)
}
