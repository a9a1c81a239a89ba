//! Times as people read them: "3 minutes ago", with the exact local time on hover.

/// Milliseconds since the epoch of an RFC 3339 time, if it parses.
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// "just now", "5 minutes ago", "in 3 days" for `then` relative to `now`.
pub fn relative(then_ms: f64, now_ms: f64) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).round() as i64;
    let (future, s) = (seconds < 0, seconds.unsigned_abs());
    if s < 45 {
        return "just now".into();
    }
    let (n, unit) = match s {
        s if s < 3_600 => ((s + 30) / 60, "minute"),
        s if s < 86_400 => ((s + 1_800) / 3_600, "hour"),
        s if s < 30 * 86_400 => ((s + 43_200) / 86_400, "day"),
        s if s < 365 * 86_400 => ((s + 15 * 86_400) / (30 * 86_400), "month"),
        s => ((s + 182 * 86_400) / (365 * 86_400), "year"),
    };
    let n = n.max(1);
    let plural = if n == 1 { "" } else { "s" };
    if future {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
}

/// The exact time in the reader's locale and time zone.
pub fn exact(rfc3339: &str) -> String {
    match parse_ms(rfc3339) {
        Some(ms) => String::from(
            js_sys::Date::new(&ms.into()).to_locale_string("default", &js_sys::Object::new()),
        ),
        None => rfc3339.to_string(),
    }
}

/// The relative form of an RFC 3339 time, now.
pub fn ago(rfc3339: &str) -> String {
    parse_ms(rfc3339)
        .map(|t| relative(t, now_ms()))
        .unwrap_or_else(|| rfc3339.to_string())
}
