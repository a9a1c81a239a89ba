//! Security events: every refused authentication or authorization is one
//! structured log line under the target `keydesk::security`, with what was
//! refused, why, the organization and actor when known, and the client
//! address. Never a secret, a password or a session token: callers pass
//! only ids, names and fixed reasons.
//!
//! A refusal repeated exactly (same event, reason, organization, actor and
//! address) within [`REPEATS_WINDOW`] is not written again: it is counted,
//! and one `refused again` line with the count follows when the window ends
//! (or at shutdown). A flood of one bad request costs two lines a minute,
//! not one line a request.

use keydesk_contract::types::{Actor, ActorKind};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long exact repeats of a refusal are counted instead of written.
pub const REPEATS_WINDOW: Duration = Duration::from_secs(60);
/// At most this many distinct refusals are counted at once; past it,
/// refusals are written one line each (memory stays bounded).
const MAX_COUNTED: usize = 10_000;

/// What kind of refusal this was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    SignInFailed,
    SecondStepFailed,
    SignInThrottled,
    SignUpThrottled,
    InvalidKey,
    Csrf,
    Forbidden,
    Escalation,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::SignInFailed => "sign_in_failed",
            Refused::SecondStepFailed => "second_step_failed",
            Refused::SignInThrottled => "sign_in_throttled",
            Refused::SignUpThrottled => "sign_up_throttled",
            Refused::InvalidKey => "invalid_key",
            Refused::Csrf => "csrf",
            Refused::Forbidden => "forbidden",
            Refused::Escalation => "escalation",
        }
    }
}

/// Who was refused, as far as known.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who<'a> {
    pub organization: Option<&'a str>,
    pub actor: Option<&'a Actor>,
}

/// One refusal's fields, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Line {
    event: &'static str,
    reason: String,
    organization: String,
    actor_type: &'static str,
    actor_id: String,
    client: IpAddr,
}

/// Refusals written in the current window, and how often each came again.
#[derive(Default)]
struct Repeats {
    seen: HashMap<Line, (Instant, u64)>,
}

fn repeats() -> &'static Mutex<Repeats> {
    static REPEATS: OnceLock<Mutex<Repeats>> = OnceLock::new();
    REPEATS.get_or_init(Default::default)
}

/// A change to how people sign in (single sign-on set up, changed or
/// removed; a second factor required): one line, for whoever watches the
/// security log, beside the audit trail's record. Never a secret.
pub fn sign_in_rules_changed(what: &str, organization: &str, actor: &Actor, client: IpAddr) {
    tracing::warn!(
        target: "keydesk::security",
        event = "sign_in_rules_changed",
        what,
        organization,
        actor_id = %actor.id,
        client = %client,
        "changed"
    );
}

pub fn refused(event: Refused, reason: &str, who: Who<'_>, client: IpAddr) {
    let (actor_type, actor_id) = match who.actor {
        Some(a) => (
            match a.kind {
                ActorKind::User => "user",
                ActorKind::ApiKey => "api_key",
                ActorKind::System => "system",
            },
            a.id.as_str(),
        ),
        None => ("-", "-"),
    };
    let line = Line {
        event: event.as_str(),
        reason: reason.to_string(),
        organization: who.organization.unwrap_or("-").to_string(),
        actor_type,
        actor_id: actor_id.to_string(),
        client,
    };
    let now = Instant::now();
    {
        let mut repeats = repeats().lock().expect("security log lock");
        let room = repeats.seen.len() < MAX_COUNTED;
        match repeats.seen.get_mut(&line) {
            Some((since, again)) if now.duration_since(*since) < REPEATS_WINDOW => {
                *again += 1;
                return;
            }
            Some((since, again)) => {
                write_repeats(&line, *again);
                (*since, *again) = (now, 0);
            }
            None if room => {
                repeats.seen.insert(line.clone(), (now, 0));
            }
            None => {}
        }
    }
    write(&line);
}

fn write(line: &Line) {
    tracing::warn!(
        target: "keydesk::security",
        event = line.event,
        reason = line.reason,
        organization = line.organization,
        actor_type = line.actor_type,
        actor_id = line.actor_id,
        client = %line.client,
        "refused"
    );
}

fn write_repeats(line: &Line, again: u64) {
    if again == 0 {
        return;
    }
    tracing::warn!(
        target: "keydesk::security",
        event = line.event,
        reason = line.reason,
        organization = line.organization,
        actor_type = line.actor_type,
        actor_id = line.actor_id,
        client = %line.client,
        repeated = again,
        "refused again"
    );
}

/// Writes the counts of windows that ended (all of them with `everything`)
/// and forgets those refusals.
fn write_ended(everything: bool) {
    let now = Instant::now();
    let mut repeats = repeats().lock().expect("security log lock");
    repeats.seen.retain(|line, (since, again)| {
        let ended = everything || now.duration_since(*since) >= REPEATS_WINDOW;
        if ended {
            write_repeats(line, *again);
        }
        !ended
    });
}

/// Writes every pending count (at shutdown).
pub fn flush() {
    write_ended(true);
}

/// Writes counts as their windows end, so a repeated refusal is reported
/// within a window of its last occurrence even if it never comes again.
pub fn spawn_flusher() {
    static STARTED: OnceLock<()> = OnceLock::new();
    if STARTED.set(()).is_err() {
        return; // one per process (tests start many servers)
    }
    tokio::spawn(async {
        let mut every = tokio::time::interval(REPEATS_WINDOW / 4);
        loop {
            every.tick().await;
            write_ended(false);
        }
    });
}
