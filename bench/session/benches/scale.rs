//! Side by side, scale: one acceptor process holding 1,000 and then 5,000 logged-on FIX.4.4
//! sessions (one `[SESSION]` per TargetCompID, generated: neither engine has dynamic
//! sessions), our engine and QuickFIX C++ 1.15.1 (ThreadedSocketAcceptor: one thread per
//! connection; its select()-based SocketAcceptor cannot watch more than 1,024 sockets).
//!
//! The initiators are ours, all in this process (one `Initiator` with N sessions), the same
//! for both acceptors. Every session has a short HeartBtInt (default 5 s) and sends a trickle
//! of orders (one NewOrderSingle per session every `--trickle` seconds, spread evenly; the
//! acceptor answers each with a fill). Figures for the acceptor process, read from
//! `/proc/<pid>`:
//!
//! - time to log on: from starting the initiators to the N-th Logon answered;
//! - memory: VmRSS before the engine starts (printed by the acceptor itself), after it
//!   started (sessions configured, none connected) and after every session logged on and the
//!   trickle ran for a while; per session = (after - before) / N;
//! - CPU at rest: utime + stime over an interval (`--idle` seconds) with the heartbeats and
//!   the trickle running, as a share of one core.
//!
//! ```text
//! cargo bench -p fix-bench-session --bench scale
//! cargo bench -p fix-bench-session --bench scale -- --sessions 1000,5000 --heartbeat 5 --trickle 10 --idle 20
//! ```
//!
//! Each side needs N file descriptors (plus a few): the bench checks the soft limit
//! (`ulimit -n`) and says so when it is too low.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_bench_session::{
    clock_ticks, cpu_ticks, free_port, load_average, new_order, open_files_limit, rss_kb, running,
    settings, threads, Proc, Role, Store,
};
use fix_core::MessageView;
use fix_session::app::{AppReject, Application, Responder};
use fix_session::core::Event;
use fix_session::driver::Initiator;
use fix_session::settings::{SessionId, Settings};
use fix_session::store::MemoryStoreFactory;

/// Counts the fills the initiators receive.
#[derive(Default)]
struct Counter {
    reports: AtomicU64,
}

impl Application for Counter {
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        _out: &mut Responder,
    ) -> Result<(), AppReject> {
        if msg.msg_type() == b"8" {
            self.reports.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

struct Options {
    heartbeat: u32,
    trickle: f64,
    idle: u64,
    /// UseDataDictionary on both sides.
    dictionary: bool,
}

struct Figures {
    logon: Duration,
    rss_before: u64,
    rss_ready: u64,
    rss_after: u64,
    cpu: f64,
    threads: u64,
    reports: u64,
    /// Disconnections while logging on (connections refused or closed, then retried).
    retries: u64,
    logouts: u64,
}

fn program(engine: &str) -> Option<PathBuf> {
    match engine {
        "ours" => Some(PathBuf::from(env!("CARGO_BIN_EXE_fix-bench-engine"))),
        _ => option_env!("FIX_BENCH_QFBENCH").map(PathBuf::from),
    }
}

fn run(engine: &str, n: usize, o: &Options) -> Result<Figures, String> {
    let prog = program(engine).ok_or("skipped")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = free_port().map_err(|e| e.to_string())?;
    let clients: Vec<String> = (0..n).map(|k| format!("C{k}")).collect();
    let acc_sessions: Vec<(String, String)> = clients
        .iter()
        .map(|c| ("EXCH".to_string(), c.clone()))
        .collect();
    let ini_sessions: Vec<(String, String)> = clients
        .iter()
        .map(|c| (c.clone(), "EXCH".to_string()))
        .collect();
    let acc_cfg = dir.path().join("acceptor.cfg");
    let dictionary = |text: String| {
        if o.dictionary {
            return text;
        }
        text.lines()
            .filter(|l| !l.starts_with("DataDictionary="))
            .map(|l| {
                if l == "UseDataDictionary=Y" {
                    "UseDataDictionary=N\n".to_string()
                } else {
                    format!("{l}\n")
                }
            })
            .collect()
    };
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(
        &acc_cfg,
        dictionary(settings(
            Role::Acceptor,
            port,
            &acc_sessions,
            o.heartbeat,
            &dir.path().join("acc"),
            Store::Memory,
        )),
    )?;
    let ini_text = dictionary(settings(
        Role::Initiator,
        port,
        &ini_sessions,
        o.heartbeat,
        &dir.path().join("ini"),
        Store::Memory,
    ));
    let a = Proc::spawn(
        engine,
        &prog,
        &[
            "acceptor".into(),
            "memory".into(),
            "echo".into(),
            "0".into(),
            acc_cfg.display().to_string(),
            "-".into(),
        ],
    )?;
    let rss_before: u64 = a.expect("RSS", Duration::from_secs(30))?[0]
        .parse()
        .map_err(|_| "bad RSS")?;
    a.expect("READY", Duration::from_secs(300))?;
    std::thread::sleep(Duration::from_millis(500));
    let pid = a.pid();
    let rss_ready = rss_kb(pid).unwrap_or(0);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let figures = runtime.block_on(async {
        let settings: Settings = ini_text.parse().map_err(|e| format!("{e}"))?;
        let app = Arc::new(Counter::default());
        let t0 = Instant::now();
        let (handle, mut events) =
            Initiator::start(settings, Arc::new(MemoryStoreFactory), app.clone())
                .await
                .map_err(|e| e.to_string())?;
        let mut on = 0usize;
        let mut retries = 0u64;
        let wait = async {
            let mut check = tokio::time::interval(Duration::from_millis(500));
            while on < n {
                tokio::select! {
                    ev = events.recv() => match ev.map(|e| e.event) {
                        Some(Event::LoggedOn) => on += 1,
                        Some(Event::Disconnected { .. }) => retries += 1,
                        Some(_) => {}
                        None => return Err("initiator stopped".to_string()),
                    },
                    _ = check.tick() => {
                        if !running(pid) {
                            return Err(format!(
                                "the acceptor process exited after {on} of {n} sessions logged \
                                 on (its message is on stderr)"
                            ));
                        }
                    }
                }
            }
            Ok(())
        };
        tokio::time::timeout(Duration::from_secs(600), wait)
            .await
            .map_err(|_| format!("{on} of {n} logged on after 600 s"))??;
        let logon = t0.elapsed();
        // Count logouts from here on (there should be none).
        let logouts = Arc::new(AtomicU64::new(0));
        let l = logouts.clone();
        tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if matches!(ev.event, Event::LoggedOut | Event::Disconnected { .. }) {
                    l.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        // The trickle: one order per session every `trickle` seconds, spread evenly.
        let sessions: Vec<_> = handle.sessions().cloned().collect();
        let step = Duration::from_secs_f64(o.trickle / n as f64);
        let trickle = tokio::spawn(async move {
            let mut tick = tokio::time::interval(step);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for i in 0.. {
                tick.tick().await;
                let s = &sessions[i % sessions.len()];
                let _ = s.enqueue(new_order(i)).await;
            }
        });
        // Let the trickle and heartbeats run a full period before measuring.
        let settle = Duration::from_secs_f64(o.trickle.max(o.heartbeat as f64) + 2.0);
        tokio::time::sleep(settle).await;
        let reports0 = app.reports.load(Ordering::Relaxed);
        let cpu0 = cpu_ticks(pid).ok_or("no /proc stat")?;
        tokio::time::sleep(Duration::from_secs(o.idle)).await;
        let cpu1 = cpu_ticks(pid).ok_or("no /proc stat")?;
        let reports = app.reports.load(Ordering::Relaxed) - reports0;
        let rss_after = rss_kb(pid).unwrap_or(0);
        let threads = threads(pid).unwrap_or(0);
        let logouts = logouts.load(Ordering::Relaxed);
        trickle.abort();
        let cpu = (cpu1 - cpu0) as f64 / clock_ticks() as f64 / o.idle as f64;
        handle.stop().await;
        Ok::<_, String>(Figures {
            logon,
            rss_before,
            rss_ready,
            rss_after,
            cpu,
            threads,
            reports,
            retries,
            logouts,
        })
    })?;
    a.quit();
    Ok(figures)
}

/// MemAvailable in KiB (`/proc/meminfo`).
fn mem_available_kb() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(u64::MAX / 4)
}

fn main() {
    let mut sizes = vec![1000usize, 5000];
    let mut engines = vec!["ours".to_string(), "quickfix".to_string()];
    let mut o = Options {
        heartbeat: 5,
        trickle: 10.0,
        idle: 20,
        dictionary: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_default();
        match a.as_str() {
            "--bench" => {}
            "--sessions" => sizes = val().split(',').filter_map(|s| s.parse().ok()).collect(),
            "--engines" => engines = val().split(',').map(str::to_string).collect(),
            "--heartbeat" => o.heartbeat = val().parse().unwrap_or(o.heartbeat),
            "--trickle" => o.trickle = val().parse().unwrap_or(o.trickle),
            "--idle" => o.idle = val().parse().unwrap_or(o.idle),
            "--dictionary" => o.dictionary = val() != "N",
            other => {
                eprintln!(
                    "unknown argument {other}\nusage: scale [--sessions 1000,5000] \
                     [--engines ours,quickfix] [--heartbeat S] [--trickle S] [--idle S] [--dictionary Y|N]"
                );
                std::process::exit(2);
            }
        }
    }
    let limit = open_files_limit().unwrap_or(0);
    let largest = sizes.iter().copied().max().unwrap_or(0) as u64;
    println!(
        "load average {} (start); open files soft limit {limit}; HeartBtInt={} s, one order \
         per session every {} s, CPU over {} s, UseDataDictionary={}",
        load_average(),
        o.heartbeat,
        o.trickle,
        o.idle,
        if o.dictionary { "Y" } else { "N" }
    );
    if limit < largest + 64 {
        println!(
            "the soft limit on open files ({limit}) is below {} sessions + 64: raise it \
             (ulimit -n {}) and run again",
            largest,
            largest * 2 + 64
        );
        std::process::exit(1);
    }
    println!(
        "\n| acceptor | sessions | time to log on | RSS before / started / all logged on | \
         RSS per session | threads | CPU at rest (one core) | fills in the interval | \
         reconnects while logging on | logouts |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for engine in &engines {
        // RSS per session of the last run, to skip a size that would not fit in memory.
        let mut per_session_kb = 0.0;
        for &n in &sizes {
            let name = if engine == "ours" { "ours" } else { "QuickFIX" };
            let need_kb = per_session_kb * n as f64;
            let available = mem_available_kb();
            if need_kb > available as f64 / 2.0 {
                println!(
                    "| {name} | {n} | skipped: would need about {:.1} GiB ({per_session_kb:.0} KiB \
                     per session), more than half of MemAvailable ({:.1} GiB) | | | | | | | |",
                    need_kb / 1048576.0,
                    available as f64 / 1048576.0
                );
                continue;
            }
            match run(engine, n, &o) {
                Ok(f) => {
                    per_session_kb = f.rss_after.saturating_sub(f.rss_before) as f64 / n as f64;
                    println!(
                    "| {name} | {n} | {:.2} s | {:.1} / {:.1} / {:.1} MiB | {:.1} KiB | {} | {:.1} % | {} | {} | {} |",
                    f.logon.as_secs_f64(),
                    f.rss_before as f64 / 1024.0,
                    f.rss_ready as f64 / 1024.0,
                    f.rss_after as f64 / 1024.0,
                    f.rss_after.saturating_sub(f.rss_before) as f64 / n as f64,
                    f.threads,
                    f.cpu * 100.0,
                    f.reports,
                    f.retries,
                    f.logouts
                    )
                }
                Err(e) => println!("| {name} | {n} | {e} | | | | | | | |"),
            }
        }
    }
    println!("\nload average {} (end)", load_average());
}
