//! Heap allocations per decoded and per sent message, counted by a counting global
//! allocator (Rust) and a counting global `operator new` (C++, QuickFIX), on the messages of
//! the codec benches.
//!
//! ```text
//! cargo run -p fix-bench-codec --release --bin codec-allocs [-- --orders 20000]
//! ```
//!
//! Every codec figure is the steady state: the average over 1,000 operations after 100
//! unmeasured ones, with decoders and output buffers reused as an engine would (fefix's
//! decoder also once per message on a fresh decoder, its bug's workaround). The session
//! figure sends NewOrderSingles with `SessionHandle::enqueue` from an initiator to an
//! acceptor over loopback in this process (memory store, FIX44 validation on the acceptor,
//! an application that only counts), and divides every allocation of the process during
//! the run by the number of orders.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_bench_codec::{fefix_peer, messages, quickfix};
use fix_core::{Decoder, ValidationOptions};

/// Counts allocation calls (alloc, alloc_zeroed, realloc) and the bytes asked for.
struct Counting;

static CALLS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

#[allow(unsafe_code)]
mod counting {
    use super::{Counting, BYTES, CALLS};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::Ordering;

    // SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
    // GlobalAlloc contract; the counters are atomics and never allocate.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            CALLS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
            // SAFETY: the caller's layout contract is passed on as is.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            CALLS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
            // SAFETY: as in `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` was allocated by `System` with `layout` (all allocations go
            // through this allocator).
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            CALLS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
            // SAFETY: as in `dealloc`, and `new_size` is the caller's.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[cfg(quickfix_cpp)]
    mod cpp {
        extern "C" {
            fn qfcount_allocations() -> u64;
        }

        /// C++ `operator new` calls so far (cpp/qfcount.cpp, linked into this binary).
        pub fn allocations() -> u64 {
            // SAFETY: qfcount_allocations takes nothing and only reads an atomic counter.
            unsafe { qfcount_allocations() }
        }
    }

    /// C++ `operator new` calls so far (0 without QuickFIX).
    pub fn cpp_allocations() -> u64 {
        #[cfg(quickfix_cpp)]
        {
            cpp::allocations()
        }
        #[cfg(not(quickfix_cpp))]
        {
            0
        }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const WARM: usize = 100;
const RUNS: usize = 1000;

/// Allocation calls and bytes per operation of `f` (Rust and C++ together), steady state.
fn per_op(mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..WARM {
        f();
    }
    let (c0, b0, x0) = (
        CALLS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
        counting::cpp_allocations(),
    );
    for _ in 0..RUNS {
        f();
    }
    let calls = CALLS.load(Ordering::Relaxed) - c0 + counting::cpp_allocations() - x0;
    let bytes = BYTES.load(Ordering::Relaxed) - b0;
    (calls as f64 / RUNS as f64, bytes as f64 / RUNS as f64)
}

fn row(what: &str, (calls, bytes): (f64, f64)) {
    if bytes > 0.0 {
        println!("| {what} | {calls:.1} | {bytes:.0} |");
    } else {
        println!("| {what} | {calls:.1} | |");
    }
}

fn codec() {
    let opts = ValidationOptions::default();
    let fefix_dict = fefix_peer::dictionary();
    let qf_dict = quickfix::Dictionary::load(quickfix::fix44_xml());
    println!("| per message | allocations | bytes (Rust only) |");
    println!("|---|---|---|");
    for (name, raw) in messages::all() {
        let mut decoder = Decoder::new();
        row(
            &format!("{name}: ours, view decode+validate"),
            per_op(|| {
                let view = decoder
                    .decode(&raw, &fix44::DICTIONARY, &opts)
                    .expect("framed");
                assert!(view.problem().is_none());
            }),
        );
        row(
            &format!("{name}: ours, typed decode+validate"),
            per_op(|| {
                fix44::Message::decode_with(&raw, &opts).expect("valid");
            }),
        );
        let (header, msg) = fix44::Message::decode_with(&raw, &opts).expect("valid");
        let mut out = Vec::with_capacity(1024);
        row(
            &format!("{name}: ours, typed encode"),
            per_op(|| {
                out.clear();
                msg.encode(&header, &mut out).expect("encodes");
            }),
        );
        let mut reused = fefix_peer::fresh_decoder(&fefix_dict);
        row(
            &format!("{name}: fefix, decode (reused decoder, wrong group state)"),
            per_op(|| {
                fefix_peer::decode(&mut reused, &raw).expect("decodes");
            }),
        );
        // A fresh decoder per message: its construction is counted apart.
        let (c0, b0) = (CALLS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
        let mut fresh: Vec<_> = (0..RUNS)
            .map(|_| fefix_peer::fresh_decoder(&fefix_dict))
            .collect();
        let build = (
            (CALLS.load(Ordering::Relaxed) - c0) as f64 / RUNS as f64,
            (BYTES.load(Ordering::Relaxed) - b0) as f64 / RUNS as f64,
        );
        let (c0, b0) = (CALLS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
        for d in &mut fresh {
            fefix_peer::decode(d, &raw).expect("decodes");
        }
        let decode = (
            (CALLS.load(Ordering::Relaxed) - c0) as f64 / RUNS as f64,
            (BYTES.load(Ordering::Relaxed) - b0) as f64 / RUNS as f64,
        );
        drop(fresh);
        row(&format!("{name}: fefix, decode (fresh decoder)"), decode);
        row(
            &format!("{name}: fefix, `Decoder::new` (the workaround)"),
            build,
        );
        let fmsg = fefix_peer::outgoing(&raw);
        let mut encoder = fefix::tagvalue::Encoder::default();
        let mut fout = Vec::with_capacity(1024);
        row(
            &format!("{name}: fefix, encode"),
            per_op(|| {
                fefix_peer::encode(&mut encoder, &fmsg, &mut fout);
            }),
        );
        match qf_dict
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|dd| quickfix::Bench::new(dd, &raw))
        {
            Ok(mut qf) => {
                row(
                    &format!("{name}: QuickFIX C++, parse (no dictionary)"),
                    per_op(|| assert!(qf.parse_plain() > 0)),
                );
                row(
                    &format!("{name}: QuickFIX C++, parse + validate"),
                    per_op(|| assert!(qf.parse_validate() > 0)),
                );
                row(
                    &format!("{name}: QuickFIX C++, encode (toString)"),
                    per_op(|| assert!(qf.encode() > 0)),
                );
            }
            Err(e) => println!("| {name}: QuickFIX C++ | {e} | |"),
        }
    }
}

/// An acceptor application that counts the application messages it receives.
struct Counter(AtomicU64);

impl fix_session::app::Application for Counter {
    fn from_app(
        &self,
        _msg: &fix_core::MessageView<'_>,
        _id: &fix_session::settings::SessionId,
        _out: &mut fix_session::app::Responder,
    ) -> Result<(), fix_session::app::AppReject> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The initiator's application: does nothing.
struct Quiet;

impl fix_session::app::Application for Quiet {}

async fn wait_logon(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<fix_session::driver::SessionEvent>,
) {
    let wait = async {
        while let Some(ev) = events.recv().await {
            if ev.event == fix_session::core::Event::LoggedOn {
                return;
            }
        }
        panic!("the session stopped before logging on");
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .expect("logon within 30 s");
}

async fn wait_count(counter: &Counter, n: u64) {
    let wait = async {
        while counter.0.load(Ordering::Relaxed) < n {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(120), wait)
        .await
        .expect("every order received within 120 s");
}

async fn session(orders: u64) {
    use fix_session::driver::{Acceptor, Initiator};
    use fix_session::settings::{SessionId, Settings};
    use fix_session::store::MemoryStoreFactory;

    let stores = Arc::new(MemoryStoreFactory);
    let acc: Settings = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptHost=127.0.0.1\n\
        SocketAcceptPort=0\nSenderCompID=EXCH\nUseDataDictionary=Y\nDataDictionary=FIX44.xml\n\
        [SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n"
        .parse()
        .expect("acceptor settings");
    let counter = Arc::new(Counter(AtomicU64::new(0)));
    let (acceptor, _acc_events) = Acceptor::start(acc, stores.clone(), counter.clone())
        .await
        .expect("acceptor");
    let port = acceptor.local_addr().expect("port").port();
    let ini: Settings = format!(
        "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\n\
         SocketConnectPort={port}\nHeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\n\
         UseDataDictionary=Y\nDataDictionary=FIX44.xml\n[SESSION]\nBeginString=FIX.4.4\n\
         TargetCompID=EXCH\n"
    )
    .parse()
    .expect("initiator settings");
    let (initiator, mut events) = Initiator::start(ini, stores, Arc::new(Quiet))
        .await
        .expect("initiator");
    wait_logon(&mut events).await;
    let handle = initiator
        .session(&SessionId::new("FIX.4.4", "BANK", "EXCH"))
        .expect("session")
        .clone();

    let raw = messages::new_order_single();
    let (_, fix44::Message::NewOrderSingle(order)) =
        fix44::Message::decode_with(&raw, &ValidationOptions::default()).expect("valid")
    else {
        panic!("not a NewOrderSingle")
    };
    let order: fix44::NewOrderSingle = *order;
    let warm = 1000;
    for _ in 0..warm {
        handle.enqueue(order.clone()).await.expect("enqueue");
    }
    wait_count(&counter, warm).await;

    // What making each owned message costs (the clone handed to enqueue).
    let (c0, b0) = (CALLS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
    let clones: Vec<_> = (0..1000).map(|_| order.clone()).collect();
    let clone_calls = (CALLS.load(Ordering::Relaxed) - c0) as f64 / 1000.0;
    let clone_bytes = (BYTES.load(Ordering::Relaxed) - b0) as f64 / 1000.0;
    drop(clones);

    let (c0, b0) = (CALLS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
    let start = Instant::now();
    for _ in 0..orders {
        handle.enqueue(order.clone()).await.expect("enqueue");
    }
    wait_count(&counter, warm + orders).await;
    let elapsed = start.elapsed();
    let calls = (CALLS.load(Ordering::Relaxed) - c0) as f64 / orders as f64;
    let bytes = (BYTES.load(Ordering::Relaxed) - b0) as f64 / orders as f64;
    initiator.stop().await;
    acceptor.stop().await;

    println!();
    println!(
        "Session, {orders} NewOrderSingles one way over loopback with `SessionHandle::enqueue` \
         (memory store, FIX44 validation on the acceptor, {:.0} msg/s in this run), whole \
         process, per message:",
        orders as f64 / elapsed.as_secs_f64()
    );
    println!();
    println!("| per sent message | allocations | bytes |");
    println!("|---|---|---|");
    row(
        "all: clone of the typed order + enqueue + store + encode + write + read + decode + validate + app",
        (calls, bytes),
    );
    row(
        "of which the clone of the typed order",
        (clone_calls, clone_bytes),
    );
    row(
        "engine only (all less the clone)",
        (calls - clone_calls, bytes - clone_bytes),
    );
}

fn main() {
    let mut orders = 20_000u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--orders" => {
                orders = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--orders N")
            }
            "--bench" => {}
            other => {
                eprintln!("usage: codec-allocs [--orders N] (unknown: {other})");
                std::process::exit(2);
            }
        }
    }
    if !quickfix::AVAILABLE {
        println!("QuickFIX C++: skipped (libquickfix-dev not found at build time)\n");
    }
    codec();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(session(orders));
}
