//! Who is on the other end of the connection: the peer address, or, when the
//! peer is a proxy the operator said to trust, the address it forwarded.
//! Throttling and the security log key on this.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::config::IpRange;
use crate::AppState;

/// The client's address, as far as this server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(client_addr(parts, &state.trusted_proxies))
    }
}

pub fn client_addr(parts: &Parts, trusted: &[IpRange]) -> ClientAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    ClientAddr(forwarded_client(peer, parts, trusted))
}

/// Walks `X-Forwarded-For` from the right (the hop nearest us) past trusted
/// proxies; the first address not trusted is the client. Anything a client
/// wrote further left is its own claim and is ignored. A hop that is not an
/// address (nor `ip:port`, `[v6]:port`) ends the walk at the trusted hop
/// that reported it: skipping it would let the client's own claim, further
/// left, stand in for its address.
fn forwarded_client(peer: IpAddr, parts: &Parts, trusted: &[IpRange]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or("?"))
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        let Some(hop) = parse_hop(hop) else {
            break;
        };
        client = hop;
        if !is_trusted(hop) {
            break;
        }
    }
    client
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        let (ip, port) = rest.split_once(']')?;
        if !(port.is_empty() || port.strip_prefix(':')?.parse::<u16>().is_ok()) {
            return None;
        }
        return ip.parse().ok();
    }
    let (ip, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_range;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut req = Request::builder().uri("/");
        if let Some(x) = xff {
            req = req.header("x-forwarded-for", x);
        }
        let mut req = req.body(()).unwrap();
        req.extensions_mut().insert(ConnectInfo::<SocketAddr>(
            format!("{peer}:4000").parse().unwrap(),
        ));
        req.into_parts().0
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy = [parse_range("10.0.0.0/8").unwrap()];
        let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
        // A client cannot claim an address by sending the header itself.
        assert_eq!(
            client_addr(&parts("203.0.113.9", Some("1.2.3.4")), &proxy).0,
            ip("203.0.113.9")
        );
        // Through the proxy: the hop the proxy saw, not what the client wrote before it.
        assert_eq!(
            client_addr(&parts("10.0.0.2", Some("1.2.3.4, 198.51.100.7")), &proxy).0,
            ip("198.51.100.7")
        );
        // Without trusted proxies the header is ignored.
        assert_eq!(
            client_addr(&parts("10.0.0.2", Some("1.2.3.4")), &[]).0,
            ip("10.0.0.2")
        );
    }

    #[test]
    fn hops_with_ports_are_read_and_an_unreadable_hop_ends_the_walk() {
        let proxy = [parse_range("10.0.0.0/8").unwrap()];
        let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
        let seen = |xff: &str| client_addr(&parts("10.0.0.2", Some(xff)), &proxy).0;
        assert_eq!(seen("198.51.100.7:4711"), ip("198.51.100.7"));
        assert_eq!(seen("[2001:db8::7]:4711"), ip("2001:db8::7"));
        assert_eq!(seen("2001:db8::7"), ip("2001:db8::7"));
        // The proxy reported something unreadable: the client's own claim to
        // its left must not be believed; the proxy's report stops the walk.
        assert_eq!(seen("1.2.3.4, unknown"), ip("10.0.0.2"));
        assert_eq!(seen("1.2.3.4, 198.51.100.7:99999"), ip("10.0.0.2"));
        assert_eq!(seen("1.2.3.4, [::1"), ip("10.0.0.2"));
        // Through two trusted proxies, the first untrusted hop is the client.
        assert_eq!(seen("1.2.3.4, 203.0.113.5, 10.0.0.9"), ip("203.0.113.5"));
    }
}
