//! Running a script against an acceptor over real TCP sockets.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use fix_core::frame::{find_frame, DEFAULT_MAX_MESSAGE_LEN};

use super::compare::{compare, CompareMode, FieldPatterns};
use super::script::{prepare_message, printable, Action, Script, Step};

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How long an `E` step waits for a message.
    pub expect_timeout: Duration,
    /// How long an `eDISCONNECT` step waits for the acceptor to close the connection.
    pub disconnect_timeout: Duration,
    /// How long `iCONNECT` keeps retrying a refused connection (the acceptor may still be
    /// starting).
    pub connect_timeout: Duration,
    /// Value patterns (`fields.fmt`).
    pub patterns: FieldPatterns,
    /// How field order is compared.
    pub mode: CompareMode,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            expect_timeout: Duration::from_secs(10),
            disconnect_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            patterns: FieldPatterns::quickfix(),
            mode: CompareMode::default(),
        }
    }
}

/// What a successful run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Steps executed.
    pub steps: usize,
    /// Messages sent (`I` steps).
    pub sent: usize,
    /// Messages received and matched (`E` steps).
    pub received: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Why a script failed: the step and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 1-based line number of the failing step (0 when the script could not be read).
    pub line: usize,
    /// The step as written in the script (SOH shown as `|`).
    pub step: String,
    /// What went wrong.
    pub reason: String,
    /// The expected message, completed and with macros expanded, when the step expects one.
    pub expected: Option<String>,
    /// What was received instead, if anything.
    pub received: Option<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)?;
        if !self.step.is_empty() {
            write!(f, "\n  step:     {}", self.step)?;
        }
        if let Some(e) = &self.expected {
            write!(f, "\n  expected: {e}")?;
        }
        if let Some(r) = &self.received {
            write!(f, "\n  received: {r}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

impl Failure {
    fn at(step: &Step, reason: impl Into<String>) -> Failure {
        Failure {
            line: step.line,
            step: printable(&step.source),
            reason: reason.into(),
            expected: None,
            received: None,
        }
    }

    fn with_expected(mut self, expected: &[u8]) -> Failure {
        self.expected = Some(printable(expected));
        self
    }

    fn with_received(mut self, received: &[u8]) -> Failure {
        self.received = Some(printable(received));
        self
    }
}

/// One open connection of a run, with the bytes read but not consumed yet.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

/// What reading the next message gave.
enum Read1 {
    Message(Vec<u8>),
    Closed,
    TimedOut,
    Garbled(String),
    Error(std::io::Error),
}

impl Connection {
    fn open(addr: SocketAddr, timeout: Duration) -> std::io::Result<Connection> {
        let deadline = Instant::now() + timeout;
        loop {
            match TcpStream::connect_timeout(&addr, timeout.max(Duration::from_millis(100))) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    return Ok(Connection {
                        stream,
                        buffer: Vec::new(),
                    });
                }
                Err(e) if e.kind() == ErrorKind::ConnectionRefused && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads more bytes into the buffer, waiting until `deadline`. `Ok(0)` is end of stream.
    fn fill(&mut self, deadline: Instant) -> std::io::Result<usize> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(remaining))?;
        let mut chunk = [0u8; 8192];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buffer.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(ErrorKind::TimedOut.into())
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn next_message(&mut self, timeout: Duration) -> Read1 {
        let deadline = Instant::now() + timeout;
        loop {
            match find_frame(&self.buffer, DEFAULT_MAX_MESSAGE_LEN) {
                Ok(Some(frame)) => {
                    let rest = self.buffer.split_off(frame.len);
                    return Read1::Message(std::mem::replace(&mut self.buffer, rest));
                }
                Ok(None) => {}
                Err(e) => {
                    return Read1::Garbled(format!(
                        "acceptor sent bytes that are not a valid FIX message ({e})"
                    ))
                }
            }
            match self.fill(deadline) {
                Ok(0) => return Read1::Closed,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::TimedOut => return Read1::TimedOut,
                Err(e) if is_reset(&e) => return Read1::Closed,
                Err(e) => return Read1::Error(e),
            }
        }
    }
}

fn is_reset(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    )
}

/// Runs a script against the acceptor at `addr`. Connections left open at the end are
/// closed. Stops at the first failing step.
pub fn run_script(
    script: &Script,
    addr: SocketAddr,
    options: &RunOptions,
) -> Result<RunSummary, Failure> {
    let started = Instant::now();
    let mut connections: BTreeMap<u32, Connection> = BTreeMap::new();
    let mut summary = RunSummary::default();
    for step in &script.steps {
        run_step(step, addr, options, &mut connections, &mut summary)?;
        summary.steps += 1;
    }
    for (_, c) in connections {
        let _ = c.stream.shutdown(Shutdown::Both);
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn run_step(
    step: &Step,
    addr: SocketAddr,
    options: &RunOptions,
    connections: &mut BTreeMap<u32, Connection>,
    summary: &mut RunSummary,
) -> Result<(), Failure> {
    let n = step.connection;
    let not_connected = || Failure::at(step, format!("connection {n} is not open"));
    match &step.action {
        Action::Connect => {
            if connections.contains_key(&n) {
                return Err(Failure::at(step, format!("connection {n} is already open")));
            }
            let c = Connection::open(addr, options.connect_timeout)
                .map_err(|e| Failure::at(step, format!("cannot connect to {addr}: {e}")))?;
            connections.insert(n, c);
        }
        Action::Disconnect => {
            let c = connections.remove(&n).ok_or_else(not_connected)?;
            let _ = c.stream.shutdown(Shutdown::Both);
        }
        Action::ExpectDisconnect => {
            let mut c = connections.remove(&n).ok_or_else(not_connected)?;
            let deadline = Instant::now() + options.disconnect_timeout;
            loop {
                if !c.buffer.is_empty() {
                    // Give the rest of a message a moment to arrive, for a readable report.
                    let _ = c.fill(Instant::now() + Duration::from_millis(200));
                    return Err(Failure::at(
                        step,
                        "expected the acceptor to disconnect, but it sent more",
                    )
                    .with_received(&c.buffer));
                }
                match c.fill(deadline) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if is_reset(&e) => break,
                    Err(e) if e.kind() == ErrorKind::TimedOut => {
                        return Err(Failure::at(
                            step,
                            format!(
                                "the acceptor did not disconnect within {} s",
                                options.disconnect_timeout.as_secs_f64()
                            ),
                        ))
                    }
                    Err(e) => return Err(Failure::at(step, format!("read error: {e}"))),
                }
            }
        }
        Action::Send(text) => {
            let c = connections.get_mut(&n).ok_or_else(not_connected)?;
            let bytes = prepare_message(text, SystemTime::now());
            c.stream.write_all(&bytes).map_err(|e| {
                Failure::at(step, format!("send failed: {e}")).with_expected(&bytes)
            })?;
            summary.sent += 1;
        }
        Action::Expect(text) => {
            let c = connections.get_mut(&n).ok_or_else(not_connected)?;
            let expected = prepare_message(text, SystemTime::now());
            let timeout = options.expect_timeout;
            match c.next_message(timeout) {
                Read1::Message(got) => {
                    compare(&expected, &got, &options.patterns, options.mode).map_err(|m| {
                        Failure::at(step, format!("message differs: {m}"))
                            .with_expected(&expected)
                            .with_received(&got)
                    })?;
                    summary.received += 1;
                }
                Read1::Closed => {
                    let f = Failure::at(step, "the acceptor closed the connection")
                        .with_expected(&expected);
                    return Err(if c.buffer.is_empty() {
                        f
                    } else {
                        f.with_received(&c.buffer)
                    });
                }
                Read1::TimedOut => {
                    let f = Failure::at(
                        step,
                        format!("no message within {} s", timeout.as_secs_f64()),
                    )
                    .with_expected(&expected);
                    return Err(if c.buffer.is_empty() {
                        f
                    } else {
                        f.with_received(&c.buffer)
                    });
                }
                Read1::Garbled(reason) => {
                    return Err(Failure::at(step, reason)
                        .with_expected(&expected)
                        .with_received(&c.buffer))
                }
                Read1::Error(e) => {
                    return Err(
                        Failure::at(step, format!("read error: {e}")).with_expected(&expected)
                    )
                }
            }
        }
    }
    Ok(())
}

/// Reads and parses a script file, then runs it ([`run_script`]).
pub fn run_file(
    path: &Path,
    addr: SocketAddr,
    options: &RunOptions,
) -> Result<RunSummary, Failure> {
    let whole = |reason: String| Failure {
        line: 0,
        step: String::new(),
        reason,
        expected: None,
        received: None,
    };
    let text =
        std::fs::read(path).map_err(|e| whole(format!("cannot read {}: {e}", path.display())))?;
    let script = Script::parse(&text).map_err(|e| Failure {
        line: e.line,
        step: String::new(),
        reason: e.message,
        expected: None,
        received: None,
    })?;
    run_script(&script, addr, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    fn soh(s: &str) -> Vec<u8> {
        s.replace('|', "\x01").into_bytes()
    }

    fn quick() -> RunOptions {
        RunOptions {
            expect_timeout: Duration::from_millis(500),
            disconnect_timeout: Duration::from_millis(500),
            ..RunOptions::default()
        }
    }

    /// A fake acceptor that reads one message, then answers with `reply` (completed) and
    /// closes, or keeps the connection open when `close` is false.
    fn fake(reply: &'static str, close: bool) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut c = Connection {
                stream: s.try_clone().unwrap(),
                buffer: Vec::new(),
            };
            if let Read1::Message(_) = c.next_message(Duration::from_secs(5)) {
                let bytes = crate::acceptance::script::complete_message(&soh(reply));
                s.write_all(&bytes).unwrap();
            }
            if close {
                let _ = s.shutdown(Shutdown::Both);
            } else {
                thread::sleep(Duration::from_secs(2));
            }
        });
        addr
    }

    const LOGON_IN: &str = "I8=FIX.4.4|35=A|34=1|49=TW44|52=<TIME>|56=ISLD|98=0|108=30|";
    const LOGON_OUT: &str =
        "8=FIX.4.4|35=A|34=1|49=ISLD|52=20250101-00:00:00.000|56=TW44|98=0|108=30|";
    const LOGON_EXP: &str =
        "E8=FIX.4.4|9=63|35=A|34=1|49=ISLD|52=00000000-00:00:00.000|56=TW44|98=0|108=30|10=0|";

    fn script(lines: &[&str]) -> Script {
        Script::parse(&soh(&lines.join("\n"))).unwrap()
    }

    #[test]
    fn passes_a_matching_exchange() {
        let addr = fake(LOGON_OUT, true);
        let s = script(&["iCONNECT", LOGON_IN, LOGON_EXP, "eDISCONNECT"]);
        let summary = run_script(&s, addr, &quick()).unwrap();
        assert_eq!((summary.steps, summary.sent, summary.received), (4, 1, 1));
    }

    #[test]
    fn reports_the_failing_step_with_expected_and_received() {
        let addr = fake(LOGON_OUT_108_31, true);
        let s = script(&["iCONNECT", LOGON_IN, LOGON_EXP, "eDISCONNECT"]);
        let f = run_script(&s, addr, &quick()).unwrap_err();
        assert_eq!(f.line, 3);
        assert!(
            f.reason.contains("tag 108: expected `30`, received `31`"),
            "{f}"
        );
        assert!(f.expected.as_deref().unwrap().contains("108=30|"), "{f}");
        assert!(f.received.as_deref().unwrap().contains("108=31|"), "{f}");
        assert!(f.to_string().starts_with("line 3: message differs"), "{f}");
    }

    const LOGON_OUT_108_31: &str =
        "8=FIX.4.4|35=A|34=1|49=ISLD|52=20250101-00:00:00.000|56=TW44|98=0|108=31|";

    #[test]
    fn reports_a_missing_disconnect() {
        let addr = fake(LOGON_OUT, false);
        let s = script(&["iCONNECT", LOGON_IN, LOGON_EXP, "eDISCONNECT"]);
        let f = run_script(&s, addr, &quick()).unwrap_err();
        assert_eq!(f.line, 4);
        assert!(f.reason.contains("did not disconnect"), "{f}");
    }

    #[test]
    fn reports_a_missing_message() {
        let addr = fake(LOGON_OUT, false);
        let s = script(&["iCONNECT", LOGON_IN, LOGON_EXP, LOGON_EXP]);
        let f = run_script(&s, addr, &quick()).unwrap_err();
        assert_eq!(f.line, 4);
        assert!(f.reason.contains("no message within"), "{f}");
    }

    #[test]
    fn reports_unexpected_data_before_disconnect() {
        let addr = fake(LOGON_OUT, true);
        let s = script(&["iCONNECT", LOGON_IN, "eDISCONNECT"]);
        let f = run_script(&s, addr, &quick()).unwrap_err();
        assert_eq!(f.line, 3);
        assert!(f.received.as_deref().unwrap().contains("35=A"), "{f}");
    }

    #[test]
    fn reports_a_close_while_expecting() {
        let addr = fake(LOGON_OUT, true);
        let s = script(&["iCONNECT", LOGON_IN, LOGON_EXP, LOGON_EXP]);
        let f = run_script(&s, addr, &quick()).unwrap_err();
        assert_eq!(f.line, 4);
        assert!(f.reason.contains("closed"), "{f}");
    }

    #[test]
    fn unknown_connection_is_a_failure() {
        let s = script(&["I2,8=FIX.4.4|35=0|"]);
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let f = run_script(&s, addr, &quick()).unwrap_err();
        assert_eq!(f.line, 1);
        assert!(f.reason.contains("connection 2 is not open"), "{f}");
    }
}
