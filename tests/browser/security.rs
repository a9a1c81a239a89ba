//! My account → Security, the sign-in's second step, Settings → Security
//! and resetting someone's second factors, mounted with stand-in calls.

use keydesk_contract::second_factors::{
    AddedPasskey, OrganizationSecurity, PasskeySummary, RecoveryCodes, SecondFactorMethod,
    SecondFactors, SecondStepRequest, TotpEnrolment,
};
use keydesk_contract::types::{Me, RoleRef, User, UserStatus};
use keydesk_web::api::{ApiError, ApiResult};
use keydesk_web::components::second_factors_panel::{SecondFactorsPanel, SecurityCalls};
use keydesk_web::components::second_step::SecondStep;
use keydesk_web::pages::settings::Settings;
use keydesk_web::session::{Session, SessionState};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::Router;
use wasm_bindgen_test::*;

use crate::support::*;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn codes() -> Vec<String> {
    (0..10).map(|i| format!("abcde-fgh{i:02}")).collect()
}

fn wrong_password() -> ApiError {
    ApiError::Invalid {
        message: "The current password is not right.".into(),
        fields: [(
            "password".to_string(),
            "The current password is not right.".to_string(),
        )]
        .into(),
    }
}

/// Calls that answer like a server holding `factors` (a right password is
/// "right password", a right code "123456"); `removed` collects removed passkeys.
fn calls(factors: SecondFactors, removed: RwSignal<Vec<String>>) -> SecurityCalls {
    SecurityCalls {
        load: Action::new_local(move |_: &()| {
            let f = factors.clone();
            async move { ApiResult::Ok(f) }
        }),
        begin_totp: Action::new_local(|p: &String| {
            let right = p == "right password";
            async move {
                if right {
                    Ok(TotpEnrolment {
                        secret: SECRET.into(),
                        otpauth_uri: format!("otpauth://totp/keydesk:ada@acme.io?secret={SECRET}"),
                        qr_svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>".into(),
                    })
                } else {
                    Err(wrong_password())
                }
            }
        }),
        confirm_totp: Action::new_local(|c: &String| {
            let right = c.replace(' ', "") == "123456";
            async move {
                if right {
                    Ok(RecoveryCodes {
                        recovery_codes: codes(),
                    })
                } else {
                    Err(ApiError::Invalid {
                        message: "That code is not right.".into(),
                        fields: [("code".to_string(), "That code is not right.".to_string())]
                            .into(),
                    })
                }
            }
        }),
        remove_totp: Action::new_local(|_: &String| async { ApiResult::Ok(()) }),
        new_codes: Action::new_local(|_: &String| async {
            Ok(RecoveryCodes {
                recovery_codes: codes(),
            })
        }),
        add_passkey: Action::new_local(|name: &String| {
            let name = name.clone();
            async move {
                Ok(AddedPasskey {
                    passkey: PasskeySummary {
                        id: "pk_9".into(),
                        name,
                        created_at: "2026-11-30T10:00:00.000000Z".into(),
                        last_used_at: None,
                    },
                    recovery_codes: None,
                })
            }
        }),
        remove_passkey: Action::new_local(move |id: &String| {
            removed.update(|r| r.push(id.clone()));
            async { ApiResult::Ok(()) }
        }),
    }
}

#[wasm_bindgen_test]
async fn setting_up_an_app_asks_the_password_shows_the_code_to_scan_and_then_the_recovery_codes_once(
) {
    let changed = RwSignal::new(0);
    let page = mount(move || {
        let calls = calls(SecondFactors::default(), RwSignal::new(vec![]));
        view! { <SecondFactorsPanel calls=calls who="ada@acme.io" on_changed=Callback::new(move |()| changed.update(|c| *c += 1))/> }
    });
    until(|| text(&page).contains("Not set up.")).await;
    click(&button(&page, "Set up an authenticator app"));
    until(|| exists(&page, "dialog[open] #prompt-password")).await;
    type_into(&page, "#prompt-password", "not it");
    click(&button(&page, "Continue"));
    until(|| text(&find(&page, "#prompt-password-error")).contains("not right")).await;
    assert_eq!(
        value_of(&page, "#prompt-password"),
        "not it",
        "nothing typed is lost"
    );

    type_into(&page, "#prompt-password", "right password");
    click(&button(&page, "Continue"));
    until(|| exists(&page, "#totp-secret")).await;
    assert_eq!(
        text(&find(&page, "#totp-secret")),
        "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    );
    assert!(
        exists(&page, ".totp-setup__qr svg"),
        "the server's QR code is drawn"
    );
    type_into(&page, "#totp-code", "654321");
    click(&button(&page, "Confirm"));
    until(|| text(&find(&page, "#totp-code-error")).contains("not right")).await;
    type_into(&page, "#totp-code", "123 456");
    click(&button(&page, "Confirm"));
    until(|| exists(&page, ".recovery-codes")).await;
    assert_eq!(find_all(&page, ".recovery-codes li").len(), 10);
    let download = find(&page, "a[download='keydesk-recovery-codes.txt']");
    let href = download.get_attribute("href").unwrap();
    assert!(
        href.starts_with("data:text/plain") && href.contains("abcde-fgh09"),
        "{href}"
    );
    let done = button(&page, "Done");
    assert!(is_disabled(&done), "not before the codes are stored");
    assert_eq!(
        changed.get_untracked(),
        0,
        "nothing moves on while the codes are shown"
    );
    set_checked(&page, "#stored-codes", true);
    until(|| !is_disabled(&button(&page, "Done"))).await;
    click(&button(&page, "Done"));
    until(|| !exists(&page, "dialog")).await;
    assert_eq!(changed.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn passkeys_are_listed_with_their_last_use_and_one_is_removed_after_confirming() {
    let removed = RwSignal::new(Vec::new());
    let page = mount(move || {
        let factors = SecondFactors {
            totp: true,
            passkeys: vec![
                PasskeySummary {
                    id: "pk_1".into(),
                    name: "Work laptop".into(),
                    created_at: "2026-11-01T10:00:00.000000Z".into(),
                    last_used_at: None,
                },
                PasskeySummary {
                    id: "pk_2".into(),
                    name: "YubiKey".into(),
                    created_at: "2026-11-02T10:00:00.000000Z".into(),
                    last_used_at: Some("2026-11-29T10:00:00.000000Z".into()),
                },
            ],
            recovery_codes_left: 7,
            required: false,
        };
        view! { <SecondFactorsPanel calls=calls(factors, removed) who="ada@acme.io"/> }
    });
    until(|| find_all(&page, ".passkeys__item").len() == 2).await;
    let items = find_all(&page, ".passkeys__item");
    assert_eq!(items.len(), 2);
    assert!(text(&items[0]).contains("last used never"));
    assert!(!text(&items[1]).contains("never"));
    assert!(text(&page).contains("7 of 10 left"));
    click(&find(&page, "button[aria-label='Remove passkey YubiKey']"));
    until(|| exists(&page, "dialog[open]")).await;
    assert!(
        removed.get_untracked().is_empty(),
        "nothing before confirming"
    );
    click(&button(&page, "Remove passkey"));
    until(|| !exists(&page, "dialog")).await;
    assert_eq!(removed.get_untracked(), ["pk_2".to_string()]);
}

fn signed_in() -> Me {
    ada_with(&["admin"])
}

#[wasm_bindgen_test]
async fn the_second_step_offers_only_the_persons_methods_and_keeps_a_wrong_code() {
    let sent = RwSignal::new(Vec::<SecondStepRequest>::new());
    let cancelled = RwSignal::new(false);
    let page = mount(move || {
        let submit = Action::new_local(move |r: &SecondStepRequest| {
            sent.update(|s| s.push(r.clone()));
            let right = r.recovery_code.as_deref() == Some("abcde-fgh00");
            async move {
                if right {
                    Ok(signed_in())
                } else {
                    Err(ApiError::InvalidCredentials(
                        "That is not right, or it was already used. Try again.".into(),
                    ))
                }
            }
        });
        let passkey = Action::new_local(|_: &()| async { ApiResult::<Me>::Err(ApiError::Network) });
        view! {
            <SecondStep methods=vec![SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode]
                submit=submit passkey=passkey on_signed_in=|_| {} on_cancel=move |_| cancelled.set(true)/>
        }
    });
    settle().await;
    assert!(exists(&page, "#second-step-code"), "the app's code first");
    assert!(
        !text(&page).contains("Use a passkey"),
        "no passkey offered to someone without one"
    );
    type_into(&page, "#second-step-code", "000000");
    click(&button(&page, "Verify"));
    until(|| text(&page).contains("not right")).await;
    assert_eq!(value_of(&page, "#second-step-code"), "000000");
    assert_eq!(sent.get_untracked()[0].code.as_deref(), Some("000000"));

    click(&button(&page, "Use a recovery code"));
    until(|| exists(&page, "#second-step-recovery")).await;
    type_into(&page, "#second-step-recovery", "abcde-fgh00");
    click(&button(&page, "Verify"));
    until(|| sent.get_untracked().len() == 2).await;
    let last = sent.get_untracked()[1].clone();
    assert_eq!(
        (last.code, last.recovery_code.as_deref()),
        (None, Some("abcde-fgh00"))
    );
    click(&button(&page, "Cancel"));
    assert!(cancelled.get_untracked());
}

#[wasm_bindgen_test]
async fn requiring_a_second_factor_needs_accounts_update_and_shows_why_it_was_refused() {
    let sent = RwSignal::new(Vec::<bool>::new());
    let mount_as = move |roles: &'static [&'static str]| {
        mount(move || {
            Session::provide(SessionState::SignedIn(ada_with(roles)));
            let load = Action::new_local(|_: &()| async {
                ApiResult::Ok(OrganizationSecurity {
                    require_second_factor: false,
                    sso: None,
                })
            });
            let save = Action::new_local(move |on: &bool| {
                sent.update(|s| s.push(*on));
                async {
                    ApiResult::<OrganizationSecurity>::Err(ApiError::Invalid {
                        message: "Set up a second factor for yourself first.".into(),
                        fields: Default::default(),
                    })
                }
            });
            view! { <Router><Settings load=load save=save/></Router> }
        })
    };
    let viewer = mount_as(&["document-viewer"]);
    until(|| exists(&viewer, "#require-second-factor")).await;
    assert!(is_disabled(&find(&viewer, "#require-second-factor")));
    assert!(text(&viewer).contains("accounts.update"));
    drop(viewer);

    let admin = mount_as(&["admin"]);
    until(|| exists(&admin, "#require-second-factor")).await;
    set_checked(&admin, "#require-second-factor", true);
    click(&button(&admin, "Save"));
    until(|| text(&admin).contains("for yourself first")).await;
    assert_eq!(sent.get_untracked(), [true]);
}

#[wasm_bindgen_test]
async fn people_show_who_has_a_second_factor_and_a_reset_is_confirmed_first() {
    use keydesk_web::pages::people::{AccessChange, PeopleTable};
    let reset_ids = RwSignal::new(Vec::<String>::new());
    let page = mount(move || {
        Session::provide(SessionState::SignedIn(ada_with(&["admin"])));
        let person = |id: &str, name: &str, second_factor: bool| User {
            id: id.into(),
            name: name.into(),
            email: format!("{}@acme.io", name.to_lowercase()),
            roles: vec![RoleRef {
                id: "developer".into(),
                name: "Developer".into(),
            }],
            status: UserStatus::Active,
            created_at: "2026-11-26T05:00:00.000000Z".into(),
            last_signed_in_at: None,
            version: 1,
            second_factor,
        };
        let people = vec![
            person("usr_1", "Ada", true),
            person("usr_2", "Dev", true),
            person("usr_3", "Eve", false),
        ];
        let change = Action::new_local(|_: &AccessChange| async {
            ApiResult::<User>::Err(ApiError::Network)
        });
        let invite = Action::new_local(|_: &String| async { Err(ApiError::Network) });
        let update = Action::new_local(
            |_: &(String, keydesk_contract::types::UpdateUserRequest)| async {
                Err(ApiError::Network)
            },
        );
        let reset = Action::new_local(move |id: &String| {
            reset_ids.update(|r| r.push(id.clone()));
            async { ApiResult::Ok(()) }
        });
        view! { <PeopleTable people=people change=change invite=invite update=update reset=reset roles=Signal::stored(built_in_roles())/> }
    });
    settle().await;
    let cell = |who: &str| {
        text(&find(
            &page,
            &format!("tr[data-person='{who}@acme.io'] td[data-label='Second factor']"),
        ))
    };
    assert_eq!(
        (cell("ada"), cell("eve")),
        ("On".to_string(), "None".to_string())
    );
    assert!(
        !exists(&page, "button[aria-label='Reset second factors of Ada']"),
        "not one's own"
    );
    assert!(
        !exists(&page, "button[aria-label='Reset second factors of Eve']"),
        "nothing to reset"
    );
    click(&find(
        &page,
        "button[aria-label='Reset second factors of Dev']",
    ));
    until(|| exists(&page, "dialog[open]")).await;
    assert!(reset_ids.get_untracked().is_empty());
    click(&button(&page, "Reset second factors"));
    until(|| !exists(&page, "dialog")).await;
    assert_eq!(reset_ids.get_untracked(), ["usr_2".to_string()]);
}

#[wasm_bindgen_test]
async fn single_sign_on_settings_send_what_was_typed_and_keep_it_when_a_field_is_refused() {
    use keydesk_contract::sso::{Sso, SsoRequest, SsoTestResult};
    use keydesk_web::components::sso_settings::SsoSettings;
    let sent = RwSignal::new(Vec::<SsoRequest>::new());
    let page = mount(move || {
        Session::provide(SessionState::SignedIn(ada_with(&["admin"])));
        let save = Action::new_local(move |req: &SsoRequest| {
            sent.update(|s| s.push(req.clone()));
            let first = sent.get_untracked().len() == 1;
            let req = req.clone();
            async move {
                if first {
                    Err(ApiError::Invalid {
                        message: "No OpenID provider answers at this issuer.".into(),
                        fields: [(
                            "issuer".to_string(),
                            "No OpenID provider answers at this issuer.".to_string(),
                        )]
                        .into(),
                    })
                } else {
                    Ok(Sso {
                        issuer: req.issuer,
                        client_id: req.client_id,
                        client_secret_last4: "4242".into(),
                        email_domains: req.email_domains,
                        role_rules: req.role_rules,
                        default_role_ids: req.default_role_ids,
                        require_sso: req.require_sso,
                        break_glass_user_ids: req.break_glass_user_ids,
                        redirect_uri: "https://keys.example.com/api/v1/auth/sso/callback".into(),
                    })
                }
            }
        });
        let test = Action::new_local(|_: &String| async {
            ApiResult::<SsoTestResult>::Err(ApiError::Network)
        });
        let remove = Action::new_local(|_: &()| async { ApiResult::Ok(()) });
        view! {
            <SsoSettings current=None roles=built_in_roles() people=vec![ada_with(&["admin"]).user]
                save=save test=test remove=remove may_change=true/>
        }
    });
    settle().await;
    type_into(&page, "#sso-issuer", "https://login.acme.io");
    type_into(&page, "#sso-client-id", "keydesk");
    type_into(&page, "#sso-client-secret", "provider-secret-4242");
    type_into(&page, "#sso-domains", "acme.io, acme.de");
    click(&button(&page, "Add rule"));
    until(|| exists(&page, ".sso-rules__row")).await;
    let inputs = find_all(&page, ".sso-rules__row input");
    let value: web_sys::HtmlInputElement = inputs[1].clone().unchecked_into();
    value.set_value("kd-devs");
    value
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let select: web_sys::HtmlSelectElement = find(&page, ".sso-rules__row select").unchecked_into();
    select.set_value("developer");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    click(&button(&page, "Save single sign-on"));
    until(|| text(&find(&page, "#sso-issuer-error")).contains("No OpenID provider")).await;
    assert_eq!(
        value_of(&page, "#sso-client-secret"),
        "provider-secret-4242",
        "nothing typed is lost"
    );
    let first = sent.get_untracked()[0].clone();
    assert_eq!(first.email_domains, ["acme.io", "acme.de"]);
    assert_eq!(first.role_rules.len(), 1);
    assert_eq!(
        (
            first.role_rules[0].claim.as_str(),
            first.role_rules[0].value.as_str()
        ),
        ("groups", "kd-devs")
    );
    assert_eq!(first.role_rules[0].role_ids, ["developer"]);
    assert_eq!(first.client_secret.as_deref(), Some("provider-secret-4242"));

    click(&button(&page, "Save single sign-on"));
    until(|| text(&page).contains("single sign-on is on")).await;
    assert_eq!(
        value_of(&page, "#sso-client-secret"),
        "",
        "the secret is not kept on screen"
    );
    assert!(text(&find(&page, "#sso-redirect-uri")).ends_with("/api/v1/auth/sso/callback"));
}

#[wasm_bindgen_test]
fn create_offers_only_the_lifetimes_the_key_policy_allows_with_its_default() {
    use keydesk_contract::key_policy::KeyPolicy;
    use keydesk_web::components::create_key_dialog::allowed_expiries;
    let all: Vec<Option<u32>> = allowed_expiries(None).into_iter().map(|(d, _)| d).collect();
    assert_eq!(all, [None, Some(30), Some(90), Some(365)]);
    let policy = KeyPolicy {
        require_expiry: true,
        max_lifetime_days: Some(120),
        default_lifetime_days: Some(45),
        enforce_from: None,
    };
    let allowed: Vec<Option<u32>> = allowed_expiries(Some(&policy))
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert_eq!(
        allowed,
        [Some(30), Some(45), Some(90), Some(120)],
        "no never, nothing past 120, the default offered"
    );
}

#[wasm_bindgen_test]
async fn the_key_policy_preview_lists_each_affected_key_why_and_its_weeks_use_before_saving() {
    use keydesk_contract::key_policy::{
        KeyPolicy, KeyPolicyPreview, KeyPolicyRequest, PreviewItem, ViolationReason,
    };
    use keydesk_contract::types::NamedRef;
    use keydesk_web::components::key_policy_settings::KeyPolicySettings;
    let asked = RwSignal::new(Vec::<KeyPolicyRequest>::new());
    let page = mount(move || {
        let preview = Action::new_local(move |req: &KeyPolicyRequest| {
            asked.update(|a| a.push(req.clone()));
            async {
                ApiResult::Ok(KeyPolicyPreview {
                    total: 1,
                    items: vec![PreviewItem {
                        api_key: NamedRef {
                            id: "key_1".into(),
                            name: "Forever_Key".into(),
                        },
                        expires_at: None,
                        reason: ViolationReason::NoExpiry,
                        requests_last_7_days: 1234,
                    }],
                })
            }
        });
        let save = Action::new_local(|req: &KeyPolicyRequest| {
            let req = req.clone();
            async move {
                ApiResult::Ok(KeyPolicy {
                    require_expiry: req.require_expiry,
                    max_lifetime_days: req.max_lifetime_days,
                    default_lifetime_days: req.default_lifetime_days,
                    enforce_from: Some("2026-12-14T00:00:00.000000Z".into()),
                })
            }
        });
        view! { <KeyPolicySettings current=KeyPolicy::default() preview=preview save=save may_change=true/> }
    });
    settle().await;
    set_checked(&page, "#policy-require-expiry", true);
    type_into(&page, "#policy-max-days", "90");
    click(&button(&page, "Preview"));
    until(|| exists(&page, ".policy-preview__row")).await;
    let row = text(&find(&page, ".policy-preview__row"));
    assert!(
        row.contains("Forever_Key") && row.contains("never expires") && row.contains("1234"),
        "{row}"
    );
    let sent = asked.get_untracked()[0].clone();
    assert!(sent.require_expiry);
    assert_eq!(sent.max_lifetime_days, Some(90));
    click(&button(&page, "Save key policy"));
    until(|| text(&page).contains("stop working")).await;
}

#[wasm_bindgen_test]
async fn the_api_keys_tab_warns_of_expiring_keys_and_of_expired_keys_still_called_from_where() {
    use keydesk_contract::expiry::{ExpiredButUsed, ExpiringKey, ExpiryWarnings};
    use keydesk_web::components::expiry_banner::ExpiryBanner;
    let warnings = RwSignal::new(Some(ExpiryWarnings::default()));
    let page = mount(move || view! { <ExpiryBanner warnings=warnings/> });
    settle().await;
    assert!(
        !exists(&page, ".expiry-banner"),
        "nothing to warn of: nothing shown"
    );
    warnings.set(Some(ExpiryWarnings {
        expiring_soon: vec![ExpiringKey {
            id: "key_1".into(),
            name: "Weekly_Job".into(),
            expires_at: "2099-01-01T00:00:00.000000Z".into(),
        }],
        expired_but_used: vec![ExpiredButUsed {
            id: "key_2".into(),
            name: "Old_Cron".into(),
            expires_at: "2026-11-01T00:00:00.000000Z".into(),
            last_call_at: "2026-11-29T00:00:00.000000Z".into(),
            last_call_from: "203.0.113.9".into(),
        }],
    }));
    until(|| exists(&page, ".expiry-banner")).await;
    let shown = text(&page);
    assert!(
        shown.contains("Weekly_Job") && shown.contains("Old_Cron") && shown.contains("203.0.113.9"),
        "{shown}"
    );
}
