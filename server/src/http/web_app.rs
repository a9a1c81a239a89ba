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
//! `/sign-in` answers with `sign-in.html` when the build wrote one: the
//! index with the sign-in form already in it, usable before the wasm
//! arrives (scripts/finish-page).

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

/// The page the build wrote for `/sign-in`, with its form in it.
pub const SIGN_IN_PAGE: &str = "sign-in.html";

/// The web app's files, with the app's index for every other path.
pub fn service(dist: &Path) -> Router {
    let page = |name: &str| {
        ServeFile::new(dist.join(name))
            .precompressed_br()
            .precompressed_gzip()
    };
    let index = page("index.html");
    let sign_in = if dist.join(SIGN_IN_PAGE).is_file() {
        page(SIGN_IN_PAGE)
    } else {
        index.clone()
    };
    let app_paths = axum::routing::any(move |request: Request| {
        let page = if request.uri().path() == "/sign-in" {
            sign_in.clone()
        } else {
            index.clone()
        };
        app_page(page, request)
    });
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

/// Whether the path names an asset file carrying a content hash: a `.wasm`,
/// `.js`, `.css` or `.svg` file with a run of 12 or more hex digits in its
/// name (`components-3c4d….css`; Trunk writes a 64-bit hash without leading
/// zeros, so usually 15 or 16 digits) or in its folder's (the wasm's parts
/// import each other by plain name, so scripts/build-wasm names their
/// folder by their hash: `app-1a2b…/keydesk-web_bg.wasm`). App paths have no
/// such extension, so the index they answer with is never cached.
fn is_hashed_asset(path: &str) -> bool {
    let Some((_, extension)) = file_name_of(path).rsplit_once('.') else {
        return false;
    };
    let hashed = |part: &str| part.len() >= 12 && part.bytes().all(|b| b.is_ascii_hexdigit());
    matches!(extension, "wasm" | "js" | "css" | "svg")
        && path
            .trim_start_matches('/')
            .split(['/', '-', '_', '.'])
            .any(hashed)
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
        assert!(is_hashed_asset(
            "/app-86e982fa856e4f31/split_signed_in.wasm"
        ));
        assert!(is_hashed_asset("/app-86e982fa856e4f31/__wasm_split.js"));
        assert!(!is_hashed_asset("/app/keydesk-web.js"));
        assert!(!is_hashed_asset("/app-86e982fa856e4f31/"));
    }
}
