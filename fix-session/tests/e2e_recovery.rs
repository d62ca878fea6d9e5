//! End to end over loopback TCP with the real drivers: an initiator sends 10,000
//! NewOrderSingles through a TCP relay to an acceptor that answers each with two
//! ExecutionReports (New, then Filled). Mid-stream the relay first drops what it carries in
//! each direction, then cuts the connection; both sides must recover through ResendRequest,
//! with no order or report lost or duplicated to either application (checked on sequence
//! numbers and ClOrdIDs). Once with the memory store (the initiator reconnects), once with the
//! file store where both engines are stopped completely during the outage and new Acceptor
//! and Initiator instances continue from the same FileStorePath.
//!
//! No sleeps decide anything: every wait is for an event, with a timeout only as a safety net.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fix_example_app::{
    Blotter, Client, Exchange, ExchangeOptions, ExchangeStats, Received, Report, ReportKind,
};
use fix_session::core::{Event, SendError};
use fix_session::driver::{Acceptor, DriverError, Initiator, SessionEvent};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::{FileStoreFactory, MemoryStoreFactory, StoreFactory};
use fix_session::typed::Typed;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

const ORDERS: usize = 10_000;
/// Orders sent but not yet received by the exchange, at most.
const IN_FLIGHT: u64 = 200;
/// Fills received before the connection is cut.
const CUT_AFTER: usize = 3_000;
/// Safety net for every wait.
const SAFETY: Duration = Duration::from_secs(120);

// ----- a TCP relay that can drop traffic and cut connections -----

/// One direction of the relay.
#[derive(Default)]
struct Direction {
    discard: AtomicBool,
    discarded: AtomicU64,
    notify: Notify,
}

/// A loopback TCP relay in front of `upstream`.
struct Relay {
    addr: SocketAddr,
    listener: JoinHandle<()>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// Initiator to acceptor, acceptor to initiator.
    dirs: Arc<[Direction; 2]>,
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    dir: &Direction,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if dir.discard.load(Ordering::SeqCst) {
            dir.discarded.fetch_add(n as u64, Ordering::SeqCst);
            dir.notify.notify_waiters();
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let dirs: Arc<[Direction; 2]> = Arc::default();
        let (c, d) = (conns.clone(), dirs.clone());
        let listener = tokio::spawn(async move {
            while let Ok((down, _)) = listener.accept().await {
                let Ok(up) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let _ = (down.set_nodelay(true), up.set_nodelay(true));
                let d = d.clone();
                let task = tokio::spawn(async move {
                    let (dr, dw) = down.into_split();
                    let (ur, uw) = up.into_split();
                    tokio::join!(pump(dr, uw, &d[0]), pump(ur, dw, &d[1]));
                });
                c.lock().unwrap().push(task);
            }
        });
        Relay {
            addr,
            listener,
            conns,
            dirs,
        }
    }

    /// Drops what flows acceptor -> initiator until something was dropped, then the same
    /// initiator -> acceptor, then closes every connection (the relay keeps listening).
    /// Returns the bytes dropped in each direction.
    async fn cut(&self) -> [u64; 2] {
        for i in [1, 0] {
            let dir = &self.dirs[i];
            dir.discard.store(true, Ordering::SeqCst);
            tokio::time::timeout(SAFETY, async {
                loop {
                    let notified = dir.notify.notified();
                    if dir.discarded.load(Ordering::SeqCst) > 0 {
                        break;
                    }
                    notified.await;
                }
            })
            .await
            .expect("traffic to drop");
        }
        for task in self.conns.lock().unwrap().drain(..) {
            task.abort();
        }
        let dropped = [0, 1].map(|i| self.dirs[i].discarded.swap(0, Ordering::SeqCst));
        for d in self.dirs.iter() {
            d.discard.store(false, Ordering::SeqCst);
        }
        dropped
    }

    /// Stops listening and closes every connection.
    fn stop(self) {
        self.listener.abort();
        for task in self.conns.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

// ----- the two engines -----

fn acceptor_settings(store: &Path) -> Settings {
    format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptHost=127.0.0.1\nSocketAcceptPort=0\n\
         SenderCompID=EXCH\nUseDataDictionary=Y\nDataDictionary=FIX44.xml\nFileStorePath={}\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n",
        store.display()
    )
    .parse()
    .unwrap()
}

fn initiator_settings(store: &Path, port: u16) -> Settings {
    format!(
        "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n\
         HeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\nUseDataDictionary=Y\n\
         DataDictionary=FIX44.xml\nFileStorePath={}\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n",
        store.display()
    )
    .parse()
    .unwrap()
}

fn initiator_id() -> SessionId {
    SessionId::new("FIX.4.4", "BANK", "EXCH")
}

/// What the order-sending task is told: whether the session is logged on, how many logons
/// there were, whether to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Go {
    up: bool,
    logons: u64,
    stop: bool,
}

/// Sends orders `next..ORDERS` in order, keeping at most [`IN_FLIGHT`] not yet received by
/// `exchange` (so traffic flows both ways whatever the fills do). An order refused because
/// the session is not logged on was not sequenced and is sent again after the next logon.
/// `next` counts the orders the session accepted (sequenced and stored).
fn spawn_sender(
    session: fix_session::driver::SessionHandle,
    client: Arc<Blotter>,
    exchange: Arc<ExchangeStats>,
    base: u64,
    next: Arc<AtomicUsize>,
    mut go: watch::Receiver<Go>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        while next.load(Ordering::SeqCst) < ORDERS {
            let i = next.load(Ordering::SeqCst);
            // Flow control on what the exchange has received.
            loop {
                let arrival = exchange.arrival();
                let received = base + exchange.orders();
                if (i as u64) < received + IN_FLIGHT {
                    break;
                }
                tokio::select! {
                    () = arrival => {}
                    _ = go.changed() => {}
                }
                if go.borrow().stop {
                    return;
                }
            }
            // Logged on?
            let Ok(state) = go.wait_for(|g| g.up || g.stop).await.map(|g| *g) else {
                return;
            };
            if state.stop {
                return;
            }
            client.mark_sent(i);
            match session.send(client.order(i)).await {
                Ok(_) => next.store(i + 1, Ordering::SeqCst),
                Err(DriverError::Send(SendError::NotLoggedOn)) => {
                    // Not sequenced: send it again after the next logon.
                    let next_logon = go.wait_for(|g| g.logons > state.logons || g.stop).await;
                    if next_logon.is_err() {
                        return;
                    }
                }
                Err(DriverError::Stopped) => return,
                Err(e) => panic!("send failed: {e}"),
            }
        }
    })
}

/// Everything the initiator's application and session reported.
#[derive(Default)]
struct Seen {
    reports: Vec<Report>,
    acks: usize,
    fills: usize,
    logons: usize,
    disconnects: usize,
}

impl Seen {
    fn take(&mut self, r: Report) {
        match &r.kind {
            ReportKind::New => self.acks += 1,
            ReportKind::Filled => self.fills += 1,
            ReportKind::Rejected | ReportKind::Other => panic!("unexpected report {r:?}"),
        }
        self.reports.push(r);
    }

    fn event(&mut self, ev: SessionEvent, go: &watch::Sender<Go>) {
        match ev.event {
            Event::LoggedOn => {
                self.logons += 1;
                go.send_modify(|g| {
                    g.up = true;
                    g.logons += 1;
                });
            }
            Event::LoggedOut => go.send_modify(|g| g.up = false),
            Event::Disconnected { .. } => {
                self.disconnects += 1;
                go.send_modify(|g| g.up = false);
            }
            Event::Rejected { seq, text } => panic!("initiator rejected message {seq}: {text}"),
            Event::RejectReceived { bytes } => panic!(
                "initiator received a Reject: {}",
                String::from_utf8_lossy(&bytes).replace('\x01', "|")
            ),
            _ => {}
        }
    }

    /// Takes the reports `client` recorded since the last call; fails on its failure.
    fn take_from(&mut self, client: &Blotter) {
        for r in client.take_reports() {
            self.take(r);
        }
        if let Some(why) = client.failure() {
            panic!("client: {why}");
        }
    }
}

/// Receives reports and session events until `until(seen)` holds.
async fn receive_until(
    seen: &mut Seen,
    client: &Blotter,
    events: &mut mpsc::UnboundedReceiver<SessionEvent>,
    go: &watch::Sender<Go>,
    until: impl Fn(&Seen) -> bool,
) {
    tokio::time::timeout(SAFETY, async {
        loop {
            seen.take_from(client);
            if until(seen) {
                break;
            }
            tokio::select! {
                () = client.progress() => {}
                ev = events.recv() => seen.event(ev.expect("initiator running"), go),
            }
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "timed out: {} acks, {} fills, {} logons, {} disconnects",
            seen.acks, seen.fills, seen.logons, seen.disconnects
        )
    });
}

/// Fails on a Reject either way at the acceptor.
fn check_acceptor_events(events: &mut mpsc::UnboundedReceiver<SessionEvent>) -> usize {
    let mut disconnects = 0;
    while let Ok(ev) = events.try_recv() {
        match ev.event {
            Event::Rejected { seq, text } => panic!("acceptor rejected message {seq}: {text}"),
            Event::RejectReceived { bytes } => panic!(
                "acceptor received a Reject: {}",
                String::from_utf8_lossy(&bytes).replace('\x01', "|")
            ),
            Event::Disconnected { .. } => disconnects += 1,
            _ => {}
        }
    }
    disconnects
}

/// A recording exchange to run, and its counters.
fn exchange() -> (Arc<Typed<Exchange>>, Arc<ExchangeStats>) {
    let exchange = Exchange::new(ExchangeOptions {
        record: true,
        ..ExchangeOptions::default()
    });
    let stats = exchange.stats();
    (Arc::new(Typed(exchange)), stats)
}

fn strictly_increasing(seqs: impl IntoIterator<Item = u64>) -> bool {
    let mut last = 0;
    seqs.into_iter()
        .all(|s| std::mem::replace(&mut last, s) < s)
}

/// Every order `0..ORDERS` received once by the exchange, in MsgSeqNum order, and every
/// order acknowledged and filled once at the client, in MsgSeqNum order, per process.
fn check_exactly_once(exchange_phases: &[Vec<Received>], client_phases: &[Vec<Report>]) {
    let mut received = vec![0u32; ORDERS];
    for phase in exchange_phases {
        assert!(
            strictly_increasing(phase.iter().map(|r| r.seq)),
            "exchange saw MsgSeqNums out of order or twice"
        );
        for r in phase {
            let i = r
                .cl_ord_id
                .strip_prefix("ORD-")
                .and_then(|n| n.parse::<usize>().ok())
                .expect("our ClOrdID");
            received[i] += 1;
        }
    }
    let missing: Vec<usize> = (0..ORDERS).filter(|&i| received[i] == 0).collect();
    let twice: Vec<usize> = (0..ORDERS).filter(|&i| received[i] > 1).collect();
    assert!(
        missing.is_empty() && twice.is_empty(),
        "exchange: {} orders missing (first {:?}), {} received more than once (first {:?})",
        missing.len(),
        missing.first(),
        twice.len(),
        twice.first()
    );

    let mut acks = vec![0u32; ORDERS];
    let mut fills = vec![0u32; ORDERS];
    for phase in client_phases {
        assert!(
            strictly_increasing(phase.iter().map(|r| r.seq)),
            "client saw MsgSeqNums out of order or twice"
        );
        for r in phase {
            // `index` is set only for a ClOrdID written as `client.cl_ord_id(i)` writes it.
            let i = r
                .index
                .unwrap_or_else(|| panic!("a report for an order not ours: {r:?}"));
            match r.kind {
                ReportKind::New => acks[i] += 1,
                ReportKind::Filled => fills[i] += 1,
                _ => unreachable!(),
            }
        }
    }
    let bad: Vec<usize> = (0..ORDERS)
        .filter(|&i| acks[i] != 1 || fills[i] != 1)
        .collect();
    assert!(
        bad.is_empty(),
        "client: {} orders without exactly one New and one Filled report (first: ORD-{} with {} New, {} Filled)",
        bad.len(),
        bad[0],
        acks[bad[0]],
        fills[bad[0]]
    );
}

// ----- the tests -----

/// The session layer uses the same dictionary layout as the generated `fix44` types, so the
/// examples read typed messages straight from the session's views.
#[test]
fn runtime_fix44_dictionary_matches_generated_layout() {
    let settings = acceptor_settings(Path::new("unused"));
    let dict = settings.sessions[0]
        .load_dictionary()
        .unwrap()
        .expect("a dictionary");
    assert!(*dict == *fix44::DICTIONARY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_connection_recovers_by_resend_memory_store() {
    let dir = tempfile::tempdir().unwrap();
    let stores: Arc<dyn StoreFactory> = Arc::new(MemoryStoreFactory);
    let (exchange_app, exchange) = exchange();
    let (acceptor, mut acc_events) = Acceptor::start(
        acceptor_settings(&dir.path().join("acc")),
        stores.clone(),
        exchange_app,
    )
    .await
    .unwrap();
    let relay = Relay::start(acceptor.local_addr().unwrap()).await;
    let client = Blotter::recording("ORD-", ORDERS);
    let (initiator, mut events) = Initiator::start(
        initiator_settings(&dir.path().join("ini"), relay.addr.port()),
        stores,
        Arc::new(Typed(Client::new(client.clone()))),
    )
    .await
    .unwrap();
    let session = initiator.session(&initiator_id()).unwrap().clone();
    let (go, go_rx) = watch::channel(Go::default());
    let next = Arc::new(AtomicUsize::new(0));
    let sender = spawn_sender(
        session,
        client.clone(),
        exchange.clone(),
        0,
        next.clone(),
        go_rx,
    );

    let mut seen = Seen::default();
    receive_until(&mut seen, &client, &mut events, &go, |s| {
        s.fills >= CUT_AFTER
    })
    .await;
    let dropped = relay.cut().await;
    assert!(dropped[0] > 0 && dropped[1] > 0, "dropped {dropped:?}");
    receive_until(&mut seen, &client, &mut events, &go, |s| {
        s.fills == ORDERS && s.acks == ORDERS
    })
    .await;
    go.send_modify(|g| g.stop = true);
    sender.await.unwrap();

    assert_eq!(next.load(Ordering::SeqCst), ORDERS);
    assert!(seen.logons >= 2, "the initiator logged on again");
    assert!(seen.disconnects >= 1);
    assert!(check_acceptor_events(&mut acc_events) >= 1);
    // Recovery went through resend both ways: the exchange got resent orders (PossDupFlag=Y)
    // and the client resent reports.
    eprintln!(
        "memory store: dropped {dropped:?} bytes; {} orders and {} reports resent; {} logons",
        exchange.resent.load(Ordering::Acquire),
        seen.reports.iter().filter(|r| r.poss_dup).count(),
        seen.logons
    );
    assert!(exchange.resent.load(Ordering::Acquire) > 0, "orders resent");
    assert!(seen.reports.iter().any(|r| r.poss_dup), "reports resent");
    check_exactly_once(&[exchange.received()], &[seen.reports]);

    initiator.stop().await;
    acceptor.stop().await;
    relay.stop();
}

/// `(next sender, next target)` from a FileStore's `.seqnums`.
fn seqnums(dir: &Path, prefix: &str) -> (u64, u64) {
    let path: PathBuf = dir.join(format!("{prefix}.seqnums"));
    let text = std::fs::read_to_string(&path).unwrap();
    let (s, t) = text.split_once(':').expect("SSSS : TTTT");
    (s.trim().parse().unwrap(), t.trim().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_connection_and_restart_recovers_by_resend_file_store() {
    let dir = tempfile::tempdir().unwrap();
    let (acc_dir, ini_dir) = (dir.path().join("acc"), dir.path().join("ini"));
    let stores: Arc<dyn StoreFactory> = Arc::new(FileStoreFactory);
    let client = Blotter::recording("ORD-", ORDERS);
    let next = Arc::new(AtomicUsize::new(0));

    // ---- first "process": runs until the connection is cut, then stops completely ----
    let (exchange_app1, exchange1) = exchange();
    let (acceptor, mut acc_events) =
        Acceptor::start(acceptor_settings(&acc_dir), stores.clone(), exchange_app1)
            .await
            .unwrap();
    let relay = Relay::start(acceptor.local_addr().unwrap()).await;
    let (initiator, mut events) = Initiator::start(
        initiator_settings(&ini_dir, relay.addr.port()),
        stores.clone(),
        Arc::new(Typed(Client::new(client.clone()))),
    )
    .await
    .unwrap();
    let (go, go_rx) = watch::channel(Go::default());
    let sender = spawn_sender(
        initiator.session(&initiator_id()).unwrap().clone(),
        client.clone(),
        exchange1.clone(),
        0,
        next.clone(),
        go_rx,
    );
    let mut seen1 = Seen::default();
    receive_until(&mut seen1, &client, &mut events, &go, |s| {
        s.fills >= CUT_AFTER
    })
    .await;
    let dropped = relay.cut().await;
    relay.stop();
    assert!(dropped[0] > 0 && dropped[1] > 0, "dropped {dropped:?}");
    receive_until(&mut seen1, &client, &mut events, &go, |s| {
        s.disconnects >= 1
    })
    .await;
    go.send_modify(|g| g.stop = true);
    sender.await.unwrap();
    initiator.stop().await;
    acceptor.stop().await;
    assert!(check_acceptor_events(&mut acc_events) >= 1);
    // Whatever the first client received before the stop.
    seen1.take_from(&client);
    let sent1 = next.load(Ordering::SeqCst);
    let received1 = exchange1.received();
    assert!(sent1 < ORDERS, "the cut came before the last order");
    assert!(received1.len() < sent1, "orders were lost in the cut");
    assert!(
        seen1.fills < received1.len(),
        "reports were lost in the cut"
    );

    let ini_prefix = "FIX.4.4-BANK-EXCH";
    let acc_prefix = "FIX.4.4-EXCH-BANK";
    let (ini_s1, ini_t1) = seqnums(&ini_dir, ini_prefix);
    let (acc_s1, acc_t1) = seqnums(&acc_dir, acc_prefix);
    eprintln!(
        "file store, first process: dropped {dropped:?} bytes; {sent1} orders sent, {} received, \
         {} filled; initiator seqnums {ini_s1}:{ini_t1}, acceptor {acc_s1}:{acc_t1}",
        received1.len(),
        seen1.fills
    );
    assert!(ini_s1 > acc_t1, "initiator sent past what the acceptor got");
    assert!(acc_s1 > ini_t1, "acceptor sent past what the initiator got");

    // ---- second "process": new engines on the same stores ----
    let (exchange_app2, exchange2) = exchange();
    let (acceptor, mut acc_events) =
        Acceptor::start(acceptor_settings(&acc_dir), stores.clone(), exchange_app2)
            .await
            .unwrap();
    let port = acceptor.local_addr().unwrap().port();
    let client2 = Blotter::recording("ORD-", ORDERS);
    let (initiator, mut events) = Initiator::start(
        initiator_settings(&ini_dir, port),
        stores.clone(),
        Arc::new(Typed(Client::new(client2.clone()))),
    )
    .await
    .unwrap();
    let (go, go_rx) = watch::channel(Go::default());
    let sender = spawn_sender(
        initiator.session(&initiator_id()).unwrap().clone(),
        client2.clone(),
        exchange2.clone(),
        received1.len() as u64,
        next.clone(),
        go_rx,
    );
    let mut seen2 = Seen::default();
    let (acks1, fills1) = (seen1.acks, seen1.fills);
    receive_until(&mut seen2, &client2, &mut events, &go, |s| {
        s.acks + acks1 == ORDERS && s.fills + fills1 == ORDERS
    })
    .await;
    go.send_modify(|g| g.stop = true);
    sender.await.unwrap();
    assert_eq!(next.load(Ordering::SeqCst), ORDERS);
    let received2 = exchange2.received();

    // Sequence numbers continue where the first process left them.
    let first_order = received2.first().expect("orders in the second process");
    assert_eq!(
        first_order.seq, acc_t1,
        "the first order after the restart is the first one the acceptor missed"
    );
    assert!(first_order.poss_dup, "and it was resent");
    let first_report = seen2
        .reports
        .first()
        .expect("reports in the second process");
    assert_eq!(first_report.seq, ini_t1);
    assert!(first_report.poss_dup);
    assert!(received2.iter().all(|r| r.seq >= acc_t1));
    assert!(seen2.reports.iter().all(|r| r.seq >= ini_t1));
    let resent_reports2 = seen2.reports.iter().filter(|r| r.poss_dup).count();
    check_exactly_once(&[received1, received2], &[seen1.reports, seen2.reports]);

    initiator.stop().await;
    acceptor.stop().await;
    assert!(check_acceptor_events(&mut acc_events) >= 1);
    let (ini_s2, ini_t2) = seqnums(&ini_dir, ini_prefix);
    let (acc_s2, acc_t2) = seqnums(&acc_dir, acc_prefix);
    eprintln!(
        "file store, second process: {} orders resent, {} reports resent; \
         initiator seqnums {ini_s2}:{ini_t2}, acceptor {acc_s2}:{acc_t2}",
        exchange2.resent.load(Ordering::Acquire),
        resent_reports2,
    );
    assert!(ini_s2 > ini_s1 && acc_s2 > acc_s1);
    assert_eq!(
        ini_s2, acc_t2,
        "initiator -> acceptor numbers agree at the end"
    );
    assert_eq!(
        acc_s2, ini_t2,
        "acceptor -> initiator numbers agree at the end"
    );
}
