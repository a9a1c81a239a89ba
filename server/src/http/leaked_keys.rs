//! Leak reports (docs/api.md, "Guardrails on keys"), after GitHub's
//! `POST /credentials/revoke`: anyone who finds a keydesk secret where it
//! should not be (a scanner, a person) may report it, with no account. Each
//! real secret's key is disabled at once and marked leaked; a decoy's raises
//! its alarm. The answer is 202 and the same whatever was sent, so a report
//! tells the reporter nothing; reports are limited per address (429).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use axum::extract::State;
use axum::http::StatusCode;
use keydesk_contract::guardrails::{validate_report, LeakReport};
use keydesk_contract::key_format;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::client::ClientAddr;
use super::error::Error;
use super::extract::Json;
use crate::AppState;

/// Reports one address may send a minute.
pub const REPORTS_PER_MINUTE: u32 = 20;
/// Addresses remembered at most (the oldest windows are dropped first).
const ADDRESSES: usize = 10_000;

/// Reports per address in the current minute, on this replica.
#[derive(Default)]
pub struct ReportLimit {
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl ReportLimit {
    /// Counts a report from `address` at unix second `now`; false past the limit.
    fn allow(&self, address: IpAddr, now: i64) -> bool {
        let minute = now.div_euclid(60);
        let mut windows = self.windows.lock().expect("report limit");
        if windows.len() >= ADDRESSES {
            windows.retain(|_, (m, _)| *m == minute);
        }
        let window = windows.entry(address).or_insert((minute, 0));
        if window.0 != minute {
            *window = (minute, 0);
        }
        window.1 += 1;
        window.1 <= REPORTS_PER_MINUTE
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

#[utoipa::path(
    operation_id = "leaked_keys_report",
    tag = "Keys",
    post,
    path = "/leaked-keys",
    summary = "Report secrets found where they should not be",
    description = "No authentication. Each real secret's key is disabled at once and shows as leaked. The answer is 202 whatever was sent.",
    request_body = keydesk_contract::guardrails::LeakReport,
    security(()),
    responses((status = 202, description = "Received"),
        crate::http::error::Errors
    ))]
async fn report(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(req): Json<LeakReport>,
) -> Result<StatusCode, Error> {
    if !state
        .leak_reports
        .allow(client, state.clock.now().unix_timestamp())
    {
        return Err(Error::TooManyAttempts {
            message: "Too many leak reports from this address. Please wait a minute.",
            retry_after_seconds: 60,
        });
    }
    validate_report(&req).map_err(Error::Validation)?;
    let address = client.to_string();
    for candidate in &req.secrets {
        // Not a keydesk secret (its checksum says so): nothing to look up.
        let Ok(secret) = key_format::parse(candidate.trim()) else {
            continue;
        };
        state
            .storage
            .report_leak(&key_format::digest(&secret), &address)
            .await?;
    }
    Ok(StatusCode::ACCEPTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_reports_a_minute_and_then_waits() {
        let limit = ReportLimit::default();
        let (a, b): (IpAddr, IpAddr) = (
            "203.0.113.1".parse().unwrap(),
            "203.0.113.2".parse().unwrap(),
        );
        for _ in 0..REPORTS_PER_MINUTE {
            assert!(limit.allow(a, 600));
        }
        assert!(!limit.allow(a, 659), "past the limit within the minute");
        assert!(limit.allow(b, 659), "another address has its own");
        assert!(limit.allow(a, 660), "the next minute starts afresh");
    }
}
