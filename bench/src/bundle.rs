//! What a visit downloads: the release build's files, raw and as the server
//! sends them (the brotli and gzip copies the build wrote). The first
//! screen (the sign-in page until the app has taken its form over) apart
//! from the whole app, which is compared with the same app built unsplit.

use std::path::{Path, PathBuf};

use crate::table::{Row, Target};

/// Bytes raw / gzip / brotli.
#[derive(Default, Clone, Copy)]
struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

impl Sizes {
    fn of(path: &Path) -> Sizes {
        let size = |suffix: &str| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(Path::new(&p)).map_or(0, |m| m.len())
        };
        Sizes {
            raw: size(""),
            gzip: size(".gz"),
            brotli: size(".br"),
        }
    }

    fn add(self, other: Sizes) -> Sizes {
        Sizes {
            raw: self.raw + other.raw,
            gzip: self.gzip + other.gzip,
            brotli: self.brotli + other.brotli,
        }
    }
}

fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// The build's files (the wasm's parts are in a folder of their own).
fn files(dist: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dist.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the release build exists") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("html" | "css" | "js" | "wasm")
            ) {
                found.push(path);
            }
        }
    }
    found
}

fn name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

/// Everything a visit can download: every page's first document is
/// `index.html` (or `sign-in.html` in its place, not counted twice).
fn whole_app(dist: &Path) -> Sizes {
    files(dist)
        .iter()
        .filter(|f| name(f) != "sign-in.html")
        .fold(Sizes::default(), |sum, f| sum.add(Sizes::of(f)))
}

pub fn measure(dist: &Path, unsplit: &Path) -> Vec<Row> {
    let all = files(dist);
    let sum = |keep: &dyn Fn(&str) -> bool| {
        all.iter()
            .filter(|f| keep(name(f)))
            .fold(Sizes::default(), |sum, f| sum.add(Sizes::of(f)))
    };
    let usable = sum(&|n| n == "sign-in.html" || n.ends_with(".css"));
    let first = sum(&|n| {
        matches!(
            n,
            "sign-in.html" | "keydesk-web.js" | "__wasm_split.js" | "keydesk-web_bg.wasm"
        ) || n.ends_with(".css")
    });
    let signed_in = sum(&|n| n.starts_with("split_signed_in") || n.starts_with("chunk_"));
    let whole = whole_app(dist);
    let before = whole_app(unsplit);
    let row = |what: String, figure: f64, floor: Option<f64>, target: Target| Row {
        what,
        figure,
        floor,
        unit: "KB",
        target,
    };
    vec![
        row(
            format!(
                "first screen usable: the sign-in page and its CSS, brotli (gzip {:.1} KB)",
                kb(usable.gzip)
            ),
            kb(usable.brotli),
            None,
            Target::None,
        ),
        row(
            format!(
                "first screen, the app's main part with it, brotli (gzip {:.1} KB, raw {:.1} KB)",
                kb(first.gzip),
                kb(first.raw)
            ),
            kb(first.brotli),
            None,
            Target::AtMost(150.0),
        ),
        row(
            format!(
                "the signed-in part, brotli (gzip {:.1} KB)",
                kb(signed_in.gzip)
            ),
            kb(signed_in.brotli),
            None,
            Target::None,
        ),
        row(
            format!(
                "whole app, brotli (floor: the same app unsplit; gzip {:.1} KB against {:.1} KB)",
                kb(whole.gzip),
                kb(before.gzip)
            ),
            kb(whole.brotli),
            Some(kb(before.brotli)),
            Target::RatioAtMost(1.10),
        ),
    ]
}

/// Prints each crate's share of the code of the wasm's main part (what the
/// sign-in screen needs) and of the signed-in part, largest first.
pub fn print_costs(repo: &Path) {
    let parts = repo.join("target/web-app/wasm-release/unoptimized");
    for (part, file) in [
        ("the main part", "keydesk-web_bg.wasm"),
        ("the signed-in part", "split_signed_in.wasm"),
    ] {
        let wasm = parts.join(file);
        let Some((costs, total)) = crate::wasm_costs::by_crate(&wasm) else {
            eprintln!("(no {} to break down)", wasm.display());
            continue;
        };
        println!(
            "\nWhat each crate costs of {part}: its share of the function bodies (before wasm-opt, {:.1} KB)",
            total as f64 / 1024.0
        );
        for (name, bytes) in costs.iter().take(15) {
            println!(
                "{:>6.1}%  {:>8.1} KB  {name}",
                100.0 * *bytes as f64 / total as f64,
                *bytes as f64 / 1024.0
            );
        }
    }
}
