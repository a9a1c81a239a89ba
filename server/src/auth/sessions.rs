//! People's sessions: a random token in a cookie, its SHA-256 digest in the
//! database. A session ends after [`IDLE_TIMEOUT`] without a request and, at
//! the latest, [`ABSOLUTE_LIFETIME`] after sign-in, whatever the activity.

use axum::http::{header, HeaderMap, HeaderValue};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::Duration;

use crate::clock::Clock;
use crate::storage::Storage;
use crate::time_format;

pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
pub const ABSOLUTE_LIFETIME: Duration = Duration::hours(12);
/// Activity is written at most this often per session: the idle timeout is
/// exact to within this, and a busy tab does not write on every request.
pub const TOUCH_EVERY: Duration = Duration::seconds(60);

/// How long a browser is remembered as one that signed in to an account.
pub const KNOWN_DEVICE_LIFETIME: Duration = Duration::days(180);

/// How long a sign-in whose password was right waits for its second step.
pub const PENDING_LIFETIME: Duration = Duration::minutes(5);

/// How the session cookie (and the known-device and pending sign-in
/// cookies beside it) is named and marked.
#[derive(Debug, Clone, Copy)]
pub struct SessionCookie {
    pub name: &'static str,
    pub device_name: &'static str,
    pub pending_name: &'static str,
    pub secure: bool,
}

impl SessionCookie {
    /// `__Host-` + `Secure` by default: the browser then sends it only over
    /// HTTPS (or to localhost / 127.0.0.1, which browsers treat as secure),
    /// only to this exact host, and no subdomain can set or shadow it.
    pub fn new(insecure: bool) -> Self {
        if insecure {
            SessionCookie {
                name: "keydesk_session",
                device_name: "keydesk_device",
                pending_name: "keydesk_pending",
                secure: false,
            }
        } else {
            SessionCookie {
                name: "__Host-keydesk_session",
                device_name: "__Host-keydesk_device",
                pending_name: "__Host-keydesk_pending",
                secure: true,
            }
        }
    }

    /// The session token the browser sent, if any.
    pub fn read<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        read_cookie(headers, self.name)
    }

    /// The known-device cookie the browser sent, if any.
    pub fn read_device<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        read_cookie(headers, self.device_name)
    }

    /// `Set-Cookie` for a new session; the browser forgets it at the absolute end.
    pub fn set(&self, token: &str) -> HeaderValue {
        self.header(self.name, token, ABSOLUTE_LIFETIME.whole_seconds())
    }

    /// `Set-Cookie` for a known-device cookie (see `auth::throttle`).
    pub fn set_device(&self, value: &str) -> HeaderValue {
        self.header(
            self.device_name,
            value,
            KNOWN_DEVICE_LIFETIME.whole_seconds(),
        )
    }

    /// `Set-Cookie` that removes the cookie.
    pub fn clear(&self) -> HeaderValue {
        self.header(self.name, "", 0)
    }

    /// The pending sign-in token the browser sent, if any.
    pub fn read_pending<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        read_cookie(headers, self.pending_name)
    }

    /// `Set-Cookie` for a sign-in waiting for its second step.
    pub fn set_pending(&self, token: &str) -> HeaderValue {
        self.header(self.pending_name, token, PENDING_LIFETIME.whole_seconds())
    }

    /// `Set-Cookie` that removes the pending sign-in cookie.
    pub fn clear_pending(&self) -> HeaderValue {
        self.header(self.pending_name, "", 0)
    }

    fn header(&self, name: &str, value: &str, max_age: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        ))
        .expect("cookie text is ASCII")
    }
}

fn read_cookie<'a>(headers: &'a HeaderMap, wanted: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

/// A session's limit, while it has one: the one step it must take first.
pub use keydesk_contract::types::RequiredStep as Restriction;

/// The person behind a live session, and what it is limited to.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub user_id: String,
    pub restriction: Option<Restriction>,
}

/// A new session token: 256 random bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// What is stored in place of the token.
pub fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts a session for `user_id`, limited to `restriction` if given;
/// returns the token for the cookie.
pub async fn start(
    storage: &Storage,
    clock: &dyn Clock,
    user_id: &str,
    restriction: Option<Restriction>,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    let now = clock.now();
    storage
        .create_session(
            &digest(&token),
            user_id,
            &time_format::format(now),
            &time_format::format(now + ABSOLUTE_LIFETIME),
            restriction.map(Restriction::as_str),
        )
        .await?;
    Ok(token)
}

/// The session behind a token, if it is still alive; renews its idle
/// timer. A session found ended is deleted. A restriction this version does
/// not know is no permission: such a session is treated as ended.
pub async fn user_of(
    storage: &Storage,
    clock: &dyn Clock,
    token: &str,
) -> Result<Option<LiveSession>, sqlx::Error> {
    let digest = digest(token);
    let Some(row) = storage.session(&digest).await? else {
        return Ok(None);
    };
    let now = clock.now();
    let now_text = time_format::format(now);
    let idle_since = time_format::format(now - IDLE_TIMEOUT);
    if row.expires_at <= now_text || row.last_seen_at <= idle_since {
        storage.end_session(&digest).await?;
        return Ok(None);
    }
    let restriction = match row.restriction.as_deref() {
        None => None,
        Some(text) => match Restriction::parse(text) {
            Some(r) => Some(r),
            None => return Ok(None),
        },
    };
    if row.last_seen_at <= time_format::format(now - TOUCH_EVERY) {
        storage.touch_session(&digest, &now_text).await?;
    }
    Ok(Some(LiveSession {
        user_id: row.user_id,
        restriction,
    }))
}

/// Ends the session behind `token` (sign-out).
pub async fn end(storage: &Storage, token: &str) -> Result<(), sqlx::Error> {
    storage.end_session(&digest(token)).await
}

/// Deletes ended sessions and sign-in windows now and then, so the tables
/// hold only live ones.
pub fn spawn_sweeper(
    storage: Storage,
    clock: std::sync::Arc<dyn Clock>,
    throttle: std::sync::Arc<super::throttle::Throttle>,
) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if storage.is_closed() {
                return; // the server has stopped
            }
            let now = clock.now();
            let result = storage
                .delete_ended_sessions(
                    &time_format::format(now - IDLE_TIMEOUT),
                    &time_format::format(now),
                )
                .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not delete ended sessions");
            }
            if let Err(e) = storage.delete_ended_second_steps().await {
                tracing::warn!(error = %e, "could not delete ended second steps");
            }
            if let Err(e) = throttle.sweep().await {
                tracing::warn!(error = %e, "could not delete ended sign-in windows");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_host_only_secure_and_strict_by_default() {
        let c = SessionCookie::new(false);
        let set = c.set("abc");
        let set = set.to_str().unwrap();
        assert!(set.starts_with("__Host-keydesk_session=abc;"), "{set}");
        for part in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
            assert!(set.contains(part), "{part} missing: {set}");
        }
        assert!(!set.contains("Domain"), "__Host- cookies carry no Domain");
        let plain = SessionCookie::new(true).set("abc");
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn the_token_is_read_among_other_cookies() {
        let c = SessionCookie::new(false);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "theme=dark; __Host-keydesk_session=t0k3n; x=y"
                .parse()
                .unwrap(),
        );
        assert_eq!(c.read(&headers), Some("t0k3n"));
        assert_eq!(SessionCookie::new(true).read(&headers), None);
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(digest(&a), a);
        assert_eq!(digest(&a), digest(&a));
    }
}
