//! The API Keys tab's first reads (its keys and the roles to filter them
//! by), sent as the app starts, beside `/me`,
//! instead of one round trip later (after `/me` answers and the tab
//! renders). The tab's first read of each takes the answer sent early; an
//! early answer that failed (signed out, say) is not used: that read is
//! sent again then. Any later read goes to the server as usual. Answers
//! are kept as the server's text and read by the tab, so the code that
//! reads them stays in the tab's part of the wasm (`parts`).

use futures::channel::oneshot;
use gloo_net::http::Request;
use keydesk_contract::types::{ApiKeyPage, ApiKeyQuery, Role};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::future::Future;

use super::transport::{send, url, with_headers};
use super::{query_string, ApiResult};

/// A body that came back with a 2xx, or nothing.
type Answer = oneshot::Receiver<Option<String>>;

#[derive(Default)]
struct Early {
    /// The question asked, so only the same question takes the answer.
    keys: Option<(ApiKeyQuery, Answer)>,
    roles: Option<Answer>,
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
    let keys = sent(format!("/api-keys{}", query_string(&first_keys)));
    EARLY.with(|early| {
        *early.borrow_mut() = Early {
            keys: Some((first_keys, keys)),
            roles: Some(sent("/roles".into())),
        }
    });
}

fn sent(path: String) -> Answer {
    let (answer, receiver) = oneshot::channel();
    // Before the app is mounted, so not through Leptos's executor (not set up yet).
    wasm_bindgen_futures::spawn_local(async move {
        let body = match send(with_headers(Request::get(&url(&path))).build()).await {
            Ok(response) => response.text().await.ok(),
            Err(_) => None,
        };
        let _ = answer.send(body);
    });
    receiver
}

/// The early answer if it came back well, or else `fresh`'s.
async fn or_fresh<T: DeserializeOwned, F>(
    early: Option<Answer>,
    fresh: impl FnOnce() -> F,
) -> ApiResult<T>
where
    F: Future<Output = ApiResult<T>>,
{
    if let Some(early) = early {
        if let Ok(Some(body)) = early.await {
            if let Ok(answer) = serde_json::from_str(&body) {
                return Ok(answer);
            }
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
