//! Side by side, session engine: our engine vs QuickFIX C++ 1.15.1 over loopback, each
//! engine role in its own process (see the crate docs), same machine, same run, same
//! message bytes (the NewOrderSingle and the ExecutionReport are byte for byte the same on
//! the wire apart from timestamps, checked with strace):
//!
//! - one-way throughput: an initiator sends N NewOrderSingles as fast as it can; the
//!   acceptor counts them. Rate = N / (realtime of the N-th order received by the acceptor's
//!   application - realtime just before the first send), for every pair of engines with the
//!   memory store, and per engine with durable stores;
//! - round trip: NewOrderSingle -> ExecutionReport (the acceptor echoes a fill), one at a
//!   time, 1,000 warm-up round trips then N measured; percentiles, and the plot
//!   `bench/session/latency.svg`.
//!
//! - in flight: the initiator sends N orders with at most 1,000 unanswered (the acceptor
//!   echoes a fill), orders/s.
//!
//! Our engine runs as its default: sessions on its event loops (one per core), the
//! application's order loop on a runtime as `#[tokio::main]` builds it (`ours`); with one
//! event loop and a current-thread runtime for the application (`ours (1 thread)`,
//! `FIX_ENGINE_THREADS=1`, `FIX_BENCH_RUNTIME=current-thread`), and for the round trip a
//! third time so with `SocketBusyPoll=Y` (100 us, `ours (1 thread, busy poll)`).
//!
//! ```text
//! cargo bench -p fix-bench-session --bench session
//! cargo bench -p fix-bench-session --bench session -- --orders 100000 --round-trips 20000 --repeat 3
//! cargo bench -p fix-bench-session --bench session -- --only throughput|rtt|window
//! ```
//!
//! Without QuickFIX's headers at build time the QuickFIX rows print "skipped".

use std::path::{Path, PathBuf};
use std::time::Duration;

use fix_bench_session::{
    free_port, latency_svg, load_average, percentile, read_samples, settings, Proc, Role, Series,
    Store,
};

const START_TIMEOUT: Duration = Duration::from_secs(60);
const RUN_TIMEOUT: Duration = Duration::from_secs(900);

/// An engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    /// Our engine as it runs by default (its event loops; the application on a
    /// multi-thread runtime).
    Ours,
    /// Our engine on one event loop, the application on a current-thread runtime.
    Ours1,
    /// The same with SocketBusyPoll=Y (100 us).
    Ours1Busy,
    QuickFix,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Ours => "ours",
            Engine::Ours1 => "ours (1 thread)",
            Engine::Ours1Busy => "ours (1 thread, busy poll)",
            Engine::QuickFix => "QuickFIX",
        }
    }

    fn program(self) -> Option<PathBuf> {
        match self {
            Engine::Ours | Engine::Ours1 | Engine::Ours1Busy => {
                Some(PathBuf::from(env!("CARGO_BIN_EXE_fix-bench-engine")))
            }
            Engine::QuickFix => option_env!("FIX_BENCH_QFBENCH").map(PathBuf::from),
        }
    }

    fn env(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Engine::Ours1 => &[
                ("FIX_BENCH_RUNTIME", "current-thread"),
                ("FIX_ENGINE_THREADS", "1"),
            ],
            Engine::Ours1Busy => &[
                ("FIX_BENCH_RUNTIME", "current-thread"),
                ("FIX_ENGINE_THREADS", "1"),
                ("FIX_BENCH_BUSY_POLL", "100"),
            ],
            _ => &[],
        }
    }
}

/// Writes both settings files in `dir`; returns (acceptor file, initiator file).
fn write_settings(dir: &Path, store: Store, port: u16) -> Result<(PathBuf, PathBuf), String> {
    let acc = dir.join("acceptor.cfg");
    let ini = dir.join("initiator.cfg");
    let pair = |a: &str, b: &str| vec![(a.to_string(), b.to_string())];
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(
        &acc,
        settings(
            Role::Acceptor,
            port,
            &pair("EXCH", "BANK"),
            30,
            &dir.join("acc"),
            store,
        ),
    )?;
    write(
        &ini,
        settings(
            Role::Initiator,
            port,
            &pair("BANK", "EXCH"),
            30,
            &dir.join("ini"),
            store,
        ),
    )?;
    Ok((acc, ini))
}

fn args(role: &str, store: Store, mode: &str, n: usize, cfg: &Path, out: &str) -> Vec<String> {
    vec![
        role.to_string(),
        store.qf_arg().to_string(),
        mode.to_string(),
        n.to_string(),
        cfg.display().to_string(),
        out.to_string(),
    ]
}

fn programs(ini: Engine, acc: Engine) -> Option<(PathBuf, PathBuf)> {
    Some((ini.program()?, acc.program()?))
}

/// One one-way run; messages per second.
fn one_way(ini: Engine, acc: Engine, store: Store, mode: &str, n: usize) -> Result<f64, String> {
    let (ini_prog, acc_prog) = programs(ini, acc).ok_or("skipped")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = free_port().map_err(|e| e.to_string())?;
    let (acc_cfg, ini_cfg) = write_settings(dir.path(), store, port)?;
    let a = Proc::spawn_env(
        "acceptor",
        &acc_prog,
        &args("acceptor", store, "count", n, &acc_cfg, "-"),
        acc.env(),
    )?;
    a.expect("READY", START_TIMEOUT)?;
    // QuickFIX's sendToTarget persists and writes each message before it returns: its only
    // way, the like of our awaited send.
    let mode = if ini == Engine::QuickFix {
        "send"
    } else {
        mode
    };
    let i = Proc::spawn_env(
        "initiator",
        &ini_prog,
        &args("initiator", store, mode, n, &ini_cfg, "-"),
        ini.env(),
    )?;
    let start: u128 = i.expect("START", START_TIMEOUT)?[0]
        .parse()
        .map_err(|_| "bad START")?;
    let got = a.expect("RECEIVED", RUN_TIMEOUT)?;
    let last: u128 = got[2].parse().map_err(|_| "bad RECEIVED")?;
    i.expect("SENT", RUN_TIMEOUT)?;
    i.quit();
    a.quit();
    Ok(n as f64 / ((last - start) as f64 / 1e9))
}

/// The initiator's result line and the samples it wrote (if any).
type EchoRun = (Vec<String>, Result<Vec<u64>, String>);

/// Runs an echoing acceptor and an initiator in `mode` (N orders, samples to `dir/out.txt`);
/// returns the initiator's `kind` line and that file.
fn echo_run(
    ini: Engine,
    acc: Engine,
    store: Store,
    mode: &str,
    kind: &str,
    n: usize,
) -> Result<EchoRun, String> {
    let (ini_prog, acc_prog) = programs(ini, acc).ok_or("skipped")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = free_port().map_err(|e| e.to_string())?;
    let (acc_cfg, ini_cfg) = write_settings(dir.path(), store, port)?;
    let out = dir.path().join("out.txt");
    let a = Proc::spawn_env(
        "acceptor",
        &acc_prog,
        &args("acceptor", store, "echo", 0, &acc_cfg, "-"),
        acc.env(),
    )?;
    a.expect("READY", START_TIMEOUT)?;
    let out_arg = out.display().to_string();
    let i = Proc::spawn_env(
        "initiator",
        &ini_prog,
        &args("initiator", store, mode, n, &ini_cfg, &out_arg),
        ini.env(),
    )?;
    let line = i.expect(kind, RUN_TIMEOUT)?;
    i.quit();
    a.quit();
    Ok((line, read_samples(&out)))
}

/// One round-trip run; sorted samples in ns.
fn round_trips(ini: Engine, acc: Engine, store: Store, n: usize) -> Result<Vec<u64>, String> {
    echo_run(ini, acc, store, "rtt", "RTT", n)?.1
}

/// One in-flight run (at most 1,000 orders unanswered), each order sent with `mode`
/// (`window`: awaited; `window-queued`: enqueued); orders per second.
fn in_flight(ini: Engine, acc: Engine, store: Store, mode: &str, n: usize) -> Result<f64, String> {
    let (got, _) = echo_run(ini, acc, store, mode, "WINDOW", n)?;
    let at = |k: usize| -> Result<u128, String> {
        got.get(k)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| "bad WINDOW line".to_string())
    };
    Ok(n as f64 / ((at(2)? - at(1)?) as f64 / 1e9))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A one-way case: initiator, acceptor, store, our send mode, N.
struct Case {
    ini: Engine,
    acc: Engine,
    store: Store,
    mode: &'static str,
    n: usize,
}

fn main() {
    let mut orders = 100_000usize;
    let mut durable_orders = 20_000usize;
    let mut rts = 20_000usize;
    let mut repeat = 3usize;
    let mut only = String::new();
    let mut svg = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("latency.svg");
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_default();
        match a.as_str() {
            "--bench" => {}
            "--orders" => orders = val().parse().unwrap_or(orders),
            "--durable-orders" => durable_orders = val().parse().unwrap_or(durable_orders),
            "--round-trips" => rts = val().parse().unwrap_or(rts),
            "--repeat" => repeat = val().parse::<usize>().unwrap_or(repeat).max(1),
            "--only" => only = val(),
            "--svg" => svg = PathBuf::from(val()),
            other => {
                eprintln!(
                    "unknown argument {other}\nusage: session [--orders N] [--durable-orders N] \
                     [--round-trips N] [--repeat R] [--only throughput|rtt|window] [--svg FILE]"
                );
                std::process::exit(2);
            }
        }
    }
    use Engine::{Ours, Ours1, Ours1Busy, QuickFix as Qf};
    println!(
        "load average {} (start); QuickFIX peer: {}",
        load_average(),
        Engine::QuickFix
            .program()
            .map_or("not built (skipped)".to_string(), |p| p
                .display()
                .to_string())
    );

    if only.is_empty() || only == "throughput" {
        let slow = durable_orders.min(2_000);
        let c = |ini, acc, store, mode, n| Case {
            ini,
            acc,
            store,
            mode,
            n,
        };
        let cases = [
            c(Ours, Ours, Store::Memory, "send", orders),
            c(Ours, Ours, Store::Memory, "send-awaited", orders),
            c(Ours1, Ours1, Store::Memory, "send", orders),
            c(Ours1, Ours1, Store::Memory, "send-awaited", orders),
            c(Qf, Qf, Store::Memory, "send", orders),
            c(Ours, Qf, Store::Memory, "send", orders),
            c(Qf, Ours, Store::Memory, "send", orders),
            c(Ours, Ours, Store::File, "send", durable_orders),
            c(Ours, Ours, Store::File, "send-awaited", durable_orders),
            c(Ours, Ours, Store::SqliteNormal, "send", durable_orders),
            c(
                Ours,
                Ours,
                Store::SqliteNormal,
                "send-awaited",
                durable_orders,
            ),
            c(Qf, Qf, Store::QfFile, "send", durable_orders),
            c(Ours, Ours, Store::SqliteFull, "send", durable_orders),
            c(Ours, Ours, Store::SqliteFull, "send-awaited", slow),
        ];
        println!("\none way, initiator -> acceptor, median of {repeat} runs\n");
        println!("| initiator -> acceptor | store (both ends) | send | orders | msg/s |");
        println!("|---|---|---|---|---|");
        for case in &cases {
            let mut rates = Vec::new();
            let mut err = None;
            for _ in 0..repeat {
                match one_way(case.ini, case.acc, case.store, case.mode, case.n) {
                    Ok(r) => rates.push(r),
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
            }
            let send = match (case.ini, case.mode) {
                (Qf, _) => "sendToTarget",
                (_, "send") => "queued",
                _ => "awaited",
            };
            let figure = match err {
                Some(e) if e == "skipped" => "skipped".to_string(),
                Some(e) => format!("failed: {e}"),
                None => format!(
                    "{:.0} (runs: {})",
                    median(rates.clone()),
                    rates
                        .iter()
                        .map(|r| format!("{r:.0}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            println!(
                "| {} -> {} | {} | {send} | {} | {figure} |",
                case.ini.name(),
                case.acc.name(),
                case.store.label(),
                case.n
            );
        }
    }

    if only.is_empty() || only == "window" {
        println!("\nin flight: at most 1,000 orders unanswered, median of {repeat} runs\n");
        println!("| initiator -> acceptor | store (both ends) | send | orders | orders/s |");
        println!("|---|---|---|---|---|");
        let (awaited, queued) = ("window", "window-queued");
        for (ini, acc, store, mode, n) in [
            (Ours, Ours, Store::Memory, awaited, orders),
            (Ours, Ours, Store::Memory, queued, orders),
            (Qf, Qf, Store::Memory, awaited, orders),
            (Ours, Ours, Store::SqliteNormal, awaited, durable_orders),
            (Ours, Ours, Store::SqliteNormal, queued, durable_orders),
            (Qf, Qf, Store::QfFile, awaited, durable_orders),
            (Ours, Ours, Store::SqliteFull, awaited, durable_orders),
            (Ours, Ours, Store::SqliteFull, queued, durable_orders),
        ] {
            let runs: Result<Vec<f64>, String> = (0..repeat)
                .map(|_| in_flight(ini, acc, store, mode, n))
                .collect();
            let figure = match runs {
                Ok(r) => format!(
                    "{:.0} (runs: {})",
                    median(r.clone()),
                    r.iter()
                        .map(|x| format!("{x:.0}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Err(e) => e,
            };
            let send = match (ini, mode) {
                (Qf, _) => "sendToTarget",
                (_, "window") => "awaited",
                _ => "queued",
            };
            println!(
                "| {} -> {} | {} | {send} | {n} | {figure} |",
                ini.name(),
                acc.name(),
                store.label()
            );
        }
    }

    if only.is_empty() || only == "rtt" {
        println!(
            "\nround trip NewOrderSingle -> ExecutionReport, one at a time, {rts} after 1,000 warm-up\n"
        );
        println!("| initiator -> acceptor | store | p50 | p99 | p99.9 | max |");
        println!("|---|---|---|---|---|---|");
        let pairs = [
            (Ours, Ours, Store::Memory, "#1f77b4"),
            (Ours1, Ours1, Store::Memory, "#2ca02c"),
            (Ours1Busy, Ours1Busy, Store::Memory, "#9467bd"),
            (Qf, Qf, Store::Memory, "#d62728"),
            (Ours, Qf, Store::Memory, "#9ecae1"),
            (Qf, Ours, Store::Memory, "#fc9272"),
            (Ours, Ours, Store::SqliteNormal, ""),
            (Ours1, Ours1, Store::SqliteNormal, ""),
            (Qf, Qf, Store::QfFile, ""),
        ];
        let mut plotted: Vec<(String, &str, Vec<u64>)> = Vec::new();
        for (ini, acc, store, color) in pairs {
            let label = format!("{} -> {}", ini.name(), acc.name());
            match round_trips(ini, acc, store, rts) {
                Ok(v) => {
                    let us = |q: f64| percentile(&v, q) as f64 / 1000.0;
                    println!(
                        "| {label} | {} | {:.1} us | {:.1} us | {:.1} us | {:.1} us |",
                        store.label(),
                        us(0.5),
                        us(0.99),
                        us(0.999),
                        us(1.0)
                    );
                    if !color.is_empty() {
                        plotted.push((label, color, v));
                    }
                }
                Err(e) => println!("| {label} | {} | {e} | | | |", store.label()),
            }
        }
        if !plotted.is_empty() {
            let series: Vec<Series<'_>> = plotted
                .iter()
                .map(|(name, color, v)| Series {
                    name,
                    color,
                    samples: v,
                })
                .collect();
            let title = format!(
                "NewOrderSingle -> ExecutionReport round trip, loopback, memory store ({rts} each)"
            );
            match std::fs::write(&svg, latency_svg(&title, &series)) {
                Ok(()) => println!("\nplot: {}", svg.display()),
                Err(e) => println!("\nplot: cannot write {}: {e}", svg.display()),
            }
        }
    }
    println!("\nload average {} (end)", load_average());
}
