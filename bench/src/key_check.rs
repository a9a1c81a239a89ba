//! The key check under load: `GET /api/v1/whoami` with a valid key, beside a
//! trivial handler on the same server (`/healthz`: no database, no key) with
//! the same connections and duration.

use std::time::Duration;

use crate::load;
use crate::setup::Running;
use crate::table::{Row, Target};

const CONNECTIONS: usize = 32;
const DURATION: Duration = Duration::from_secs(8);

pub async fn measure(server: &Running) -> Vec<Row> {
    let secret = server.key_secret().await;
    let floor = load::run(
        &format!("{}/healthz", server.base),
        &[],
        200,
        CONNECTIONS,
        DURATION,
    )
    .await;
    let check = load::run(
        &format!("{}/api/v1/whoami", server.base),
        &[("Authorization", format!("Bearer {secret}"))],
        200,
        CONNECTIONS,
        DURATION,
    )
    .await;
    assert_eq!(
        floor.unexpected + check.unexpected,
        0,
        "every answer must be 200"
    );
    let label = format!("{CONNECTIONS} connections, {}s", DURATION.as_secs());
    vec![
        Row {
            what: format!("key check: /whoami requests/s ({label})"),
            figure: check.requests_per_second,
            floor: Some(floor.requests_per_second),
            unit: "req/s",
            target: Target::RatioAtLeast(0.5),
        },
        Row {
            what: "key check: /whoami p50".into(),
            figure: check.p50_ms,
            floor: Some(floor.p50_ms),
            unit: "ms",
            target: Target::None,
        },
        Row {
            what: "key check: /whoami p99".into(),
            figure: check.p99_ms,
            floor: Some(floor.p99_ms),
            unit: "ms",
            target: Target::None,
        },
    ]
}
