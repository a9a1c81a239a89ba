//! What a first visit downloads: the release build's HTML, CSS, JS and wasm,
//! raw and as the server sends them (the brotli and gzip copies the build wrote).

use std::path::Path;

use crate::table::{Row, Target};

/// Bytes of each kind of file, raw / gzip / brotli.
#[derive(Default, Clone, Copy)]
struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

pub fn measure(dist: &Path) -> Vec<Row> {
    let mut by_kind: Vec<(&str, Sizes)> = ["html", "css", "js", "wasm"]
        .iter()
        .map(|k| (*k, Sizes::default()))
        .collect();
    for entry in std::fs::read_dir(dist).expect("the release build exists") {
        let path = entry.unwrap().path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let Some((_, sizes)) = by_kind.iter_mut().find(|(k, _)| *k == ext) else {
            continue;
        };
        let with = |suffix: &str| {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            size(Path::new(&p))
        };
        sizes.raw += size(&path);
        sizes.gzip += with(".gz");
        sizes.brotli += with(".br");
    }
    let kb = |b: u64| b as f64 / 1024.0;
    let mut rows = Vec::new();
    let mut total = Sizes::default();
    for (kind, s) in &by_kind {
        total.raw += s.raw;
        total.gzip += s.gzip;
        total.brotli += s.brotli;
        rows.push(Row {
            what: format!(
                "bundle {kind}, gzip (raw {:.1} KB, brotli {:.1} KB)",
                kb(s.raw),
                kb(s.brotli)
            ),
            figure: kb(s.gzip),
            floor: None,
            unit: "KB",
            target: Target::None,
        });
    }
    rows.push(Row {
        what: format!(
            "bundle all, gzip (raw {:.1} KB, brotli {:.1} KB)",
            kb(total.raw),
            kb(total.brotli)
        ),
        figure: kb(total.gzip),
        floor: None,
        unit: "KB",
        target: Target::AtMost(150.0),
    });
    rows
}

/// Prints each crate's share of the wasm's code, largest first.
pub fn print_costs(repo: &Path) {
    let wasm = repo.join("target/wasm32-unknown-unknown/wasm-release/keydesk-web.wasm");
    let Some((costs, total)) = crate::wasm_costs::by_crate(&wasm) else {
        eprintln!("(no {} to break down)", wasm.display());
        return;
    };
    println!("\nWhat each crate costs: its share of the wasm's function bodies (before wasm-opt)");
    for (name, bytes) in costs.iter().take(15) {
        println!(
            "{:>6.1}%  {:>8.1} KB  {name}",
            100.0 * *bytes as f64 / total as f64,
            *bytes as f64 / 1024.0
        );
    }
}
