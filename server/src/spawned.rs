//! The `keydesk-server` binary run as an operator runs it, for the tests and
//! benchmarks that need a real process (flags, logs, signals, SIGKILL,
//! memory): start it, wait for the line that says where it listens, and
//! stop it with SIGTERM or SIGKILL. One harness for the binary test, the
//! crash test and the soak.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

/// What becomes of the server's log (stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Log {
    /// Collected at this `RUST_LOG` level, and returned by [`SpawnedServer::stop`].
    Collect(&'static str),
    /// Passed through to this process's stderr at this level.
    Inherit(&'static str),
    /// Dropped.
    Discard,
}

pub struct SpawnedServer {
    child: Child,
    /// `http://127.0.0.1:port`, without a trailing slash.
    pub base: String,
    logs: Option<JoinHandle<String>>,
}

impl SpawnedServer {
    /// Starts `bin` with `args` and `envs` (on a free port unless `args`
    /// choose one) and waits until it says where it listens.
    pub fn start<A: AsRef<OsStr>>(
        bin: &Path,
        args: &[A],
        envs: &[(&str, &str)],
        log: Log,
    ) -> SpawnedServer {
        let mut command = Command::new(bin);
        if !args.iter().any(|a| a.as_ref() == "--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        command.args(args).stdout(Stdio::piped());
        for (name, value) in envs {
            command.env(name, value);
        }
        match log {
            Log::Collect(level) => command.env("RUST_LOG", level).stderr(Stdio::piped()),
            Log::Inherit(level) => command.env("RUST_LOG", level).stderr(Stdio::inherit()),
            Log::Discard => command.stderr(Stdio::null()),
        };
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
        let logs = child.stderr.take().map(|mut stderr| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            })
        });
        let line = BufReader::new(child.stdout.take().expect("stdout is piped"))
            .lines()
            .next()
            .expect("the server prints its address")
            .expect("the address line is text");
        let base = line
            .strip_prefix("keydesk is running at ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .trim_end_matches('/')
            .to_string();
        SpawnedServer { child, base, logs }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its resident memory (Linux `VmRSS`), in bytes.
    pub fn resident_bytes(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map_or(0, |kb| kb * 1024)
    }

    /// SIGKILL: no shutdown, nothing flushed (a crash).
    pub fn kill(mut self) {
        self.child.kill().expect("the server can be killed");
        self.child.wait().expect("the server ends");
    }

    /// SIGTERM, then waits for a graceful end; returns the collected log
    /// (empty unless [`Log::Collect`]) and whether it exited with success.
    pub fn stop(mut self) -> (String, bool) {
        // SAFETY: a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let status = self.child.wait().expect("the server ends");
        let logs = self
            .logs
            .take()
            .map(|l| l.join().unwrap_or_default())
            .unwrap_or_default();
        (logs, status.success())
    }
}

impl Drop for SpawnedServer {
    /// A test that failed half-way leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
