//! Sending a request and reading its answer. Every answer passes here, so
//! this is where an ended session is noticed, once for the whole app.

use gloo_net::http::{Request, RequestBuilder, Response};
use keydesk_contract::{API_BASE, CSRF_HEADER, CSRF_VALUE};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;

use super::error::error_from;
use super::{ApiError, ApiResult};

thread_local! {
    static SESSION_ENDED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// What to do when an answer says the session has ended (401
/// `unauthenticated`): set once, by the session.
pub fn when_session_ends(f: impl Fn() + 'static) {
    SESSION_ENDED.with(|slot| *slot.borrow_mut() = Some(Rc::new(f)));
}

fn session_ended() {
    let hook = SESSION_ENDED.with(|slot| slot.borrow().clone());
    if let Some(hook) = hook {
        hook();
    }
}

pub(super) fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

/// Every request sends the CSRF header; the server requires it on writes.
pub(super) fn with_headers(builder: RequestBuilder) -> RequestBuilder {
    builder
        .header(CSRF_HEADER, CSRF_VALUE)
        .header("Accept", "application/json")
}

pub(super) async fn send(request: Result<Request, gloo_net::Error>) -> ApiResult<Response> {
    let request =
        request.map_err(|e| ApiError::Server(format!("The request could not be built: {e}")))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let error = error_from(response).await;
    if matches!(error, ApiError::Unauthenticated(_)) {
        session_ended();
    }
    Err(error)
}

pub(super) async fn read<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    response
        .json()
        .await
        .map_err(|e| ApiError::Server(format!("The server's answer could not be read: {e}")))
}

pub(super) async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    read(send(with_headers(Request::get(&url(path))).build()).await?).await
}

pub(super) async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    read(send(with_headers(Request::post(&url(path))).json(body)).await?).await
}
