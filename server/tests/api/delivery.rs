//! How the built web app is delivered: precompressed as the browser accepts,
//! hashed assets cached for a year, the index revalidated on every visit.

use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, IF_MODIFIED_SINCE, LAST_MODIFIED,
};
use reqwest::StatusCode;

use crate::harness::TestServer;

const WASM: &str = "keydesk-web-0123456789abcdef_bg.wasm";

#[tokio::test]
async fn assets_go_out_precompressed_and_hashed_ones_are_cached_for_good() {
    let server = TestServer::start_with(
        |config| {
            // Stand-ins for what the release build writes: a file and its two compressed copies.
            let d = &config.dist;
            std::fs::write(d.join(WASM), b"plain wasm bytes").unwrap();
            std::fs::write(d.join(format!("{WASM}.br")), b"brotli bytes").unwrap();
            std::fs::write(d.join(format!("{WASM}.gz")), b"gzip bytes").unwrap();
        },
        None,
    )
    .await;
    // Without reqwest's decompression features: bodies arrive as sent.
    let http = reqwest::Client::new();
    let fetch = |path: String, accept: Option<&'static str>| {
        let mut req = http.get(format!("{}{path}", server.base));
        if let Some(a) = accept {
            req = req.header(ACCEPT_ENCODING, a);
        }
        req.send()
    };
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (None, None, "plain wasm bytes"),
    ] {
        let res = fetch(format!("/{WASM}"), accept).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()
                .get(CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(
            res.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(res.text().await.unwrap(), body);
    }

    // The index, and every app path answering with it, is revalidated; unchanged, it is a 304.
    for path in ["/", "/api-keys", "/roles"] {
        let res = fetch(path.to_string(), Some("br")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache", "{path}");
        let modified = res.headers()[LAST_MODIFIED].clone();
        let again = http
            .get(format!("{}{path}", server.base))
            .header(IF_MODIFIED_SINCE, modified)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    // A file that is not there is a 404, not the index under its name.
    for path in ["/favicon.ico", "/keydesk-web-00000000000000ff_bg.wasm"] {
        let res = fetch(path.to_string(), None).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // API answers are never cached.
    let res = fetch("/api/v1/permissions".into(), None).await.unwrap();
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
}

/// `/sign-in` answers with the page the build wrote with the form in it
/// (usable before the wasm arrives), whose own script the CSP allows by its
/// hash; every other app path still answers with the index.
#[tokio::test]
async fn the_sign_in_page_comes_with_its_form_and_its_script_is_allowed() {
    let script = "document.querySelector('form').dataset.held = 'yes';";
    let server = TestServer::start_with(
        |config| {
            let page = format!(
                "<!doctype html><title>keydesk</title><body><form data-first-screen></form><script>{script}</script></body>"
            );
            std::fs::write(config.dist.join("sign-in.html"), &page).unwrap();
            std::fs::write(config.dist.join("sign-in.html.br"), b"brotli sign-in").unwrap();
        },
        None,
    )
    .await;
    let http = reqwest::Client::new();
    for path in ["/sign-in", "/sign-in?next=%2Froles"] {
        let res = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache", "{path}");
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let body = res.text().await.unwrap();
        assert!(body.contains("data-first-screen"), "{path}: {body}");
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    }
    let res = http
        .get(format!("{}/sign-in", server.base))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[CONTENT_ENCODING], "br");
    assert_eq!(res.text().await.unwrap(), "brotli sign-in");
    for path in ["/", "/api-keys", "/sign-up"] {
        let body = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!body.contains("data-first-screen"), "{path}: {body}");
    }
}
