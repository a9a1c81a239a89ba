//! Builds the release web app with Trunk, once per test run, into a folder of
//! its own so a developer's `dist/` is left alone.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::repo_root;

static DIST: OnceLock<PathBuf> = OnceLock::new();

/// The folder holding the release build (built on first use).
pub fn release_app() -> PathBuf {
    DIST.get_or_init(|| build("e2e-dist", false)).clone()
}

/// The same app as one wasm, unsplit (scripts/bench compares the two).
pub fn release_app_unsplit() -> PathBuf {
    build("bench-unsplit-dist", true)
}

fn build(folder: &str, unsplit: bool) -> PathBuf {
    let root = repo_root();
    let dist = root.join("target").join(folder);
    // wasm-opt from tools/ (binaryen 132): Debian's is too old.
    let path = format!(
        "{}:{}",
        root.join("tools/node_modules/.bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut trunk = Command::new("trunk");
    trunk
        .args(["build", "--release", "--dist"])
        .arg(&dist)
        .current_dir(&root)
        .env("PATH", path)
        // Inside `cargo test`, cargo sets variables meant for the test
        // crate; trunk's own cargo run must not inherit them.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MANIFEST_DIR");
    if unsplit {
        trunk.env("KEYDESK_UNSPLIT", "1");
    }
    let status = trunk.status().expect("trunk is installed by scripts/setup");
    assert!(status.success(), "trunk build --release failed");
    assert!(dist.join("index.html").is_file());
    dist
}
