//! Bulk actions on keys over the keydesk API (the API Keys tab's selection).

use keydesk_contract::bulk::{BulkPreview, BulkRequest};

use super::transport::{post, send, url, with_headers};
use super::ApiResult;

/// What the action would do to each key, and each key's week.
pub async fn bulk_preview(req: &BulkRequest) -> ApiResult<BulkPreview> {
    post("/api-keys/bulk/preview", req).await
}

/// The action, all or nothing.
pub async fn bulk_apply(req: &BulkRequest) -> ApiResult<()> {
    let request = with_headers(gloo_net::http::Request::post(&url("/api-keys/bulk"))).json(req);
    send(request).await.map(|_| ())
}
