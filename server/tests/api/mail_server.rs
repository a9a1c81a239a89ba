//! A real SMTP server for the tests: aiosmtpd (PyPI, in tools/venv, put
//! there by scripts/setup), storing each message it accepts in a Maildir.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct MailServer {
    pub port: u16,
    maildir: tempfile::TempDir,
    child: Child,
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/venv/bin/python")
}

impl MailServer {
    /// Listens on a free port of 127.0.0.1; `tls` adds its arguments
    /// (e.g. `--smtpscert`), before the handler's.
    pub async fn start(tls: &[&str]) -> MailServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(tls)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd from tools/venv (scripts/setup test installs it)");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "aiosmtpd did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        MailServer {
            port,
            maildir,
            child,
        }
    }

    /// Every message received so far, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail").join("new");
        let mut found: Vec<String> = std::fs::read_dir(new)
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    }

    /// Waits until at least `count` messages arrived (panics after 20 s).
    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now = self.messages();
            if now.len() >= count {
                return now;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {count} mails arrived",
                now.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
