//! Helpers for tests that run engines as real processes (the `store-engine` binary): start
//! one, read what it prints line by line, kill it (SIGKILL), pause and resume it
//! (SIGSTOP/SIGCONT), and find free ports and the PostgreSQL test database; plus the orders
//! those engines exchange.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running engine process, killed when dropped.
#[derive(Debug)]
pub struct EngineProcess {
    name: String,
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl EngineProcess {
    /// Starts `program` with `args`; its stdout lines are read by [`EngineProcess::next_line`],
    /// its stderr goes to the test's stderr (prefixed by `name`).
    pub fn start(name: &str, program: &Path, args: &[&str]) -> std::io::Result<EngineProcess> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (tx, lines) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        if let Some(err) = child.stderr.take() {
            let name = name.to_string();
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    eprintln!("[{name}] {line}");
                }
            });
        }
        Ok(EngineProcess {
            name: name.to_string(),
            child,
            lines,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line printed, waiting at most `timeout`; `None` on timeout or exit.
    pub fn next_line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// Lines already printed, without waiting.
    pub fn ready_lines(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }

    /// Reads lines until one satisfies `want` (returned), for at most `timeout`.
    ///
    /// # Panics
    /// On timeout or if the process exits first, naming the process and what was awaited.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        mut want: impl FnMut(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if want(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!("{}: no {what} within {timeout:?}", self.name),
            }
        }
    }

    /// Sends `signal` (`KILL`, `STOP`, `CONT`...) with kill(1).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status();
        assert!(
            status.as_ref().is_ok_and(|s| s.success()),
            "{}: kill -{signal} failed: {status:?}",
            self.name
        );
    }

    /// SIGKILL, then waits for the process to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        // A stopped process must be continued to die promptly on some systems; harmless
        // otherwise.
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .arg("-CONT")
                .arg(self.child.id().to_string())
                .stderr(Stdio::null())
                .status();
        }
        self.kill();
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, then released): for a
/// process that must be told its port before it starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// The PostgreSQL test database: `FIX_TEST_POSTGRES_URL`, else a throwaway server started from
/// the local PostgreSQL binaries, else `None` after a visible skip line (see `fix-test-postgres`).
pub fn postgres_url() -> Option<String> {
    fix_test_postgres::url()
}

/// A schema name no other test or earlier run uses.
pub fn unique_schema(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("fix_test_{tag}_{}_{nanos:x}", std::process::id())
}

/// A small deterministic pseudo-random sequence (xorshift64*), seeded by the test so that a
/// failing run can be repeated.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A sequence from `seed` (0 is replaced by a constant).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// A seed from the clock.
    pub fn clock_seed() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    }

    /// The next number in `range`.
    pub fn in_range(&mut self, range: std::ops::Range<u64>) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        range.start + x % (range.end - range.start).max(1)
    }
}

/// The workspace folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The value of `tag` in a raw message.
pub fn field(msg: &[u8], tag: &str) -> Option<String> {
    let prefix = format!("{tag}=");
    msg.split(|&b| b == 1)
        .find_map(|f| f.strip_prefix(prefix.as_bytes()))
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// FIX.4.4 NewOrderSingle number `i`: ClOrdID `ORD-<i>`, 100 XYZ to buy at market, sent now.
pub fn order(i: u64) -> fix_session::RawBody {
    use fix_core::value::{Precision, UtcTimestamp};
    use fix_core::FixValue;
    let mut now = Vec::new();
    if let Some(t) = UtcTimestamp::from_system_time(std::time::SystemTime::now(), Precision::Millis)
    {
        t.write(&mut now);
    }
    fix_session::RawBody::new("D")
        .with(11, format!("ORD-{i}"))
        .with(21, "1")
        .with(55, "XYZ")
        .with(54, "1")
        .with(60, now)
        .with(38, "100")
        .with(40, "1")
}
