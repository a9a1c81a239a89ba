//! Where keydesk may send events: only public addresses, checked on the
//! address a name resolves to at delivery time (so a name that resolves to
//! 127.0.0.1, or is rebound to it later, cannot reach inside), over HTTPS,
//! unless the operator allows private destinations
//! (`--allow-private-destinations`, for a receiver on the same network).
//!
//! The groundwork of event destinations (#22).

use std::net::{IpAddr, SocketAddr};

/// Why a destination is refused, in words for the `url` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// Whether `ip` is loopback, private, link-local, shared (CGNAT),
/// unspecified, multicast or otherwise not a public unicast address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || a == 0
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
        }
    }
}

/// The addresses `url` may be delivered to now: its host resolved, every
/// address public (unless `allow_private`), HTTPS (unless `allow_private`).
pub async fn resolve(url: &str, allow_private: bool) -> Result<Vec<SocketAddr>, Refused> {
    let parsed = reqwest::Url::parse(url).map_err(|_| Refused("Not a URL.".into()))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(Refused("Events go to https:// URLs only.".into())),
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| Refused("The URL has no host.".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| Refused(format!("{host} does not resolve.")))?
            .collect(),
    };
    if addresses.is_empty() {
        return Err(Refused(format!("{host} does not resolve.")));
    }
    if !allow_private {
        if let Some(inside) = addresses.iter().find(|a| is_internal(a.ip())) {
            return Err(Refused(format!(
                "{host} is a loopback, private or link-local address ({}): keydesk does not send events inside its network.",
                inside.ip()
            )));
        }
    }
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised_in_both_families() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(is_internal(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(!is_internal(outside.parse().unwrap()), "{outside}");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_inside_a_private_literal_and_plain_http_are_refused() {
        for url in [
            "https://localhost/hook",
            "https://127.0.0.1/hook",
            "https://[::1]:8443/hook",
            "https://169.254.169.254/latest/meta-data",
            "http://93.184.216.34/hook",
        ] {
            assert!(resolve(url, false).await.is_err(), "{url}");
        }
        assert!(resolve("https://93.184.216.34/hook", false).await.is_ok());
        assert!(
            resolve("http://127.0.0.1:9/hook", true).await.is_ok(),
            "the operator allowed it"
        );
    }
}
