//! The API Keys tab's warning: keys that stop working within a week, and
//! expired keys something still calls (and from where). Regenerating a key
//! renews it; nothing shows when there is nothing to warn of.

use keydesk_contract::expiry::ExpiryWarnings;
use leptos::prelude::*;

use crate::time;

#[component]
pub fn ExpiryBanner(#[prop(into)] warnings: Signal<Option<ExpiryWarnings>>) -> impl IntoView {
    move || {
        warnings.get().filter(|w| !w.is_empty()).map(|w| {
            view! {
                <div class="warning expiry-banner" role="status">
                    {(!w.expired_but_used.is_empty()).then(|| view! {
                        <p><strong>"Expired keys still called: "</strong>
                            {w.expired_but_used.iter().map(|k| format!(
                                "{} (expired {}, called {} from {})",
                                k.name, time::ago(&k.expires_at), time::ago(&k.last_call_at), k.last_call_from
                            )).collect::<Vec<_>>().join("; ")}
                            ". Regenerate to renew them."
                        </p>
                    })}
                    {(!w.expiring_soon.is_empty()).then(|| view! {
                        <p><strong>"Expiring within 7 days: "</strong>
                            {w.expiring_soon.iter().map(|k| format!("{} ({})", k.name, time::ago(&k.expires_at)))
                                .collect::<Vec<_>>().join(", ")}
                            ". Regenerate before then to renew."
                        </p>
                    })}
                </div>
            }
        })
    }
}
