//! Crash tests with real processes: a `store-engine sender` process sends 20,000
//! NewOrderSingles to a counterparty acceptor running in this test, and is killed with
//! SIGKILL at random points (after a randomly chosen number of orders, wherever it is then:
//! persisting, writing, reading) and restarted on the same store, five times. Afterwards the
//! counterparty's application must have received every order exactly once, in order (resent
//! ones with PossDupFlag=Y), and no sequence number may have been reused (the counterparty
//! would have logged the sender out with "MsgSeqNum too low"). Run for the file, SQLite and
//! PostgreSQL stores.
//!
//! The kill points come from a seed printed at the start; `STORE_CRASH_SEED=n` repeats a run.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fix_session::app::NullApplication;
use fix_session::store::MemoryStoreFactory;
use fix_session::{Acceptor, AcceptorHandle, Event, Settings};
use fix_tests::engine::{field, postgres_url, repo, unique_schema, EngineProcess, Rng};

const ORDERS: u64 = 20_000;
const KILLS: usize = 5;
/// Safety net for every wait.
const SAFETY: Duration = Duration::from_secs(120);

/// What the counterparty saw.
#[derive(Debug, Default)]
struct Seen {
    /// (MsgSeqNum, order number, PossDupFlag) per NewOrderSingle its application received.
    orders: Vec<(u64, u64, bool)>,
    /// Rejects it sent and disconnect reasons: any is a failure.
    problems: Vec<String>,
}

struct Counterparty {
    acceptor: AcceptorHandle,
    seen: Arc<Mutex<Seen>>,
}

async fn counterparty() -> Counterparty {
    let dict = repo().join("dictionaries/FIX44.xml");
    let text = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptHost=127.0.0.1\nSocketAcceptPort=0\n\
         SenderCompID=CPTY\nBeginString=FIX.4.4\nStartTime=00:00:00\nEndTime=00:00:00\n\
         DataDictionary={}\n[SESSION]\nTargetCompID=SENDER\n",
        dict.display()
    );
    let settings: Settings = text.parse().expect("counterparty settings");
    let (acceptor, mut events) = Acceptor::start(
        settings,
        Arc::new(MemoryStoreFactory),
        Arc::new(NullApplication),
    )
    .await
    .expect("counterparty starts");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            let mut s = s.lock().unwrap();
            match ev.event {
                Event::App {
                    msg_type,
                    seq,
                    bytes,
                } if msg_type == "D" => {
                    let n = field(&bytes, "11")
                        .and_then(|id| id.strip_prefix("ORD-").and_then(|n| n.parse().ok()))
                        .unwrap_or(0);
                    let poss_dup = field(&bytes, "43").as_deref() == Some("Y");
                    s.orders.push((seq, n, poss_dup));
                }
                Event::Rejected { seq, text } => {
                    s.problems.push(format!("rejected seq {seq}: {text}"))
                }
                Event::Disconnected { reason }
                    if reason.contains("too low") || reason.contains("MsgSeqNum") =>
                {
                    s.problems.push(format!("disconnected: {reason}"))
                }
                _ => {}
            }
        }
    });
    Counterparty { acceptor, seen }
}

/// Runs the crash test with the sender's store given by `store_keys` (settings lines).
async fn crash_test(label: &str, store_keys: &str) {
    let seed = std::env::var("STORE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(Rng::clock_seed);
    let mut rng = Rng::new(seed);
    let mut kill_points: Vec<u64> = (0..KILLS)
        .map(|_| rng.in_range(200..ORDERS - 200))
        .collect();
    kill_points.sort_unstable();
    eprintln!("{label}: seed {seed}, kill after orders {kill_points:?}");

    let cp = counterparty().await;
    let port = cp.acceptor.local_addr().expect("listening").port();
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("sender.cfg");
    std::fs::write(
        &settings,
        format!(
            "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n\
             SenderCompID=SENDER\nTargetCompID=CPTY\nBeginString=FIX.4.4\nHeartBtInt=30\n\
             ReconnectInterval=1\nStartTime=00:00:00\nEndTime=00:00:00\nDataDictionary={}\n\
             {store_keys}\n[SESSION]\n",
            repo().join("dictionaries/FIX44.xml").display()
        ),
    )
    .unwrap();
    let exe = Path::new(env!("CARGO_BIN_EXE_store-engine"));
    let settings = settings.to_str().unwrap().to_string();
    let start = || {
        EngineProcess::start(
            &format!("{label} sender"),
            exe,
            &[
                "sender",
                "--settings",
                &settings,
                "--orders",
                &ORDERS.to_string(),
                "--window",
                "25",
                "--owner",
                "sender",
            ],
        )
        .expect("sender starts")
    };

    let started = Instant::now();
    let mut resumed = Vec::new();
    for &point in &kill_points {
        let mut sender = start();
        let line = sender.wait_for("RESUME", SAFETY, |l| l.starts_with("RESUME"));
        resumed.push(line);
        sender.wait_for(&format!("SENT >= {point}"), SAFETY, |l| {
            l == "SENT_ALL"
                || l.strip_prefix("SENT ")
                    .and_then(|n| n.parse::<u64>().ok())
                    .is_some_and(|n| n >= point)
        });
        // Land anywhere in the next window: persisting, writing or waiting.
        std::thread::sleep(Duration::from_micros(rng.in_range(0..3000)));
        sender.kill();
    }
    let sender = start();
    resumed.push(sender.wait_for("RESUME", SAFETY, |l| l.starts_with("RESUME")));
    sender.wait_for("SENT_ALL", SAFETY, |l| l == "SENT_ALL");
    // Every order reaches the counterparty's application (resends included).
    let deadline = Instant::now() + SAFETY;
    loop {
        let n = cp.seen.lock().unwrap().orders.len() as u64;
        if n >= ORDERS || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A little longer, so that a duplicate arriving late would be seen.
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(sender);
    let elapsed = started.elapsed();

    let seen = std::mem::take(&mut *cp.seen.lock().unwrap());
    assert!(seen.problems.is_empty(), "{label}: {:?}", seen.problems);
    let mut count: BTreeMap<u64, usize> = BTreeMap::new();
    for (_, n, _) in &seen.orders {
        *count.entry(*n).or_default() += 1;
    }
    let missing: Vec<u64> = (1..=ORDERS).filter(|n| !count.contains_key(n)).collect();
    let doubled: Vec<u64> = count
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(n, _)| *n)
        .collect();
    assert!(
        missing.is_empty(),
        "{label}: {} orders never reached the counterparty, first {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
    assert!(
        doubled.is_empty(),
        "{label}: orders delivered twice: {doubled:?}"
    );
    assert_eq!(seen.orders.len() as u64, ORDERS, "{label}: deliveries");
    // Delivered in sequence and in order: no number reused, nothing reordered.
    for w in seen.orders.windows(2) {
        assert!(
            w[1].0 > w[0].0 && w[1].1 > w[0].1,
            "{label}: out of order: {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    let poss_dup = seen.orders.iter().filter(|o| o.2).count();
    eprintln!(
        "{label}: {ORDERS} orders, {KILLS} kills, {poss_dup} resent with PossDupFlag=Y, \
         {resumed:?}, {:.1} s",
        elapsed.as_secs_f64()
    );
    cp.acceptor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_store_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    crash_test(
        "file",
        &format!(
            "StoreType=file\nFileStorePath={}",
            dir.path().join("store").display()
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    crash_test(
        "sqlite",
        &format!(
            "StoreType=sqlite\nSqliteStorePath={}",
            dir.path().join("engine.sqlite3").display()
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_survives_sigkill() {
    let Some(url) = postgres_url() else { return };
    let schema = unique_schema("crash");
    crash_test(
        "postgres",
        &format!(
            "StoreType=postgresql\nPostgreSQLStoreURL={url}\nPostgreSQLStoreSchema={schema}\n\
             PostgreSQLStoreLeaseTimeout=2"
        ),
    )
    .await;
    let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await
        .unwrap();
}
