//! `scripts/bench`: measures keydesk on this machine and prints one table,
//! each figure beside its floor (the simplest thing doing the same job on
//! the same server), the ratio, the target and whether it is met. It
//! measures; it never fails on a figure.

mod big_org;
mod bundle;
mod events;
mod key_check;
mod load;
mod setup;
mod soak;
mod startup;
mod table;
mod wasm_costs;

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("soak") => return soak::run().await,
        // One measurement alone, to look into it.
        Some("key-check") => {
            let dist = keydesk_e2e::app_build::release_app();
            let server = setup::Running::start(&dist).await;
            let mut rows = key_check::measure(&server).await;
            rows.extend(key_check::measure_with_allowlist(&server).await);
            server.stop().await;
            return table::print(&rows);
        }
        Some("events") => {
            let dist = keydesk_e2e::app_build::release_app();
            return table::print(&events::measure(&dist).await);
        }
        Some("bundle") => {
            // Unsplit first: the split build's parts are the ones left to break down.
            let unsplit = keydesk_e2e::app_build::release_app_unsplit();
            let dist = keydesk_e2e::app_build::release_app();
            bundle::print_costs(&keydesk_e2e::repo_root());
            return table::print(&bundle::measure(&dist, &unsplit));
        }
        Some("start-up") => {
            let dist = keydesk_e2e::app_build::release_app();
            return table::print(&startup::measure(&dist).await);
        }
        Some("big-org") => {
            let dist = keydesk_e2e::app_build::release_app();
            return table::print(&big_org::measure(&dist).await);
        }
        _ => {}
    }
    // The release web app, built like the end-to-end tests build it (after
    // the same app unsplit, to compare with).
    let unsplit = keydesk_e2e::app_build::release_app_unsplit();
    let dist = keydesk_e2e::app_build::release_app();
    let mut rows = bundle::measure(&dist, &unsplit);
    bundle::print_costs(&keydesk_e2e::repo_root());
    table::print(&rows);

    let server = setup::Running::start(&dist).await;
    rows.extend(key_check::measure(&server).await);
    rows.extend(key_check::measure_with_allowlist(&server).await);
    server.stop().await;
    rows.extend(key_check::measure_under_sign_ins(&dist).await);
    rows.extend(events::measure(&dist).await);
    rows.extend(big_org::measure(&dist).await);
    // So far, in case the browser part cannot run here.
    table::print(&rows);

    rows.extend(startup::measure(&dist).await);
    table::print(&rows);
}
