//! What every response gets and every request is bounded by, whatever route
//! it takes: security headers (a Content-Security-Policy that allows only
//! this origin's files and the built page's own loader script), a body-read
//! and a whole-request timeout, and a panic turned into the API's 500 body.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Response};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::Router;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::error::Error;

/// A request body must keep arriving: a pause this long ends it (408).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// No request may take longer than this from headers to answer (503).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The response headers that do not depend on the request.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    pub content_security_policy: String,
    /// HTTPS only: browsers ignore it over plain HTTP anyway.
    pub strict_transport_security: bool,
}

impl SecurityHeaders {
    /// The policy for the web app in `dist`: scripts only from this origin,
    /// plus the inline scripts of its pages (the loader in `index.html`, and
    /// the sign-in page's, which holds a submit until the app takes over),
    /// each allowed by its hash (computed now, so a rebuilt app is allowed
    /// after a restart).
    pub fn for_dist(dist: &Path, strict_transport_security: bool) -> Self {
        let mut hashes = String::new();
        for page in ["index.html", super::web_app::SIGN_IN_PAGE] {
            let html = std::fs::read_to_string(dist.join(page)).unwrap_or_default();
            for script in inline_scripts(&html) {
                let hash = format!(" 'sha256-{}'", base64(&Sha256::digest(script.as_bytes())));
                if !hashes.contains(&hash) {
                    hashes.push_str(&hash);
                }
            }
        }
        SecurityHeaders {
            content_security_policy: format!(
                "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
                 style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
                 manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
            ),
            strict_transport_security,
        }
    }
}

/// The text of every `<script>` without a `src`, as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices("<script").filter_map(move |(start, _)| {
        let open_end = start + html[start..].find('>')?;
        let tag = &html[start..open_end];
        let close = open_end + 1 + html[open_end + 1..].find("</script>")?;
        (!tag.contains(" src=")).then(|| &html[open_end + 1..close])
    })
}

/// Standard base64 with padding (what CSP hashes are written in).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Wraps the whole app (pages and API) in the layers above.
pub fn harden(router: Router, headers: &SecurityHeaders) -> Router {
    let set = |name: HeaderName, value: &str| {
        SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_str(value).expect("header values are ASCII"),
        )
    };
    let mut router = router
        .layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT))
        .layer(middleware::from_fn(whole_request_timeout))
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            &headers.content_security_policy,
        ))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), \
             gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), \
             clipboard-write=(self)",
        ))
        .layer(set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(set(
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ));
    if headers.strict_transport_security {
        router = router.layer(set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    router.layer(CatchPanicLayer::custom(answer_panic))
}

async fn whole_request_timeout(request: Request, next: Next) -> axum::response::Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Error::Unavailable {
            message: "The request took too long. Please try again.",
            retry_after_seconds: 5,
        }
        .into_response(),
    }
}

/// A handler that panicked: logged with what it said, answered like any
/// other internal error, and the connection stays up.
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let said = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = said, "a request handler panicked");
    Error::Internal("panic".into()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html =
            r#"<head><script src="/a.js"></script><script type="module">boot()</script></head>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["boot()"]);
    }
}
