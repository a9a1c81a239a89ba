//! What each crate costs in the web app's wasm: the size of every function
//! body, attributed by the function's name (the name section of the wasm
//! Cargo built, before wasm-bindgen and wasm-opt strip names and shrink it,
//! so the shares count, not the absolute sizes). Read with a small reader of
//! the wasm binary format: sections, imports, code bodies, function names.

use std::collections::BTreeMap;
use std::path::Path;

/// Crates by bytes of function bodies, largest first, and the total.
pub fn by_crate(wasm: &Path) -> Option<(Vec<(String, u64)>, u64)> {
    let bytes = std::fs::read(wasm).ok()?;
    let module = read(&bytes)?;
    let mut costs: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = 0;
    for (i, size) in module.bodies.iter().enumerate() {
        let index = module.imported_functions + i as u32;
        let name = module
            .names
            .get(&index)
            .map_or_else(|| "(unnamed)".to_string(), |n| demangle(n));
        *costs.entry(crate_of(&name)).or_default() += *size;
        total += size;
    }
    let mut list: Vec<(String, u64)> = costs.into_iter().collect();
    list.sort_by_key(|c| std::cmp::Reverse(c.1));
    Some((list, total))
}

/// Rust's legacy symbol mangling undone: `_ZN` then length-prefixed path
/// segments, with `$LT$`-style escapes for the characters symbols cannot hold.
/// A v0 symbol (`_R`, what the release build's opt-in to unstable options
/// makes rustc emit) becomes the crates it names, in order, which is all
/// `crate_of` needs; the splitter's entry into a part is keydesk's code.
fn demangle(symbol: &str) -> String {
    if let Some(v0) = symbol.strip_prefix("_R") {
        return v0_crates(v0).join("::");
    }
    if symbol.starts_with("__wasm_split_") {
        return "keydesk_web::(a part's entry)".to_string();
    }
    let Some(mut rest) = symbol.strip_prefix("_ZN") else {
        return symbol.to_string();
    };
    let mut segments = Vec::new();
    loop {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let Ok(length) = rest[..digits].parse::<usize>() else {
            break;
        };
        let Some(segment) = rest.get(digits..digits + length) else {
            break;
        };
        // A segment starting with an escape gets a `_` in front of it.
        segments.push(
            segment
                .strip_prefix('_')
                .filter(|s| s.starts_with('$'))
                .unwrap_or(segment),
        );
        rest = &rest[digits + length..];
    }
    let mut path = segments.join("::");
    for (escape, text) in [
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$u20$", " "),
        ("$RF$", "&"),
        ("$BP$", "*"),
        ("$C$", ","),
        ("$u7b$", "{"),
        ("$u7d$", "}"),
        ("..", "::"),
    ] {
        path = path.replace(escape, text);
    }
    path
}

/// The crates a v0 symbol names, in order: each crate root is `C`, an
/// optional disambiguator (`s`, base-62 digits, `_`), then the crate's name
/// with its length in front. Other identifiers are skipped whole by their
/// length, so a `C` inside one is never taken for a crate root.
fn v0_crates(symbol: &str) -> Vec<&str> {
    let bytes = symbol.as_bytes();
    let mut crates = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let root = bytes[i] == b'C';
        let mut j = i + 1;
        if root && bytes.get(j) == Some(&b's') {
            while j < bytes.len() && bytes[j] != b'_' {
                j += 1;
            }
            j += 1;
        }
        let at = if root { j } else { i };
        let digits = bytes[at.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            i += 1;
            continue;
        }
        let length: usize = symbol[at..at + digits].parse().unwrap_or(0);
        let mut start = at + digits;
        if bytes.get(start) == Some(&b'_') {
            start += 1;
        }
        let Some(identifier) = symbol.get(start..start + length) else {
            break;
        };
        if root {
            crates.push(identifier);
        }
        i = start + length;
    }
    crates
}

/// The crate a (demangled) function name belongs to: the first path segment,
/// looking through `<impl … for …>` and reference sigils, and inside the
/// standard library's generic wrappers to the crate that instantiated them.
fn crate_of(name: &str) -> String {
    let segments: Vec<&str> = name
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|s| !s.is_empty() && *s != "impl" && *s != "dyn" && *s != "mut" && *s != "as")
        .collect();
    let first = segments.first().copied().unwrap_or("(unnamed)");
    // `<T as …>` in legacy names, `<_ as …>` in v0 ones: a blanket impl.
    let generic = first == "_" || first.starts_with(|c: char| c.is_ascii_uppercase());
    if generic || matches!(first, "core" | "alloc" | "std") {
        // Generic library code is paid for by whoever instantiates it.
        if let Some(owner) = segments
            .iter()
            .find(|s| s.starts_with("keydesk_") || is_dependency(s))
        {
            return owner.to_string();
        }
    }
    first.to_string()
}

fn is_dependency(segment: &str) -> bool {
    matches!(
        segment,
        "leptos"
            | "leptos_router"
            | "tachys"
            | "reactive_graph"
            | "serde"
            | "serde_core"
            | "serde_json"
            | "gloo_net"
            | "web_sys"
            | "js_sys"
            | "wasm_bindgen"
            | "wasm_bindgen_futures"
            | "either_of"
            | "futures_util"
            | "send_wrapper"
    )
}

struct Module {
    imported_functions: u32,
    bodies: Vec<u64>,
    names: BTreeMap<u32, String>,
}

fn read(bytes: &[u8]) -> Option<Module> {
    let mut r = Reader { bytes, at: 8 };
    let mut module = Module {
        imported_functions: 0,
        bodies: Vec::new(),
        names: BTreeMap::new(),
    };
    while r.at < bytes.len() {
        let id = r.byte()?;
        let size = r.leb()? as usize;
        let end = r.at + size;
        let mut s = Reader {
            bytes: &bytes[..end],
            at: r.at,
        };
        match id {
            2 => module.imported_functions = imported_functions(&mut s)?,
            10 => {
                for _ in 0..s.leb()? {
                    let body = s.leb()?;
                    module.bodies.push(body);
                    s.at += body as usize;
                }
            }
            0 if s.name()? == "name" => {
                while s.at < end {
                    let kind = s.byte()?;
                    let length = s.leb()? as usize;
                    let next = s.at + length;
                    if kind == 1 {
                        for _ in 0..s.leb()? {
                            let index = s.leb()? as u32;
                            module.names.insert(index, s.name()?.to_string());
                        }
                    }
                    s.at = next;
                }
            }
            _ => {}
        }
        r.at = end;
    }
    Some(module)
}

fn imported_functions(s: &mut Reader) -> Option<u32> {
    let mut functions = 0;
    for _ in 0..s.leb()? {
        s.name()?;
        s.name()?;
        match s.byte()? {
            0 => {
                s.leb()?;
                functions += 1;
            }
            1 => {
                s.byte()?;
                s.limits()?;
            }
            2 => s.limits()?,
            3 => {
                s.byte()?;
                s.byte()?;
            }
            4 => {
                s.byte()?;
                s.leb()?;
            }
            _ => return None,
        }
    }
    Some(functions)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn leb(&mut self) -> Option<u64> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
        }
    }

    fn name(&mut self) -> Option<&str> {
        let length = self.leb()? as usize;
        let text = self.bytes.get(self.at..self.at + length)?;
        self.at += length;
        std::str::from_utf8(text).ok()
    }

    fn limits(&mut self) -> Option<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn names_are_attributed_to_the_crate_that_pays_for_them() {
        assert_eq!(crate_of("tachys::view::Render::build::h12"), "tachys");
        assert_eq!(
            crate_of("<alloc::sync::Arc<dyn core::ops::Fn> as leptos::children::ToChildren<F>>::to_children"),
            "leptos"
        );
        assert_eq!(
            crate_of("<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::deserialize_seq"),
            "serde_json"
        );
        assert_eq!(crate_of("keydesk_web::main::h58"), "keydesk_web");
        assert_eq!(crate_of("<T as tachys::view::Render>::build"), "tachys");
        assert_eq!(
            crate_of("<_ as tachys[d27ac3e9ad0a6ba0]::view::any_view::IntoAny>::into_any::build"),
            "tachys"
        );
    }

    #[test]
    fn legacy_symbols_are_demangled() {
        assert_eq!(
            super::demangle("_ZN6tachys4view6Render5build17h0123456789abcdefE"),
            "tachys::view::Render::build::h0123456789abcdef"
        );
        assert_eq!(
            super::crate_of(&super::demangle(
                "_ZN79_$LT$alloc..sync..Arc$LT$F$GT$$u20$as$u20$leptos..children..ToChildren$GT$4callE"
            )),
            "leptos"
        );
    }

    #[test]
    fn v0_symbols_are_attributed_by_the_crates_they_name() {
        // keydesk's settings page, and a framework future instantiated for a
        // keydesk closure, as rustc mangled them in the release build.
        let page = "_RNvNtNtCsgbZqwDVbc2i_11keydesk_web5pages8settings25___component_settings_page";
        assert_eq!(super::crate_of(&super::demangle(page)), "keydesk_web");
        let future = "_RNSNvXNtCsbtjJpwv7hCQ_12send_wrapper7futuresINtB6_11SendWrapperINtNtNtCsddEccafAVVB_14reactive_graph8computed13async_derivedEE";
        assert_eq!(super::demangle(future), "send_wrapper::reactive_graph");
        // The standard library's generic code is paid for by its instantiator.
        let map =
            "_RINvMNtCs1_5alloc3vecINtB2_3VecNtNtCs2_16keydesk_contract5types6ApiKeyE4pushB1g_";
        assert_eq!(super::crate_of(&super::demangle(map)), "keydesk_contract");
    }

    #[test]
    #[ignore = "reads the release build's wasm parts; run by hand"]
    fn print_the_breakdown_of_the_last_release_build() {
        crate::bundle::print_costs(&keydesk_e2e::repo_root());
    }
}
