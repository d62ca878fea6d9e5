//! Loopback bench of the session engine with the real tokio drivers, printing figures:
//!
//! - one-way throughput: an initiator sends 100,000 typed FIX.4.4 NewOrderSingles to an
//!   acceptor that only counts them (time from the first send to the last order handed to
//!   the acceptor's application), with the memory and the file store, from one sending task
//!   and from four, through the queued fast path (`SessionHandle::enqueue`: the session
//!   task batches many messages per store call and socket write), through
//!   `SessionHandle::enqueue_all` (the same, reserving queue room 256 messages at a time)
//!   and through the awaited
//!   `SessionHandle::send` (one message in flight per sending task);
//! - round trip: NewOrderSingle -> ExecutionReport (the fill, the second of two reports),
//!   one order at a time, percentiles p50/p99/p99.9/max, with the memory and the file store.
//!
//! ```text
//! cargo bench -p fix-session --bench loopback [-- --orders 100000 --round-trips 20000]
//! cargo bench -p fix-session --bench loopback -- --only one-way --store memory --send queued
//! cargo bench -p fix-session --bench loopback -- --tls      # the same over TLS 1.3 (rustls)
//! cargo bench -p fix-session --bench loopback -- --app-work # orders built in the timed loop,
//!                                                           # typed reads in the counter
//! ```
//!
//! One way, the orders are built before the clock starts and the acceptor's application
//! counts them by MsgType (the engine still decodes and validates each against FIX44 before
//! calling it): the figure is the engine's. `--app-work` adds the application's work (each
//! order built in the timed loop, read through its typed view by the counting application).
//! Each one-way line also gives the CPU time the whole process used per message.
//!
//! Both sides run in one process on a 2-worker tokio runtime (the bench machine has 2
//! cores), validating against the standard FIX44 dictionary as a deployment would. With
//! `--runtime current` everything runs on one current-thread runtime; with
//! `--runtime per-side` each side has a current-thread runtime on a thread of its own (the
//! initiator with the senders and the bench's own tasks, the acceptor alone).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_example_app::cli::{
    LoopbackArgs, Only, Parser as _, RuntimeFlavour as Runtime, SendMode as Mode, StoreKind,
};
use fix_example_app::{
    percentile, run_orders, wait_logon, Blotter, Client, Exchange, ExchangeOptions,
};
use fix_session::driver::{Acceptor, AcceptorHandle, Initiator, InitiatorHandle, SessionHandle};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::{FileStoreFactory, MemoryStoreFactory, StoreFactory};
use fix_session::typed::Typed;

const TIMEOUT: Duration = Duration::from_secs(300);

static RUNTIME: std::sync::OnceLock<Runtime> = std::sync::OnceLock::new();

/// The acceptor, on the bench's runtime or on its own thread.
enum AcceptorSide {
    Here(AcceptorHandle),
    Thread {
        stop: tokio::sync::oneshot::Sender<()>,
        stopped: tokio::sync::oneshot::Receiver<()>,
        thread: std::thread::JoinHandle<()>,
    },
}

impl AcceptorSide {
    async fn stop(self) {
        match self {
            AcceptorSide::Here(a) => a.stop().await,
            AcceptorSide::Thread {
                stop,
                stopped,
                thread,
            } => {
                let _ = stop.send(());
                let _ = stopped.await;
                thread.join().expect("acceptor thread");
            }
        }
    }
}

/// Starts the acceptor on this runtime or (`Runtime::PerSide`) on a thread of its own with a
/// current-thread runtime; returns it and its port.
async fn start_acceptor(
    acc: Settings,
    stores: Arc<dyn StoreFactory>,
    exchange: Arc<Typed<Exchange>>,
) -> (AcceptorSide, u16) {
    if RUNTIME.get() != Some(&Runtime::PerSide) {
        let (acceptor, _) = Acceptor::start(acc, stores, exchange)
            .await
            .expect("acceptor");
        let port = acceptor.local_addr().expect("port").port();
        return (AcceptorSide::Here(acceptor), port);
    }
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (stopped_tx, stopped) = tokio::sync::oneshot::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("acceptor runtime");
        rt.block_on(async move {
            let (acceptor, _) = Acceptor::start(acc, stores, exchange)
                .await
                .expect("acceptor");
            let _ = port_tx.send(acceptor.local_addr().expect("port").port());
            let _ = stop_rx.await;
            acceptor.stop().await;
            let _ = stopped_tx.send(());
        });
    });
    let port = port_rx.await.expect("acceptor port");
    (
        AcceptorSide::Thread {
            stop,
            stopped,
            thread,
        },
        port,
    )
}

struct Pair {
    acceptor: AcceptorSide,
    initiator: InitiatorHandle,
    session: SessionHandle,
    events: tokio::sync::mpsc::UnboundedReceiver<fix_session::driver::SessionEvent>,
}

/// With `--tls`: a CA and a server certificate for 127.0.0.1 written into `dir`, and the
/// settings lines of each side.
fn tls_settings(dir: &Path) -> (String, String) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    let ca = rcgen::CertifiedIssuer::self_signed(ca, rcgen::KeyPair::generate().expect("key"))
        .expect("CA");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("params")
        .signed_by(&key, &*ca)
        .expect("certificate");
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write PEM");
        path.display().to_string()
    };
    let (ca, cert, key) = (
        write("ca.pem", ca.pem()),
        write("server.pem", cert.pem()),
        write("server.key", key.serialize_pem()),
    );
    (
        format!("SocketUseSSL=Y\nServerCertificateFile={cert}\nServerCertificateKeyFile={key}\n"),
        format!("SocketUseSSL=Y\nCertificationAuthoritiesFile={ca}\n"),
    )
}

async fn pair(
    stores: Arc<dyn StoreFactory>,
    dir: &Path,
    exchange: Arc<Typed<Exchange>>,
    client: Arc<Typed<Client>>,
    tls: bool,
) -> Pair {
    let (acc_tls, ini_tls) = if tls {
        tls_settings(dir)
    } else {
        Default::default()
    };
    let acc: Settings = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptHost=127.0.0.1\nSocketAcceptPort=0\n\
         SenderCompID=EXCH\nUseDataDictionary=Y\nDataDictionary=FIX44.xml\nFileStorePath={}\n\
         {acc_tls}[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n",
        dir.join("acc").display()
    )
    .parse()
    .expect("acceptor settings");
    let (acceptor, port) = start_acceptor(acc, stores.clone(), exchange).await;
    let ini: Settings = format!(
        "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n\
         HeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\nUseDataDictionary=Y\n\
         DataDictionary=FIX44.xml\nFileStorePath={}\n{ini_tls}[SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n",
        dir.join("ini").display()
    )
    .parse()
    .expect("initiator settings");
    let (initiator, mut events) = Initiator::start(ini, stores, client)
        .await
        .expect("initiator");
    wait_logon(&mut events, TIMEOUT).await.expect("logon");
    let session = initiator
        .session(&SessionId::new("FIX.4.4", "BANK", "EXCH"))
        .expect("session")
        .clone();
    Pair {
        acceptor,
        initiator,
        session,
        events,
    }
}

/// CPU time used so far by every thread of this process (Linux: the sum of the first field
/// of `/proc/self/task/*/schedstat`, in nanoseconds); `None` elsewhere.
fn process_cpu_ns() -> Option<u64> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        let text = std::fs::read_to_string(path).ok()?;
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Sends `n` orders from `senders` tasks; returns messages per second received by the
/// acceptor's application and the CPU time the process used per message meanwhile (both
/// sides and the senders, in microseconds; the bench machine's noise moves it much less
/// than the rate).
async fn one_way(
    stores: Arc<dyn StoreFactory>,
    n: usize,
    senders: usize,
    mode: Mode,
    tls: bool,
    app_work: bool,
) -> (f64, Option<f64>) {
    let dir = tempfile::tempdir().expect("temp dir");
    // The acceptor's application only counts; the counter is polled every millisecond
    // (rather than the application waking this task for every order, which would cost a
    // thread wake-up per message and measure the bench instead of the engine).
    // It counts NewOrderSingles by MsgType (reading none of their fields); the engine still
    // decodes and validates each one against FIX44 before calling it.
    // With `app_work` (`--app-work`), the counting application reads each order through
    // its typed view (ClOrdID, PossDupFlag) and the orders are built in the timed loop.
    let exchange = Exchange::new(ExchangeOptions {
        silent: true,
        count_only: !app_work,
        ..ExchangeOptions::default()
    });
    let received = exchange.stats();
    let client = Blotter::new("B-", n);
    let app = Arc::new(Typed(Client::new(client.clone())));
    let p = pair(stores, dir.path(), Arc::new(Typed(exchange)), app, tls).await;
    // The typed orders are built before the clock starts: building them (about a dozen
    // allocations each) is the application's work, not the engine's.
    let mut batches: Vec<Vec<_>> = (0..senders)
        .map(|k| match app_work {
            true => Vec::new(),
            // An exact size hint: one allocation, no moves of the orders while growing.
            false => (k..n).step_by(senders).map(|i| client.order(i)).collect(),
        })
        .collect();
    let cpu0 = process_cpu_ns();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (k, orders) in batches.drain(..).enumerate() {
        let (session, client) = (p.session.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            let built = (k..n).step_by(senders).map(|i| client.order(i));
            let orders: Box<dyn Iterator<Item = _> + Send> = if app_work {
                Box::new(built)
            } else {
                Box::new(orders.into_iter())
            };
            match mode {
                Mode::Queued => {
                    for order in orders {
                        session.enqueue(order).await.expect("enqueue");
                    }
                }
                Mode::Batch => session.enqueue_all(orders).await.expect("enqueue_all"),
                Mode::Awaited => {
                    for order in orders {
                        session.send(order).await.expect("send");
                    }
                }
            }
        }));
    }
    tokio::time::timeout(TIMEOUT, async {
        while (received.orders() as usize) < n {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("every order received");
    let elapsed = start.elapsed();
    let cpu = cpu0
        .zip(process_cpu_ns())
        .map(|(a, b)| b.saturating_sub(a) as f64 / 1e3 / n as f64);
    for t in tasks {
        t.await.expect("sender");
    }
    assert_eq!(p.session.refused(), 0, "queued orders refused");
    p.initiator.stop().await;
    p.acceptor.stop().await;
    (n as f64 / elapsed.as_secs_f64(), cpu)
}

/// `n` round trips, one order at a time; returns the summary.
async fn round_trips(
    stores: Arc<dyn StoreFactory>,
    n: usize,
    tls: bool,
) -> fix_example_app::Summary {
    let dir = tempfile::tempdir().expect("temp dir");
    let client = Blotter::new("R-", n);
    let app = Arc::new(Typed(Client::new(client.clone())));
    let exchange = Arc::new(Typed(Exchange::default()));
    let mut p = pair(stores, dir.path(), exchange, app, tls).await;
    let s = run_orders(&p.session, &client, &mut p.events, n, 1, TIMEOUT)
        .await
        .expect("round trips");
    p.initiator.stop().await;
    p.acceptor.stop().await;
    s
}

fn main() {
    // `cargo bench` passes `--bench`; the command line accepts it.
    let args = LoopbackArgs::parse();
    let (n, rt, tls, app_work) = (args.orders, args.round_trips, args.tls, args.app_work);
    let over = if tls { " tls" } else { "" };
    let flavour = args.runtime;
    let _ = RUNTIME.set(flavour);
    let runtime = match flavour {
        Runtime::Multi => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build(),
        Runtime::Current | Runtime::PerSide => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    }
    .expect("runtime");
    runtime.block_on(async {
        let memory: Arc<dyn StoreFactory> = Arc::new(MemoryStoreFactory);
        let file: Arc<dyn StoreFactory> = Arc::new(FileStoreFactory);
        // Warm-up (dictionary load, allocator, page cache).
        one_way(memory.clone(), 10_000, 1, Mode::Queued, tls, app_work).await;
        one_way(memory.clone(), 10_000, 1, Mode::Awaited, tls, app_work).await;
        let modes: Vec<(&str, Mode)> = [
            ("queued", Mode::Queued),
            ("batch", Mode::Batch),
            ("awaited", Mode::Awaited),
        ]
        .into_iter()
        .filter(|(_, mode)| args.send.is_none_or(|m| m == *mode))
        .collect();
        let stores_to_run: Vec<(&str, &Arc<dyn StoreFactory>)> = [
            ("memory", StoreKind::Memory, &memory),
            ("file", StoreKind::File, &file),
        ]
        .into_iter()
        .filter(|(_, kind, _)| args.store.is_none_or(|k| k == *kind))
        .map(|(name, _, stores)| (name, stores))
        .collect();
        let senders_to_run = args.senders.map_or(vec![1, 4], |s| vec![s]);
        for &(name, stores) in stores_to_run.iter().filter(|_| args.only != Some(Only::RoundTrip)) {
            for &(name_mode, mode) in &modes {
                for &senders in &senders_to_run {
                    let (rate, cpu) = one_way(stores.clone(), n, senders, mode, tls, app_work).await;
                    let cpu = cpu.map_or(String::new(), |c| format!(", cpu {c:.2} us/msg"));
                    println!(
                        "one-way  store={name:<6} send={name_mode:<7} senders={senders} orders={n}{over}: {rate:>9.0} msg/s{cpu}"
                    );
                }
            }
        }
        for &(name, stores) in stores_to_run.iter().filter(|_| args.only != Some(Only::OneWay)) {
            let s = round_trips(stores.clone(), rt, tls).await;
            let us = |q: f64| percentile(&s.rtts, q).as_secs_f64() * 1e6;
            println!(
                "round-trip store={name:<6} orders={rt}{over} (one at a time): p50={:.1}us p99={:.1}us p99.9={:.1}us max={:.1}us ({:.0} round trips/s)",
                us(0.5),
                us(0.99),
                us(0.999),
                us(1.0),
                s.filled as f64 / s.elapsed.as_secs_f64()
            );
        }
    });
}
