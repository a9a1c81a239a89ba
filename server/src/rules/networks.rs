//! Allowed networks per key: IPv4 and IPv6 ranges a key may be used from,
//! enforced (a call from elsewhere answers 403 `network_refused`) or only
//! reported. Checked in the key check itself, against a list parsed once
//! and remembered with the key.

use std::net::IpAddr;

use ipnet::IpNet;

/// At most this many ranges per key.
pub const MAX_NETWORKS: usize = 1000;

/// A key's allowed networks, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyNetworks {
    pub nets: Vec<IpNet>,
    /// Refuse calls from elsewhere (else only report them).
    pub enforce: bool,
}

impl KeyNetworks {
    /// From the stored JSON list and mode; none when the list is empty
    /// (the key may be used from anywhere).
    pub fn from_stored(list: Option<&str>, mode: &str) -> Option<KeyNetworks> {
        let nets: Vec<IpNet> = serde_json::from_str::<Vec<String>>(list?)
            .ok()?
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        (!nets.is_empty()).then(|| KeyNetworks {
            nets,
            enforce: mode != "report",
        })
    }

    /// Whether a call from `ip` is inside (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.nets.iter().any(|n| n.contains(&ip))
    }
}

/// The ranges as written, checked and in canonical form (`10.1.2.3/8` →
/// `10.0.0.0/8`, a bare address → `/32` or `/128`), each once; or a message
/// naming the first that is not a range.
pub fn canonical(list: &[String]) -> Result<Vec<String>, String> {
    if list.len() > MAX_NETWORKS {
        return Err(format!("At most {MAX_NETWORKS} networks."));
    }
    let mut out: Vec<String> = Vec::new();
    for written in list {
        let text = written.trim();
        let net: IpNet = match text.parse::<IpNet>() {
            Ok(net) => net.trunc(),
            Err(_) => match text.parse::<IpAddr>() {
                Ok(ip) => IpNet::from(ip),
                Err(_) => {
                    return Err(format!(
                        "\u{201c}{text}\u{201d} is not an IPv4 or IPv6 network, e.g. 203.0.113.0/24 or 2001:db8::/32."
                    ))
                }
            },
        };
        let text = net.to_string();
        if !out.contains(&text) {
            out.push(text);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_made_canonical_and_matched_in_both_families() {
        let list = canonical(&[
            "10.1.2.3/8".into(),
            "203.0.113.7".into(),
            "2001:db8::1/32".into(),
            "10.0.0.0/8".into(),
        ])
        .unwrap();
        assert_eq!(list, ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32"]);
        assert!(canonical(&["10.0.0.0/33".into()]).is_err());
        assert!(canonical(&["office".into()])
            .unwrap_err()
            .contains("office"));
        let nets =
            KeyNetworks::from_stored(Some(&serde_json::to_string(&list).unwrap()), "enforce")
                .unwrap();
        for inside in [
            "10.200.1.1",
            "203.0.113.7",
            "2001:db8:ffff::9",
            "::ffff:10.0.0.1",
        ] {
            assert!(nets.allows(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["11.0.0.1", "203.0.113.8", "2001:db9::1"] {
            assert!(!nets.allows(outside.parse().unwrap()), "{outside}");
        }
        assert_eq!(KeyNetworks::from_stored(Some("[]"), "enforce"), None);
        assert_eq!(KeyNetworks::from_stored(None, "enforce"), None);
    }
}
