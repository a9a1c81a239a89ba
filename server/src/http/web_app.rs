//! Serving the built web app: the files Trunk wrote to `dist/`, sent
//! precompressed (brotli or gzip, as the browser's `Accept-Encoding` allows;
//! `scripts/compress-assets` writes the `.br` and `.gz` files at build time)
//! and cached as their names allow. Trunk puts a content hash in the name of
//! every asset, so an asset never changes under its name: it is cached for a
//! year, `immutable`. `index.html` (and every app path, which answers with it)
//! names the current assets, so it is revalidated on every visit (`no-cache`):
//! a repeat visit downloads nothing but `index.html`, and not even that when
//! it has not changed (304). A path naming a file that is not there (an old
//! asset, `/favicon.ico`) is a 404, never the index dressed as that file.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// The web app's files, with the app's index for every other path.
pub fn service(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let app_paths = axum::routing::any(move |request: Request| app_page(index.clone(), request));
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(app_paths);
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_control))
}

/// Every path of the app (`/api-keys`, `/roles`) answers with the index;
/// a missing file does not.
async fn app_page(index: ServeFile, request: Request) -> Response {
    if file_name_of(request.uri().path()).contains('.') {
        return StatusCode::NOT_FOUND.into_response();
    }
    match index.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

fn file_name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

async fn cache_control(request: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let ok = matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED);
    let value = if immutable && ok {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Whether the path names an asset file carrying Trunk's content hash: a
/// `.wasm`, `.js`, `.css` or `.svg` file with a run of 12 or more hex digits in its
/// name (`keydesk-web-1a2b…_bg.wasm`, `components-3c4d….css`; Trunk writes a
/// 64-bit hash without leading zeros, so usually 15 or 16 digits). App paths
/// have no such extension, so the index they answer with is never cached.
fn is_hashed_asset(path: &str) -> bool {
    let Some((stem, extension)) = file_name_of(path).rsplit_once('.') else {
        return false;
    };
    matches!(extension, "wasm" | "js" | "css" | "svg")
        && stem
            .split(['-', '_', '.'])
            .any(|part| part.len() >= 12 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_content_hash_count_as_immutable() {
        assert!(is_hashed_asset("/keydesk-web-8f3a1c2b9d0e4f5a_bg.wasm"));
        assert!(is_hashed_asset("/components-0123456789abcdef.css"));
        assert!(is_hashed_asset("/keydesk-web-f797d73cbc9c172.js"));
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/api-keys"));
        assert!(!is_hashed_asset("/roles/role_8f3a1c2b9d0e4f5a9"));
        assert!(!is_hashed_asset("/style.css"));
    }
}
