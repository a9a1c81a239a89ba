//! Timestamps as fixed-width RFC 3339 UTC text (`2026-11-26T05:44:46.123456Z`):
//! what the API sends, and what the database stores, so that text order is time order.
//! There is no "now" here: every now comes from the injectable clock.

use time::{format_description::FormatItem, macros::format_description, OffsetDateTime};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .expect("a UTC time always formats")
}

/// Parses stored text back into a time.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(text, FORMAT)
        .ok()
        .map(|t| t.assume_utc())
}

/// Parses a time a client wrote: any RFC 3339 form (`2026-11-30T12:00:00Z`,
/// with an offset or fractions), not only the stored one.
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .or_else(|| parse(text.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_may_write_any_rfc_3339_form() {
        let noon = OffsetDateTime::from_unix_timestamp(1_796_040_000).unwrap();
        for text in [
            "2026-11-30T12:00:00Z",
            "2026-11-30T13:00:00+01:00",
            "2026-11-30T12:00:00.000000Z",
        ] {
            assert_eq!(parse_rfc3339(text), Some(noon), "{text}");
        }
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn text_order_is_time_order() {
        let a = format(OffsetDateTime::from_unix_timestamp(9).unwrap());
        let b = format(OffsetDateTime::from_unix_timestamp(10).unwrap());
        assert!(a < b, "{a} {b}");
        assert_eq!(a, "1970-01-01T00:00:09.000000Z");
        assert_eq!(
            parse(&a),
            Some(OffsetDateTime::from_unix_timestamp(9).unwrap())
        );
        assert_eq!(parse("9999"), None);
    }
}
