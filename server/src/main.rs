use clap::Parser;
use keydesk_server::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        // Logs on stderr; stdout carries only the address line people and scripts read.
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal, plain text for log collectors.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let running = match keydesk_server::start(&config).await {
        Ok(r) => r,
        Err(message) => {
            eprintln!("keydesk-server: {message}");
            std::process::exit(1);
        }
    };
    tracing::info!(address = %running.addr, database = %config.database_url_redacted(), "keydesk is ready");
    // The public URL: on a loopback address that is http://localhost:<port>,
    // where browsers allow passkeys (they refuse WebAuthn on an IP address).
    println!("keydesk is running at {}/", config.public_url(running.addr));
    if let Err(e) = running.until_signal().await {
        eprintln!("keydesk-server: {e}");
        std::process::exit(1);
    }
}
