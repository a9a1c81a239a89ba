//! Operator settings (docs/operations.md): each a flag with an
//! environment fallback; the defaults give the embedded set-up.

use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "keydesk-server",
    version,
    about = "keydesk: API-key console and JSON API"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "KEYDESK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Database URL: `sqlite://FILE` (created if missing), or
    /// `postgres://USER:PASSWORD@HOST:PORT/DB`, which any number of replicas
    /// may share (docs/deploy.md). Prefer the environment variable for a
    /// URL with a password: flags are visible in the process list.
    #[arg(
        long,
        env = "KEYDESK_DATABASE_URL",
        default_value = "sqlite://keydesk.db"
    )]
    pub database_url: String,

    /// Folder holding the built web app (`trunk build --release` output).
    #[arg(long, env = "KEYDESK_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Serve the session cookie without `Secure` and the `__Host-` prefix.
    /// Only for plain HTTP on an address other than localhost / 127.0.0.1
    /// (browsers treat those as secure already); logs a warning at start.
    #[arg(long, env = "KEYDESK_INSECURE_COOKIES", default_value_t = false)]
    pub insecure_cookies: bool,

    /// Proxies (IP addresses or CIDR ranges, comma-separated) whose
    /// `X-Forwarded-For` is believed for the client address. Empty: the
    /// peer address is the client address.
    #[arg(long, env = "KEYDESK_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_range)]
    pub trusted_proxies: Vec<IpRange>,

    /// The address people reach keydesk at, e.g. `https://keys.example.com`:
    /// invitation links are built from it, never from a request's headers.
    /// Default: `http://localhost:<port>` when listening on a loopback
    /// address, else `http://<listen address>`.
    #[arg(long, env = "KEYDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The server's secret key: 64 hex characters (32 bytes). It keys the
    /// sign-in throttle's digests and signs known-device cookies. Default on
    /// SQLite: generated once into a file beside the database (0600). On
    /// PostgreSQL it must be set, the same on every replica.
    #[arg(long, env = "KEYDESK_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<crate::server_key::KeyText>,

    /// Let event destinations be plain `http://` URLs on loopback, private
    /// or link-local addresses (a receiver on the same network). Off: only
    /// HTTPS to public addresses, checked on every delivery.
    #[arg(
        long,
        env = "KEYDESK_ALLOW_PRIVATE_DESTINATIONS",
        default_value_t = false
    )]
    pub allow_private_destinations: bool,

    /// An SMTP server to mail people holding `service-accounts.update` about
    /// keys expiring, reported leaked, or decoys used: `smtps://user:pass@host`
    /// (TLS), `smtp://user:pass@host:587?tls=required` (STARTTLS), or plain
    /// `smtp://host:25` for a relay on the same host. Unset: no mail.
    #[arg(
        long,
        env = "KEYDESK_SMTP_URL",
        hide_env_values = true,
        requires = "mail_from"
    )]
    pub smtp_url: Option<String>,

    /// The sender of keydesk's mail, e.g. `keydesk <keydesk@acme.io>`.
    #[arg(long, env = "KEYDESK_MAIL_FROM", requires = "smtp_url")]
    pub mail_from: Option<String>,

    /// Events are kept this many days, with their deliveries, then deleted;
    /// a replay reaches back as far.
    #[arg(
        long,
        env = "KEYDESK_EVENTS_KEPT_DAYS",
        default_value_t = crate::events::retention::KEPT_DAYS,
        value_parser = clap::value_parser!(u32).range(1..=3650)
    )]
    pub events_kept_days: u32,

    /// At most this many connections are served at once; more wait to be accepted.
    #[arg(long, env = "KEYDESK_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,

    /// A new connection must send its first request (the whole header block,
    /// or HTTP/2's preface and first headers) within this (tests shorten it).
    #[arg(skip = crate::serve::FIRST_REQUEST_TIMEOUT)]
    pub first_request_timeout: std::time::Duration,

    /// How often counted key usage is written (tests lengthen it).
    #[arg(skip = crate::usage::FLUSH_EVERY)]
    pub usage_flush_every: std::time::Duration,

    /// How often keys crossing an expiry threshold are looked for (tests shorten it).
    #[arg(skip = crate::events::expiring::CHECK_EVERY)]
    pub expiry_check_every: std::time::Duration,

    /// How often events older than `events_kept_days` are deleted (tests shorten it).
    #[arg(skip = crate::events::retention::SWEEP_EVERY)]
    pub events_sweep_every: std::time::Duration,

    /// Passkey sign-ins begun and not yet answered, at most (anyone may
    /// begin one; each is a row until answered or expired; tests lower it).
    #[arg(skip = crate::auth::passkeys::LIVE_SIGN_INS)]
    pub live_passkey_sign_ins: u32,
}

impl Config {
    /// Settings for a server on a free local port with this database (used by tests).
    pub fn local(database_url: impl Into<String>, dist: impl Into<PathBuf>) -> Self {
        Config {
            listen: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            dist: dist.into(),
            insecure_cookies: false,
            trusted_proxies: Vec::new(),
            public_url: None,
            secret_key: None,
            allow_private_destinations: false,
            smtp_url: None,
            mail_from: None,
            events_kept_days: crate::events::retention::KEPT_DAYS,
            max_connections: 4096,
            first_request_timeout: crate::serve::FIRST_REQUEST_TIMEOUT,
            usage_flush_every: crate::usage::FLUSH_EVERY,
            expiry_check_every: crate::events::expiring::CHECK_EVERY,
            events_sweep_every: crate::events::retention::SWEEP_EVERY,
            live_passkey_sign_ins: crate::auth::passkeys::LIVE_SIGN_INS,
        }
    }

    /// Where people reach keydesk, without a trailing slash: `--public-url`,
    /// else derived from the address actually bound (`bound`).
    pub fn public_url(&self, bound: std::net::SocketAddr) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_string();
        }
        if bound.ip().is_loopback() {
            format!("http://localhost:{}", bound.port())
        } else {
            format!("http://{bound}")
        }
    }

    /// The database URL fit for a log line or an error message.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url)
    }
}

/// `scheme://user:password@host/db` → `scheme://user:***@host/db`; a
/// `password=` query parameter is hidden the same way.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let hidden: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", hidden.join("&"));
    }
    out
}

/// An address range: an IP and how many leading bits must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    pub network: IpAddr,
    pub prefix: u8,
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(&n.octets(), &a.octets(), self.prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(&n.octets(), &a.octets(), self.prefix),
            (IpAddr::V6(n), IpAddr::V4(a)) => n.to_ipv4_mapped().is_some_and(|n| {
                self.prefix >= 96 && same_prefix(&n.octets(), &a.octets(), self.prefix - 96)
            }),
            (IpAddr::V4(_), IpAddr::V6(a)) => a
                .to_ipv4_mapped()
                .is_some_and(|a| self.contains(IpAddr::V4(a))),
        }
    }
}

fn same_prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = bits as usize;
    let (whole, rest) = (bits / 8, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0
}

/// Parses `10.0.0.0/8`, `::1` or `192.168.1.7`.
pub fn parse_range(s: &str) -> Result<IpRange, String> {
    let s = s.trim();
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    let network: IpAddr = ip
        .parse()
        .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))?;
    let max = if network.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => p
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| format!("{s:?} has an invalid prefix length"))?,
    };
    Ok(IpRange { network, prefix })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            redact_url("postgres://keydesk:s3cret@db.internal:5432/keydesk"),
            "postgres://keydesk:***@db.internal:5432/keydesk"
        );
        assert_eq!(
            redact_url("postgres://db/keydesk?user=k&password=s3cret&sslmode=require"),
            "postgres://db/keydesk?user=k&password=***&sslmode=require"
        );
        assert_eq!(redact_url("sqlite://keydesk.db"), "sqlite://keydesk.db");
        assert_eq!(
            redact_url("postgres://only-user@db/k"),
            "postgres://only-user@db/k"
        );
    }

    #[test]
    fn ranges_match_addresses_by_prefix() {
        let r = parse_range("10.1.0.0/16").unwrap();
        assert!(r.contains("10.1.200.3".parse().unwrap()));
        assert!(!r.contains("10.2.0.1".parse().unwrap()));
        let one = parse_range("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        assert!(parse_range("fd00::/8")
            .unwrap()
            .contains("fd12::1".parse().unwrap()));
        assert!(parse_range("10.0.0.0/33").is_err());
        assert!(parse_range("nonsense").is_err());
    }
}
