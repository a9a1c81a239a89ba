//! Event destinations over the keydesk API (Settings → Events).

use gloo_net::http::Request;
use keydesk_contract::events::{
    CreateDestination, CreatedDestination, DeliveryPage, Destination, Replay, RotatedSecret,
    UpdateDestination,
};

use super::transport::{get, post, read, send, url, with_headers};
use super::ApiResult;

pub async fn event_destinations() -> ApiResult<Vec<Destination>> {
    get("/event-destinations").await
}

/// Answers the signing secret, shown once.
pub async fn create_event_destination(req: &CreateDestination) -> ApiResult<CreatedDestination> {
    post("/event-destinations", req).await
}

pub async fn update_event_destination(id: &str, req: &UpdateDestination) -> ApiResult<Destination> {
    let request =
        with_headers(Request::patch(&url(&format!("/event-destinations/{id}")))).json(req);
    read(send(request).await?).await
}

pub async fn delete_event_destination(id: &str) -> ApiResult<()> {
    send(with_headers(Request::delete(&url(&format!("/event-destinations/{id}")))).build())
        .await
        .map(|_| ())
}

pub async fn rotate_event_destination_secret(id: &str) -> ApiResult<RotatedSecret> {
    post(
        &format!("/event-destinations/{id}/rotate-secret"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn event_deliveries(id: &str) -> ApiResult<DeliveryPage> {
    get(&format!("/event-destinations/{id}/deliveries")).await
}

/// Queues a `ping` (202, no body).
pub async fn send_test_event(id: &str) -> ApiResult<()> {
    let request = with_headers(Request::post(&url(&format!(
        "/event-destinations/{id}/test"
    ))))
    .json(&serde_json::json!({}));
    send(request).await.map(|_| ())
}

/// Queues every event since `since` again (202, no body).
pub async fn replay_events(id: &str, since: String) -> ApiResult<()> {
    let request = with_headers(Request::post(&url(&format!(
        "/event-destinations/{id}/replay"
    ))))
    .json(&Replay { since });
    send(request).await.map(|_| ())
}
