//! `fix-bench-engine`: our engine's side of the side-by-side benches, with the same
//! arguments and line protocol as the QuickFIX peer (`peer/qfbench.cpp`, see its header):
//!
//! ```text
//! fix-bench-engine ROLE STORE MODE N SETTINGS OUT
//! ```
//!
//! STORE is ignored (the store comes from the settings' `StoreType`, opened by
//! `SettingsStoreFactory`). MODE is `count`, `echo`, `send` (queued:
//! `SessionHandle::enqueue`, the batching fast path, then `flush`), `send-awaited`
//! (`SessionHandle::send`, which returns once the message is persisted and written, like
//! QuickFIX's `sendToTarget`), `rtt` (1,000 warm-up round trips, then N) or `window` (N
//! orders, at most 1,000 without their ExecutionReport, each sent with
//! `SessionHandle::send`; prints `WINDOW n start_ns end_ns`) or `window-queued` (the same
//! with `SessionHandle::enqueue`). Sessions run on the engine's
//! own event loops (the default runtime); the application's side (the order loops) runs on
//! a tokio runtime as `#[tokio::main]` makes it, or a current-thread runtime with
//! `FIX_BENCH_RUNTIME=current-thread`. `FIX_BENCH_BUSY_POLL=MICROS` turns on
//! `SocketBusyPoll` for every session with that `SocketBusyPollTime` (the settings file
//! is shared with the QuickFIX peer, which does not know the key).
//!
//! Logons are printed from the application's `on_logon`; the event receivers are dropped
//! once logged on (nobody reads them in a run, so the engine skips the copy of each
//! received message an event would carry). `rtt` enqueues each order
//! (`SessionHandle::enqueue`: persisted before it is written, like every send) and waits
//! for its fill, without waiting for the write's confirmation first.

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use fix_bench_session::{fill, new_order, realtime_ns, rss_kb};
use fix_core::MessageView;
use fix_session::app::{AppReject, Application, Responder};
use fix_session::core::Event;
use fix_session::driver::{Acceptor, Initiator, SessionHandle};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::SettingsStoreFactory;
use tokio::sync::mpsc;

const WARMUP: usize = 1000;

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn fail(msg: &str) -> ! {
    say(&format!("ERROR {msg}"));
    std::process::exit(1)
}

/// The application: counts or echoes orders, forwards reports to the round-trip loop.
struct Bench {
    mode: String,
    n: u64,
    orders: AtomicU64,
    first_ns: Mutex<u128>,
    reports: mpsc::UnboundedSender<()>,
}

impl Application for Bench {
    fn on_logon(&self, id: &SessionId) {
        say(&format!("LOGON {id}"));
    }

    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        match msg.msg_type() {
            b"D" if self.mode == "count" => {
                let k = self.orders.fetch_add(1, Ordering::Relaxed) + 1;
                if k == 1 {
                    *self.first_ns.lock().unwrap_or_else(|e| e.into_inner()) = realtime_ns();
                }
                if k == self.n {
                    let first = *self.first_ns.lock().unwrap_or_else(|e| e.into_inner());
                    say(&format!("RECEIVED {k} {first} {}", realtime_ns()));
                }
            }
            b"D" if self.mode == "echo" => out.reply(fill(msg)),
            b"8" => {
                let _ = self.reports.send(());
            }
            _ => {}
        }
        Ok(())
    }
}

async fn first_logon(
    events: &mut mpsc::UnboundedReceiver<fix_session::driver::SessionEvent>,
) -> SessionId {
    while let Some(ev) = events.recv().await {
        if ev.event == Event::LoggedOn {
            return ev.session;
        }
    }
    fail("the engine stopped before a logon")
}

async fn send(session: &SessionHandle, n: usize, awaited: bool) {
    say(&format!("START {}", realtime_ns()));
    for i in 0..n {
        let r = if awaited {
            session.send(new_order(i)).await.map(|_| ())
        } else {
            session.enqueue(new_order(i)).await
        };
        if let Err(e) = r {
            fail(&format!("send: {e}"));
        }
    }
    if let Err(e) = session.flush().await {
        fail(&format!("flush: {e}"));
    }
    say(&format!("SENT {n} {}", realtime_ns()));
}

async fn window(
    session: &SessionHandle,
    reports: &mut mpsc::UnboundedReceiver<()>,
    n: usize,
    queued: bool,
) {
    const WINDOW: usize = 1000;
    let start = realtime_ns();
    let mut answered = 0;
    for i in 0..n {
        while i - answered >= WINDOW {
            if reports.recv().await.is_none() {
                fail("the engine stopped");
            }
            answered += 1;
        }
        let sent = if queued {
            session.enqueue(new_order(i)).await
        } else {
            session.send(new_order(i)).await.map(|_| ())
        };
        if let Err(e) = sent {
            fail(&format!("send: {e}"));
        }
    }
    while answered < n {
        if reports.recv().await.is_none() {
            fail("the engine stopped");
        }
        answered += 1;
    }
    say(&format!("WINDOW {n} {start} {}", realtime_ns()));
}

async fn rtt(
    session: &SessionHandle,
    reports: &mut mpsc::UnboundedReceiver<()>,
    n: usize,
    out: &str,
) {
    let mut samples = Vec::with_capacity(n);
    for i in 0..WARMUP + n {
        let t0 = Instant::now();
        if let Err(e) = session.enqueue(new_order(i)).await {
            fail(&format!("send: {e}"));
        }
        if reports.recv().await.is_none() {
            fail("the engine stopped");
        }
        if i >= WARMUP {
            samples.push(t0.elapsed().as_nanos() as u64);
        }
    }
    let text: String = samples.iter().map(|s| format!("{s}\n")).collect();
    if let Err(e) = std::fs::write(out, text) {
        fail(&format!("{out}: {e}"));
    }
    say(&format!("RTT {}", samples.len()));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [role, _store, mode, n, settings, out] = args.as_slice() else {
        eprintln!("usage: fix-bench-engine acceptor|initiator STORE MODE N SETTINGS OUT");
        std::process::exit(2);
    };
    let n: usize = n.parse().unwrap_or_else(|_| fail("N is not a number"));
    say(&format!("RSS {}", rss_kb(std::process::id()).unwrap_or(0)));
    let mut settings = Settings::from_file(settings).unwrap_or_else(|e| fail(&e.to_string()));
    if let Ok(micros) = std::env::var("FIX_BENCH_BUSY_POLL") {
        let micros: u64 = micros
            .parse()
            .unwrap_or_else(|_| fail("FIX_BENCH_BUSY_POLL is not a number"));
        for s in &mut settings.sessions {
            s.socket_busy_poll = Some(std::time::Duration::from_micros(micros));
        }
    }
    // The application's runtime: FIX_BENCH_RUNTIME=current-thread, or what #[tokio::main]
    // builds (one worker per core). Sessions run on the engine's loops either way.
    let runtime = match std::env::var("FIX_BENCH_RUNTIME").as_deref() {
        Ok("current-thread") => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    }
    .unwrap_or_else(|e| fail(&e.to_string()));
    runtime.block_on(async {
        let (tx, mut reports) = mpsc::unbounded_channel();
        let app = Arc::new(Bench {
            mode: mode.clone(),
            n: n as u64,
            orders: AtomicU64::new(0),
            first_ns: Mutex::new(0),
            reports: tx,
        });
        let stores = Arc::new(SettingsStoreFactory::new());
        // Stdin: QUIT or its end stops the process.
        let (quit_tx, mut quit) = mpsc::unbounded_channel::<()>();
        std::thread::spawn(move || {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).is_ok_and(|k| k > 0) {
                if line.trim() == "QUIT" {
                    break;
                }
                line.clear();
            }
            let _ = quit_tx.send(());
        });
        match role.as_str() {
            "acceptor" => {
                let (handle, events) = Acceptor::start(settings, stores, app)
                    .await
                    .unwrap_or_else(|e| fail(&e.to_string()));
                drop(events);
                say("READY");
                quit.recv().await;
                handle.stop().await;
            }
            "initiator" => {
                let (handle, mut events) = Initiator::start(settings, stores, app)
                    .await
                    .unwrap_or_else(|e| fail(&e.to_string()));
                say("READY");
                let id = first_logon(&mut events).await;
                let session = handle
                    .session(&id)
                    .unwrap_or_else(|| fail("no session"))
                    .clone();
                drop(events);
                match mode.as_str() {
                    "send" => send(&session, n, false).await,
                    "send-awaited" => send(&session, n, true).await,
                    "rtt" => rtt(&session, &mut reports, n, out).await,
                    "window" => window(&session, &mut reports, n, false).await,
                    "window-queued" => window(&session, &mut reports, n, true).await,
                    _ => {}
                }
                quit.recv().await;
                handle.stop().await;
            }
            other => fail(&format!("unknown role {other}")),
        }
    });
    say("STOPPED");
}
