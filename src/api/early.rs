//! The API Keys tab's first reads, sent as the app starts, beside `/me`,
//! instead of one round trip later (after `/me` answers and the tab
//! renders). The tab's first read of each takes the answer sent early; an
//! early answer that failed (signed out, say) is not used: that read is
//! sent again then. Any later read goes to the server as usual.

use futures::channel::oneshot;
use keydesk_contract::expiry::ExpiryWarnings;
use keydesk_contract::types::{ApiKeyPage, ApiKeyQuery, Role};
use std::cell::RefCell;
use std::future::Future;

use super::ApiResult;

type Answer<T> = oneshot::Receiver<ApiResult<T>>;

#[derive(Default)]
struct Early {
    /// The question asked, so only the same question takes the answer.
    keys: Option<(ApiKeyQuery, Answer<ApiKeyPage>)>,
    roles: Option<Answer<Vec<Role>>>,
    warnings: Option<Answer<ExpiryWarnings>>,
}

thread_local! {
    static EARLY: RefCell<Early> = RefCell::new(Early::default());
}

/// Sends the API Keys tab's first reads now, if the page opening is that
/// tab (`/` leads there too). `first_keys` is the tab's first question.
pub fn start(path: &str, first_keys: ApiKeyQuery) {
    let path = path.trim_end_matches('/');
    if !(path.is_empty() || path == "/api-keys" || path == "/api-keys/new") {
        return;
    }
    let keys = sent(super::list_key_pages(first_keys.clone(), 1));
    EARLY.with(|early| {
        *early.borrow_mut() = Early {
            keys: Some((first_keys, keys)),
            roles: Some(sent(super::roles())),
            warnings: Some(sent(super::expiry_warnings())),
        }
    });
}

fn sent<T: 'static>(request: impl Future<Output = ApiResult<T>> + 'static) -> Answer<T> {
    let (answer, receiver) = oneshot::channel();
    // Before the app is mounted, so not through Leptos's executor (not set up yet).
    wasm_bindgen_futures::spawn_local(async move {
        let _ = answer.send(request.await);
    });
    receiver
}

/// The early answer if it came back well, or else `fresh`'s.
async fn or_fresh<T, F>(early: Option<Answer<T>>, fresh: impl FnOnce() -> F) -> ApiResult<T>
where
    F: Future<Output = ApiResult<T>>,
{
    if let Some(early) = early {
        if let Ok(Ok(answer)) = early.await {
            return Ok(answer);
        }
    }
    fresh().await
}

/// The first `pages` pages of keys matching `q`.
pub async fn list_key_pages(q: ApiKeyQuery, pages: usize) -> ApiResult<ApiKeyPage> {
    let early = EARLY.with(|e| e.borrow_mut().keys.take());
    let early = early.and_then(|(asked, answer)| (asked == q && pages == 1).then_some(answer));
    or_fresh(early, || super::list_key_pages(q, pages)).await
}

pub async fn roles() -> ApiResult<Vec<Role>> {
    let early = EARLY.with(|e| e.borrow_mut().roles.take());
    or_fresh(early, super::roles).await
}

pub async fn expiry_warnings() -> ApiResult<ExpiryWarnings> {
    let early = EARLY.with(|e| e.borrow_mut().warnings.take());
    or_fresh(early, super::expiry_warnings).await
}
