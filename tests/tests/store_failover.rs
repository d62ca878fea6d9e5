//! Active/passive failover on PostgreSQL with real processes.
//!
//! Two `store-engine exchange` processes, A and B, serve the same acceptor session from the
//! same PostgreSQL schema. A takes the session's lease and listens; B waits for the lease
//! without listening. A client initiator in this test (memory store) lists A then B as its
//! failover hosts and streams NewOrderSingles; the engines answer each with a filled
//! ExecutionReport whose ExecID names the engine.
//!
//! - `failover_after_sigkill`: A is SIGKILLed mid-stream; B takes the lease and resumes with
//!   A's sequence numbers, the client reconnects to B, and the client's application receives
//!   exactly one ExecutionReport per order. The time to take over is printed.
//! - `paused_owner_is_fenced`: A is SIGSTOPped mid-stream (through a TCP relay that counts
//!   what A writes), B takes over, then A gets SIGCONT: A must write nothing more to the
//!   socket (the relay counts zero bytes from A after SIGCONT) and nothing to the store (the
//!   ExecutionReports stored for the session are exactly, seq for seq, those the client
//!   received).
//!
//! Needs PostgreSQL: `FIX_TEST_POSTGRES_URL`, else a throwaway local server (`fix-test-postgres`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fix_session::app::NullApplication;
use fix_session::store::MemoryStoreFactory;
use fix_session::{Event, Initiator, InitiatorHandle, SessionId, Settings};
use fix_tests::engine::{
    field, free_port, order, postgres_url, repo, unique_schema, EngineProcess,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const ORDERS: u64 = 3_000;
const SAFETY: Duration = Duration::from_secs(120);
const LEASE_SECS: u64 = 2;

/// What the client's application received.
#[derive(Debug, Default)]
struct Received {
    /// MsgSeqNum -> (ClOrdID, ExecID) of each ExecutionReport, in delivery order.
    reports: Vec<(u64, String, String)>,
    /// Rejects either way: any is a failure.
    problems: Vec<String>,
}

/// Everything about one test run.
struct Harness {
    url: String,
    schema: String,
    dir: tempfile::TempDir,
    exe: PathBuf,
}

impl Harness {
    fn new(url: String, tag: &str) -> Harness {
        Harness {
            url,
            schema: unique_schema(tag),
            dir: tempfile::tempdir().unwrap(),
            exe: PathBuf::from(env!("CARGO_BIN_EXE_store-engine")),
        }
    }

    /// Starts engine `name` listening on `port` (once it holds the lease).
    fn engine(&self, name: &str, port: u16) -> EngineProcess {
        let cfg = self.dir.path().join(format!("{name}.cfg"));
        std::fs::write(
            &cfg,
            format!(
                "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptHost=127.0.0.1\nSocketAcceptPort={port}\n\
                 SenderCompID=EXCH\nBeginString=FIX.4.4\nStartTime=00:00:00\nEndTime=00:00:00\n\
                 DataDictionary={}\nStoreType=postgresql\nPostgreSQLStoreURL={}\n\
                 PostgreSQLStoreSchema={}\nPostgreSQLStoreLeaseTimeout={LEASE_SECS}\nRefreshOnLogon=Y\n\
                 [SESSION]\nTargetCompID=CLIENT\n",
                repo().join("dictionaries/FIX44.xml").display(),
                self.url,
                self.schema
            ),
        )
        .unwrap();
        let cfg = cfg.to_str().unwrap().to_string();
        EngineProcess::start(
            &format!("engine {name}"),
            &self.exe,
            &[
                "exchange",
                "--settings",
                &cfg,
                "--name",
                name,
                "--owner",
                &format!("engine-{name}"),
            ],
        )
        .unwrap()
    }

    async fn drop_schema(&self) {
        let (c, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            self.schema
        ))
        .await
        .unwrap();
    }

    /// MsgSeqNum -> ExecID of every ExecutionReport stored for the engines' session.
    async fn stored_reports(&self) -> BTreeMap<u64, String> {
        let (c, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let rows = c
            .query(
                &format!(
                    "SELECT seq, body FROM \"{}\".fix_messages WHERE session_key = $1",
                    self.schema
                ),
                &[&SessionId::new("FIX.4.4", "EXCH", "CLIENT").to_string()],
            )
            .await
            .unwrap();
        rows.iter()
            .filter_map(|r| {
                let seq: i64 = r.get(0);
                let body: Vec<u8> = r.get(1);
                (field(&body, "35").as_deref() == Some("8"))
                    .then(|| (seq as u64, field(&body, "17").unwrap_or_default()))
            })
            .collect()
    }
}

/// The client: an initiator with A (or a relay to A) then B as failover hosts.
struct Client {
    handle: InitiatorHandle,
    id: SessionId,
    received: Arc<Mutex<Received>>,
    logons: watch::Receiver<(u64, bool)>,
}

async fn client(dir: &Path, first: u16, second: u16) -> Client {
    let text = format!(
        "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\nSocketConnectPort={first}\n\
         SocketConnectHost1=127.0.0.1\nSocketConnectPort1={second}\nSenderCompID=CLIENT\n\
         TargetCompID=EXCH\nBeginString=FIX.4.4\nHeartBtInt=1\nReconnectInterval=1\nLogonTimeout=2\n\
         StartTime=00:00:00\nEndTime=00:00:00\nDataDictionary={}\n[SESSION]\n",
        repo().join("dictionaries/FIX44.xml").display()
    );
    let settings = Settings::from_str_in(&text, dir).unwrap();
    let id = settings.sessions[0].id.clone();
    let (handle, mut events) = Initiator::start(
        settings,
        Arc::new(MemoryStoreFactory),
        Arc::new(NullApplication),
    )
    .await
    .unwrap();
    let received = Arc::new(Mutex::new(Received::default()));
    let (tx, logons) = watch::channel((0u64, false));
    let r = received.clone();
    tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            // Shown if the test fails.
            if !matches!(ev.event, Event::App { .. }) {
                eprintln!("client event: {:?}", ev.event);
            }
            match ev.event {
                Event::LoggedOn => tx.send_modify(|(n, on)| {
                    *n += 1;
                    *on = true;
                }),
                Event::LoggedOut => tx.send_modify(|(_, on)| *on = false),
                Event::App {
                    msg_type,
                    seq,
                    bytes,
                } if msg_type == "8" => r.lock().unwrap().reports.push((
                    seq,
                    field(&bytes, "11").unwrap_or_default(),
                    field(&bytes, "17").unwrap_or_default(),
                )),
                Event::Rejected { seq, text } => r
                    .lock()
                    .unwrap()
                    .problems
                    .push(format!("client rejected {seq}: {text}")),
                Event::RejectReceived { bytes } => r.lock().unwrap().problems.push(format!(
                    "client got a Reject: {}",
                    String::from_utf8_lossy(&bytes).replace('\x01', "|")
                )),
                _ => {}
            }
        }
    });
    Client {
        handle,
        id,
        received,
        logons,
    }
}

impl Client {
    /// Sends ORD-1..ORD-n, one every millisecond, waiting out disconnections (an order
    /// refused while logged out is sent again after the next logon).
    fn stream(&self, n: u64) -> tokio::task::JoinHandle<()> {
        let session = self.handle.session(&self.id).unwrap().clone();
        let mut logons = self.logons.clone();
        tokio::spawn(async move {
            let mut i = 1;
            while i <= n {
                if logons.wait_for(|(_, on)| *on).await.is_err() {
                    return;
                }
                match session.send(order(i)).await {
                    Ok(_) => i += 1,
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    }

    fn reports(&self) -> usize {
        self.received.lock().unwrap().reports.len()
    }

    async fn wait_reports(&self, n: usize) {
        let deadline = Instant::now() + SAFETY;
        while self.reports() < n {
            assert!(
                Instant::now() < deadline,
                "only {} of {n} reports arrived",
                self.reports()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn wait_logons(&mut self, n: u64) {
        tokio::time::timeout(SAFETY, self.logons.wait_for(|(k, on)| *k >= n && *on))
            .await
            .expect("logon in time")
            .unwrap();
    }

    /// Checks exactly one report per order, in sequence; returns MsgSeqNum -> ExecID.
    fn check_exactly_once(&self) -> BTreeMap<u64, String> {
        let r = self.received.lock().unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let mut per_order: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, cl, _) in &r.reports {
            *per_order.entry(cl.as_str()).or_default() += 1;
        }
        let expected: BTreeSet<String> = (1..=ORDERS).map(|i| format!("ORD-{i}")).collect();
        let got: BTreeSet<String> = per_order.keys().map(|s| s.to_string()).collect();
        assert_eq!(
            expected.difference(&got).count(),
            0,
            "orders without a report: {:?}",
            expected.difference(&got).take(10).collect::<Vec<_>>()
        );
        let doubled: Vec<_> = per_order.iter().filter(|(_, c)| **c > 1).collect();
        assert!(doubled.is_empty(), "reports delivered twice: {doubled:?}");
        assert_eq!(r.reports.len() as u64, ORDERS);
        for w in r.reports.windows(2) {
            assert!(
                w[1].0 > w[0].0,
                "out of sequence: {:?} then {:?}",
                w[0],
                w[1]
            );
        }
        r.reports
            .iter()
            .map(|(seq, _, exec)| (*seq, exec.clone()))
            .collect()
    }
}

/// `ORDER <ClOrdID> <PossDup>` lines an engine printed.
fn orders_seen(lines: &[String]) -> Vec<(String, bool)> {
    lines
        .iter()
        .filter_map(|l| {
            let mut p = l.strip_prefix("ORDER ")?.split(' ');
            Some((p.next()?.to_string(), p.next()? == "Y"))
        })
        .collect()
}

/// Checks that the engines' applications together saw every order, and that an order seen
/// twice was seen again only as a possible duplicate (a resend after the failover).
fn check_engine_side(a: &[(String, bool)], b: &[(String, bool)]) -> usize {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (cl, _) in a.iter().chain(b) {
        *seen.entry(cl.as_str()).or_default() += 1;
    }
    assert_eq!(
        seen.len() as u64,
        ORDERS,
        "orders that reached no engine application"
    );
    let in_a: BTreeSet<&str> = a.iter().map(|(c, _)| c.as_str()).collect();
    let mut redelivered = 0;
    for (cl, poss_dup) in b {
        if in_a.contains(cl.as_str()) {
            assert!(
                *poss_dup,
                "{cl} reached both engines and B's copy was not PossDupFlag=Y"
            );
            redelivered += 1;
        }
    }
    redelivered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_after_sigkill() {
    let Some(url) = postgres_url() else { return };
    let h = Harness::new(url, "failover");
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = h.engine("A", port_a);
    a.wait_for("A LISTENING", SAFETY, |l| l == "LISTENING");
    let b = h.engine("B", port_b);
    b.wait_for("B STARTING", SAFETY, |l| l == "STARTING");
    assert_eq!(
        b.next_line(Duration::from_secs(1)),
        None,
        "the standby must not serve while the active holds the lease"
    );

    let mut c = client(h.dir.path(), port_a, port_b).await;
    c.wait_logons(1).await;
    let streaming = c.stream(ORDERS);
    c.wait_reports(1000).await;
    let lines_a_before = a.ready_lines();
    a.kill();
    let killed = Instant::now();
    b.wait_for("B LISTENING", SAFETY, |l| l == "LISTENING");
    let lease_taken = killed.elapsed();
    c.wait_logons(2).await;
    let serving = killed.elapsed();
    streaming.await.unwrap();
    c.wait_reports(ORDERS as usize).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let by_seq = c.check_exactly_once();
    let from_b = by_seq.values().filter(|e| e.starts_with("B-")).count();
    assert!(from_b > 0, "B answered nothing");
    let redelivered = check_engine_side(
        &orders_seen(&lines_a_before),
        &orders_seen(&b.ready_lines()),
    );
    // Everything the engines stored is what the client received, seq for seq.
    let stored = h.stored_reports().await;
    assert_eq!(
        stored, by_seq,
        "stored reports differ from the ones received"
    );
    eprintln!(
        "failover: lease taken {:.2} s after SIGKILL, client logged on to the standby after \
         {:.2} s (lease timeout {LEASE_SECS} s); {ORDERS} orders, {from_b} answered by B, \
         {redelivered} redelivered to B with PossDupFlag=Y",
        lease_taken.as_secs_f64(),
        serving.as_secs_f64()
    );
    c.handle.stop().await;
    drop(b);
    h.drop_schema().await;
}

/// A TCP relay to `upstream` that counts the bytes upstream writes once `watching` is set,
/// and keeps upstream's side of each connection open after the client leaves (so a paused
/// and resumed upstream still has a socket it could write to).
struct Relay {
    port: u16,
    watching: Arc<AtomicBool>,
    written_while_watched: Arc<AtomicU64>,
}

async fn relay(upstream: u16) -> Relay {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let watching = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let (w, n) = (watching.clone(), written.clone());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                continue;
            };
            let (mut cr, mut cw) = client.into_split();
            let (mut ur, mut uw) = up.into_split();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                while let Ok(k) = cr.read(&mut buf).await {
                    if k == 0 || uw.write_all(&buf[..k]).await.is_err() {
                        break;
                    }
                }
                // Upstream's write half stays open: it may still try to write.
                std::future::pending::<()>().await;
                drop(uw);
            });
            let (w, n) = (w.clone(), n.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut client_open = true;
                while let Ok(k) = ur.read(&mut buf).await {
                    if k == 0 {
                        break;
                    }
                    if w.load(Ordering::SeqCst) {
                        n.fetch_add(k as u64, Ordering::SeqCst);
                    }
                    if client_open && cw.write_all(&buf[..k]).await.is_err() {
                        client_open = false;
                    }
                }
            });
        }
    });
    Relay {
        port,
        watching,
        written_while_watched: written,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_owner_is_fenced() {
    let Some(url) = postgres_url() else { return };
    let h = Harness::new(url, "fencing");
    let (port_a, port_b) = (free_port(), free_port());
    let a = h.engine("A", port_a);
    a.wait_for("A LISTENING", SAFETY, |l| l == "LISTENING");
    let b = h.engine("B", port_b);
    b.wait_for("B STARTING", SAFETY, |l| l == "STARTING");
    let r = relay(port_a).await;

    let mut c = client(h.dir.path(), r.port, port_b).await;
    c.wait_logons(1).await;
    let streaming = c.stream(ORDERS);
    c.wait_reports(500).await;
    a.signal("STOP");
    let stopped = Instant::now();
    b.wait_for("B LISTENING", SAFETY, |l| l == "LISTENING");
    let lease_taken = stopped.elapsed();
    c.wait_logons(2).await;
    let serving = stopped.elapsed();
    let at_takeover = c.reports();
    c.wait_reports(at_takeover + 500).await;
    // The former owner wakes up with its old connection and state.
    let a_before = a.ready_lines();
    r.watching.store(true, Ordering::SeqCst);
    a.signal("CONT");
    // Its heartbeat (1 s) and any buffered order would make it write within this time.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let written = r.written_while_watched.load(Ordering::SeqCst);
    assert_eq!(
        written, 0,
        "the fenced former owner wrote {written} bytes to its socket"
    );

    streaming.await.unwrap();
    c.wait_reports(ORDERS as usize).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let by_seq = c.check_exactly_once();
    let stored = h.stored_reports().await;
    assert_eq!(
        stored, by_seq,
        "the store holds reports the client never received (a fenced write landed?)"
    );
    let a_after = a.ready_lines();
    // Its session ended: either its store refused to write (the fence) or it first noticed
    // that the client had been silent too long; either way it wrote nothing.
    let ended = a_after
        .iter()
        .find(|l| l.starts_with("DISCONNECTED"))
        .cloned()
        .unwrap_or_else(|| panic!("the former owner's session did not end: {a_after:?}"));
    let fenced = ended.starts_with("DISCONNECTED store failure") && ended.contains("taken over");
    let late_a = orders_seen(&a_after).len();
    let all_a: Vec<String> = a_before.into_iter().chain(a_after).collect();
    let redelivered = check_engine_side(&orders_seen(&all_a), &orders_seen(&b.ready_lines()));
    eprintln!(
        "fencing: lease taken {:.2} s after SIGSTOP, client on the standby after {:.2} s; after \
         SIGCONT the former owner wrote 0 bytes and no store row, its session ended with \
         {ended:?} (fenced write: {fenced}); {late_a} orders it read after SIGCONT went \
         unanswered; {redelivered} redelivered to B with PossDupFlag=Y",
        lease_taken.as_secs_f64(),
        serving.as_secs_f64()
    );
    c.handle.stop().await;
    drop((a, b));
    h.drop_schema().await;
}
