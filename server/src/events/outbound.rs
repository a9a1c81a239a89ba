//! The HTTP client events leave by: short timeouts, no redirects, no
//! proxy from the environment, and a resolver that refuses internal
//! addresses on every connection (unless the operator allows them), so a
//! name rebound to 127.0.0.1 after the destination was saved still cannot
//! reach inside. IP-literal URLs skip resolvers, so [`super::address`]
//! checks them before each attempt.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// No answer within this is a timeout, tried again later.
pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private {
                if let Some(inside) = found.iter().find(|a| super::address::is_internal(a.ip())) {
                    return Err(format!(
                        "{host} resolves to {}, inside keydesk's network",
                        inside.ip()
                    )
                    .into());
                }
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The client every delivery is sent with.
pub fn client(allow_private: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("keydesk-webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(PublicOnly { allow_private }))
        .build()
        .expect("a client with these settings builds")
}
