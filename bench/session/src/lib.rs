//! Side-by-side session benchmarks of our engine (`fix-session`) and QuickFIX C++ 1.15.1
//! (Debian's libquickfix-dev), for issue 5.
//!
//! Every engine role runs in its own process speaking the same small line protocol on
//! stdout/stdin: our side is the `fix-bench-engine` binary of this package, QuickFIX's side
//! is `peer/qfbench.cpp` (built by `build.rs`; see its header for the protocol). The benches
//! (`benches/session.rs`, `benches/scale.rs`) start the processes, read their lines and
//! `/proc/<pid>`, and print figures. This library holds what they share: the settings text
//! both engines read, the message builders of our side, the process handle, `/proc` readers,
//! percentiles and the SVG latency plot.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fix44::components::{Instrument, OrderQtyData};
use fix44::fields::{ExecType, HandlInst, OrdStatus, OrdType, Side};
use fix_core::value::{Precision, UtcTimestamp};
use fix_core::MessageView;
use rust_decimal::Decimal;

/// The FIX44 dictionary file both engines validate with (QuickFIX needs a path).
pub fn dictionary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dictionaries/FIX44.xml")
}

/// Nanoseconds since the Unix epoch (CLOCK_REALTIME, shared by all processes).
pub fn realtime_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn now() -> UtcTimestamp {
    UtcTimestamp::now(Precision::Millis).unwrap_or_else(|| {
        UtcTimestamp::from_unix_nanos(0, Precision::Millis).unwrap_or_else(|| unreachable!())
    })
}

/// Order `i`: ClOrdID `B-<i>`, HandlInst 1, SYM, buy 100 limit at 100.00 + (i mod 1000)/100,
/// TransactTime now (milliseconds): the same fields and values as the QuickFIX peer's.
pub fn new_order(i: usize) -> fix44::NewOrderSingle {
    let cents = 10_000 + (i % 1000) as i64;
    fix44::NewOrderSingle::new(
        format!("B-{i}"),
        Instrument::new().with_symbol("SYM"),
        Side::Buy,
        now(),
        OrderQtyData::new().with_order_qty(Decimal::from(100)),
        OrdType::Limit,
    )
    .with_handl_inst(HandlInst::AutomatedExecutionNoIntervention)
    .with_price(Decimal::new(cents, 2))
}

fn text<'a>(view: &MessageView<'a>, tag: u32) -> &'a str {
    view.field(tag)
        .and_then(|v| std::str::from_utf8(v).ok())
        .unwrap_or("")
}

fn decimal(view: &MessageView<'_>, tag: u32) -> Decimal {
    text(view, tag).parse().unwrap_or(Decimal::ZERO)
}

/// The fill for a received NewOrderSingle, read from the zero-copy view and built typed:
/// the same fields and values as the QuickFIX peer's (OrderID `O-<ClOrdID>`, ExecID
/// `E-<ClOrdID>`, ExecType F, OrdStatus 2, LastQty = CumQty = OrderQty, LastPx = AvgPx =
/// Price, LeavesQty 0).
pub fn fill(order: &MessageView<'_>) -> fix44::ExecutionReport {
    let cl = text(order, 11);
    let qty = decimal(order, 38);
    let px = decimal(order, 44);
    let side = match text(order, 54) {
        "1" => Side::Buy,
        "2" => Side::Sell,
        other => Side::Unlisted(other.to_string()),
    };
    let ord_type = match text(order, 40) {
        "1" => OrdType::Market,
        "2" => OrdType::Limit,
        other => OrdType::Unlisted(other.to_string()),
    };
    fix44::ExecutionReport::new(
        format!("O-{cl}"),
        format!("E-{cl}"),
        ExecType::Trade,
        OrdStatus::Filled,
        Instrument::new().with_symbol(text(order, 55)),
        side,
        Decimal::ZERO,
        qty,
        px,
    )
    .with_cl_ord_id(cl)
    .with_order_qty_data(OrderQtyData::new().with_order_qty(qty))
    .with_ord_type(ord_type)
    .with_price(px)
    .with_last_qty(qty)
    .with_last_px(px)
    .with_transact_time(now())
}

/// Which end of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Listens.
    Acceptor,
    /// Connects and logs on.
    Initiator,
}

impl Role {
    /// `acceptor` or `initiator` (QuickFIX's ConnectionType).
    pub fn name(self) -> &'static str {
        match self {
            Role::Acceptor => "acceptor",
            Role::Initiator => "initiator",
        }
    }
}

/// A store configuration, as each engine spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// Ours: `StoreType=memory`; QuickFIX: MemoryStoreFactory.
    Memory,
    /// Ours: SQLite with `SqliteStoreSync=full` (survives power loss).
    SqliteFull,
    /// Ours: SQLite with `SqliteStoreSync=normal` (survives a process crash).
    SqliteNormal,
    /// Ours: the file store (QuickFIX's layout), no fsync (survives a process crash).
    File,
    /// QuickFIX: FileStoreFactory (fwrite + fflush per record, no fsync: survives a
    /// process crash).
    QfFile,
}

impl Store {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Store::Memory => "memory",
            Store::SqliteFull => "SQLite full",
            Store::SqliteNormal => "SQLite normal",
            Store::File => "file",
            Store::QfFile => "FileStore",
        }
    }

    /// `[DEFAULT]` lines for our engine.
    pub fn ours_lines(self) -> &'static str {
        match self {
            Store::Memory => "StoreType=memory\n",
            Store::SqliteFull => "StoreType=sqlite\nSqliteStoreSync=full\n",
            Store::SqliteNormal => "StoreType=sqlite\nSqliteStoreSync=normal\n",
            Store::File | Store::QfFile => "StoreType=file\nFileStoreSync=never\n",
        }
    }

    /// The STORE argument of the QuickFIX peer.
    pub fn qf_arg(self) -> &'static str {
        match self {
            Store::Memory => "memory",
            _ => "file",
        }
    }
}

/// Settings text read by both engines (QuickFIX ignores our store keys): `sessions` are
/// `(SenderCompID, TargetCompID)` pairs of FIX.4.4 sessions, validation with the FIX44
/// dictionary on, no message log.
pub fn settings(
    role: Role,
    port: u16,
    sessions: &[(String, String)],
    heart_bt_int: u32,
    dir: &Path,
    store: Store,
) -> String {
    let mut s = format!(
        "[DEFAULT]\nConnectionType={}\nStartTime=00:00:00\nEndTime=00:00:00\n\
         FileStorePath={}\nResetOnLogon=Y\nPersistMessages=Y\nSocketNodelay=Y\n\
         UseDataDictionary=Y\nDataDictionary={}\nReconnectInterval=1\nHeartBtInt={heart_bt_int}\n\
         LogonTimeout=30\n{}",
        role.name(),
        dir.join("store").display(),
        dictionary().display(),
        store.ours_lines(),
    );
    match role {
        Role::Acceptor => {
            s += &format!(
                "SocketAcceptHost=127.0.0.1\nSocketAcceptPort={port}\nSocketReuseAddress=Y\n"
            )
        }
        Role::Initiator => s += &format!("SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"),
    }
    for (sender, target) in sessions {
        s += &format!(
            "[SESSION]\nBeginString=FIX.4.4\nSenderCompID={sender}\nTargetCompID={target}\n"
        );
    }
    s
}

/// A port that was free a moment ago (QuickFIX cannot report the port it bound).
pub fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// A running engine process speaking the line protocol.
pub struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl Proc {
    /// Starts `program` with `args`; its stdout lines are read by a thread.
    pub fn spawn(name: &str, program: &Path, args: &[String]) -> Result<Proc, String> {
        Proc::spawn_env(name, program, args, &[])
    }

    /// [`Proc::spawn`] with more environment variables.
    pub fn spawn_env(
        name: &str,
        program: &Path,
        args: &[String],
        env: &[(&str, &str)],
    ) -> Result<Proc, String> {
        let mut child = Command::new(program)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{name}: cannot start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Proc {
            name: name.to_string(),
            child,
            stdin,
            lines: rx,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a line whose first word is `kind` and returns the words after it; an
    /// `ERROR` line, the end of output or `timeout` is an error. Other lines are skipped.
    pub fn expect(&self, kind: &str, timeout: Duration) -> Result<Vec<String>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .map_err(|e| format!("{}: no {kind} line ({e:?}) within {timeout:?}", self.name))?;
            let mut words = line.split_whitespace().map(str::to_string);
            match words.next().as_deref() {
                Some(k) if k == kind => return Ok(words.collect()),
                Some("ERROR") => return Err(format!("{}: {line}", self.name)),
                _ => {}
            }
        }
    }

    /// Counts lines whose first word is `kind` until `n` were seen (or `timeout`).
    pub fn count(&self, kind: &str, n: usize, timeout: Duration) -> Result<(), String> {
        for k in 0..n {
            self.expect(kind, timeout)
                .map_err(|e| format!("{e} (after {k} of {n})"))?;
        }
        Ok(())
    }

    /// Asks the process to stop (QUIT) and waits for it; kills it after 10 s.
    pub fn quit(mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"QUIT\n");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// VmRSS of process `pid` in KiB (`/proc/<pid>/status`).
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Whether process `pid` is still running (exists and is not a zombie).
pub fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            rest.split_whitespace()
                .next()
                .map(|state| state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

/// Threads of process `pid` (`/proc/<pid>/status`).
pub fn threads(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
}

/// utime + stime of process `pid` in clock ticks (`/proc/<pid>/stat`, fields 14 and 15).
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3.
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 if that fails).
pub fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// The soft limit on open files of this process (`/proc/self/limits`).
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The load average line of `/proc/loadavg` (first three numbers).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The `q` quantile (0..=1) of sorted `v` (nearest rank).
pub fn percentile(v: &[u64], q: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Reads round-trip samples (ns, one per line) from `path`, sorted.
pub fn read_samples(path: &Path) -> Result<Vec<u64>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut v: Vec<u64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    v.sort_unstable();
    Ok(v)
}

/// One line of a latency plot: a name, a colour and sorted samples in ns.
pub struct Series<'a> {
    /// Legend text.
    pub name: &'a str,
    /// SVG colour.
    pub color: &'a str,
    /// Sorted samples, ns.
    pub samples: &'a [u64],
}

/// A percentile plot as SVG: x is the percentile on a log scale of 1/(1-q) (50, 90, 99,
/// 99.9, 99.99), y the round-trip time in microseconds on a log scale; one line per series.
pub fn latency_svg(title: &str, series: &[Series<'_>]) -> String {
    let (w, h) = (860.0_f64, 440.0_f64);
    let (left, right, top, bottom) = (70.0, 290.0, 40.0, 50.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    // x: log10(1/(1-q)) from q=0 (0) to 99.99% (4).
    let x_max = 4.0;
    let xs = |q: f64| left + pw * ((1.0 / (1.0 - q)).log10() / x_max).min(1.0);
    let us = |ns: u64| (ns.max(1) as f64) / 1000.0;
    let all = series.iter().flat_map(|s| s.samples.iter().copied());
    let lo = all.clone().min().map_or(1.0, us);
    let hi = all.max().map_or(1000.0, us);
    let y_lo = 10f64.powf(lo.log10().floor());
    let y_hi = 10f64.powf(hi.log10().ceil());
    let span = (y_hi.log10() - y_lo.log10()).max(1.0);
    let ys = |v: f64| top + ph * (1.0 - (v.log10() - y_lo.log10()) / span);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
        left + pw / 2.0,
        escape(title)
    );
    // Grid and axes.
    for (q, label) in [
        (0.0, "0"),
        (0.5, "50"),
        (0.9, "90"),
        (0.99, "99"),
        (0.999, "99.9"),
        (0.9999, "99.99"),
    ] {
        let x = xs(q);
        s += &format!(
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>\n",
            top + ph,
            top + ph + 16.0
        );
    }
    let mut decade = y_lo;
    while decade <= y_hi * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let v = decade * m;
            if v > y_hi * 1.0001 {
                break;
            }
            let y = ys(v);
            let label = if v >= 1000.0 {
                format!("{} ms", v / 1000.0)
            } else {
                format!("{v} us")
            };
            s += &format!(
                "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>\n",
                left + pw,
                if m == 1.0 { "#ccc" } else { "#eee" },
                left - 6.0,
                y + 4.0
            );
        }
        decade *= 10.0;
    }
    s += &format!(
        "<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#333\"/>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">percentile</text>\n\
         <text x=\"16\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1})\">round trip</text>\n",
        left + pw / 2.0,
        h - 10.0,
        top + ph / 2.0,
        top + ph / 2.0
    );
    // Lines: one point per 1/200 of log10 range, sampled at the percentile.
    for (k, ser) in series.iter().enumerate() {
        if ser.samples.is_empty() {
            continue;
        }
        let n = ser.samples.len() as f64;
        // The highest percentile the samples support (one sample beyond it).
        let q_max = (1.0 - 1.0 / n).min(0.9999);
        let mut points = Vec::new();
        for i in 0..=400 {
            let lx = x_max * i as f64 / 400.0;
            let q = 1.0 - 1.0 / 10f64.powf(lx);
            if q > q_max {
                break;
            }
            let v = us(percentile(ser.samples, q.max(1e-9)));
            points.push(format!("{:.1},{:.1}", xs(q), ys(v)));
        }
        s += &format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
            ser.color,
            points.join(" ")
        );
        let ly = top + 14.0 + 20.0 * k as f64;
        s += &format!(
            "<line x1=\"{:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{}\" stroke-width=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            left + pw + 10.0,
            left + pw + 30.0,
            ser.color,
            left + pw + 36.0,
            ly + 4.0,
            escape(ser.name)
        );
    }
    s += "</svg>\n";
    s
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_plot() {
        let v: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        assert_eq!(percentile(&v, 0.5), 500_000);
        assert_eq!(percentile(&v, 0.99), 990_000);
        let svg = latency_svg(
            "t",
            &[Series {
                name: "a<b",
                color: "red",
                samples: &v,
            }],
        );
        assert!(svg.starts_with("<svg") && svg.contains("polyline") && svg.contains("a&lt;b"));
    }

    #[test]
    fn settings_parse_for_our_engine() {
        let dir = Path::new("/tmp");
        for store in [Store::Memory, Store::SqliteFull, Store::File] {
            for role in [Role::Acceptor, Role::Initiator] {
                let text = settings(
                    role,
                    1234,
                    &[("A".into(), "B".into()), ("A".into(), "C".into())],
                    5,
                    dir,
                    store,
                );
                let s: fix_session::settings::Settings = text.parse().expect("settings");
                assert_eq!(s.sessions.len(), 2, "{text}");
            }
        }
    }

    #[test]
    fn proc_readers() {
        let pid = std::process::id();
        assert!(rss_kb(pid).unwrap_or(0) > 0);
        assert!(cpu_ticks(pid).is_some());
        assert!(threads(pid).unwrap_or(0) >= 1);
        assert!(running(pid));
    }
}
