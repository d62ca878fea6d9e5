//! End to end over loopback TCP: an initiator sends NewOrderSingles, the acceptor answers each
//! with an ExecutionReport.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use fix_core::MessageView;
use fix_session::app::{AppReject, Application, RawBody, Responder};
use fix_session::core::Event;
use fix_session::driver::{Acceptor, Initiator};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::{FileStoreFactory, MemoryStoreFactory, StoreFactory};

struct Exchange;

impl Application for Exchange {
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        if msg.msg_type() != b"D" {
            return Err(AppReject::UnsupportedMessageType);
        }
        let cl = msg.field(11).unwrap_or_default().to_vec();
        let er = RawBody::new("8")
            .with(6, "0")
            .with(11, &cl)
            .with(14, "0")
            .with(17, [b"E".as_slice(), &cl].concat())
            .with(37, [b"O".as_slice(), &cl].concat())
            .with(39, "0")
            .with(54, msg.field(54).unwrap_or(b"1"))
            .with(55, msg.field(55).unwrap_or(b"X"))
            .with(150, "0")
            .with(151, "100");
        out.reply(er);
        Ok(())
    }
}

struct Client;
impl Application for Client {}

fn order(i: usize) -> RawBody {
    RawBody::new("D")
        .with(11, format!("ORD{i}"))
        .with(21, "1")
        .with(38, "100")
        .with(40, "1")
        .with(54, "1")
        .with(55, "IBM")
        .with(60, "20240101-00:00:00")
}

/// `queued`: the first half through `enqueue`, the rest through `enqueue_all`, then `flush`;
/// otherwise the awaited `send`.
async fn exchange(stores: Arc<dyn StoreFactory>, store_dir: &Path, n: usize, queued: bool) {
    exchange_with(stores, store_dir, n, queued, "").await
}

/// [`exchange`] with `extra` settings lines in both sides' `[DEFAULT]`.
async fn exchange_with(
    stores: Arc<dyn StoreFactory>,
    store_dir: &Path,
    n: usize,
    queued: bool,
    extra: &str,
) {
    let acc_cfg = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\nSenderCompID=EXCH\n\
         FileStorePath={}\nResetOnLogon=Y\n{extra}[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n",
        store_dir.join("acc").display()
    );
    let acc_settings: Settings = acc_cfg.parse().unwrap();
    let (acceptor, _acc_events) = Acceptor::start(acc_settings, stores.clone(), Arc::new(Exchange))
        .await
        .unwrap();
    let port = acceptor.local_addr().unwrap().port();
    let ini_cfg = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\n\
         FileStorePath={}\nResetOnLogon=Y\n{extra}[SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n\
         SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n",
        store_dir.join("ini").display()
    );
    let (initiator, mut events) =
        Initiator::start(ini_cfg.parse().unwrap(), stores, Arc::new(Client))
            .await
            .unwrap();
    let id = SessionId::new("FIX.4.4", "BANK", "EXCH");
    let session = initiator.session(&id).unwrap().clone();
    let wait = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if ev.event == Event::LoggedOn {
                return;
            }
        }
    });
    wait.await.expect("logon");
    if queued {
        for i in 0..n / 2 {
            session.enqueue(order(i)).await.unwrap();
        }
        session.enqueue_all((n / 2..n).map(order)).await.unwrap();
        // Logon was 1 (ResetOnLogon=Y): the orders are 2..=n+1.
        let next = session.flush().await.unwrap();
        assert!(next >= n as u64 + 2, "next sender seq {next}");
        assert_eq!(session.refused(), 0);
    } else {
        for i in 0..n {
            session.send(order(i)).await.unwrap();
        }
    }
    let mut seen = HashSet::new();
    let mut last_seq = 0;
    let recv = tokio::time::timeout(Duration::from_secs(60), async {
        while seen.len() < n {
            let Some(ev) = events.recv().await else { break };
            match ev.event {
                Event::App {
                    msg_type,
                    seq,
                    bytes,
                } if msg_type == "8" => {
                    assert!(seq > last_seq, "in sequence");
                    last_seq = seq;
                    let s = String::from_utf8_lossy(&bytes).into_owned();
                    let cl = s
                        .split('\x01')
                        .find_map(|f| f.strip_prefix("11="))
                        .unwrap()
                        .to_string();
                    assert!(seen.insert(cl), "no duplicates");
                }
                Event::Rejected { text, .. } => panic!("rejected: {text}"),
                Event::RejectReceived { bytes } => {
                    panic!("reject received: {}", String::from_utf8_lossy(&bytes))
                }
                _ => {}
            }
        }
    });
    recv.await.expect("all execution reports");
    assert_eq!(seen.len(), n);
    initiator.stop().await;
    acceptor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_orders_memory_store() {
    let dir = tempfile::tempdir().unwrap();
    exchange(Arc::new(MemoryStoreFactory), dir.path(), 1000, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_queued_orders_memory_store() {
    let dir = tempfile::tempdir().unwrap();
    exchange(Arc::new(MemoryStoreFactory), dir.path(), 1000, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_orders_busy_poll() {
    let dir = tempfile::tempdir().unwrap();
    let extra = "SocketBusyPoll=Y\nSocketBusyPollTime=200\n";
    exchange_with(Arc::new(MemoryStoreFactory), dir.path(), 1000, false, extra).await;
}

#[tokio::test(flavor = "current_thread")]
async fn thousand_queued_orders_busy_poll_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    let extra = "SocketBusyPoll=Y\n";
    exchange_with(Arc::new(MemoryStoreFactory), dir.path(), 1000, true, extra).await;
    let dir = tempfile::tempdir().unwrap();
    exchange_with(Arc::new(MemoryStoreFactory), dir.path(), 500, false, extra).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_message_refused_when_not_logged_on() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\nSocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"
    );
    let (initiator, _events) = Initiator::start(
        cfg.parse().unwrap(),
        Arc::new(MemoryStoreFactory),
        Arc::new(Client),
    )
    .await
    .unwrap();
    let session = initiator
        .session(&SessionId::new("FIX.4.4", "BANK", "EXCH"))
        .unwrap()
        .clone();
    session.enqueue(order(0)).await.unwrap();
    assert_eq!(session.flush().await.unwrap(), 1);
    assert_eq!(session.refused(), 1);
    assert!(session.send(order(1)).await.is_err());
    initiator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_orders_file_store() {
    let dir = tempfile::tempdir().unwrap();
    exchange(Arc::new(FileStoreFactory), dir.path(), 1000, true).await;
    assert!(dir.path().join("acc/FIX.4.4-EXCH-BANK.body").exists());
    assert!(dir.path().join("ini/FIX.4.4-BANK-EXCH.seqnums").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_session_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let cfg = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\nSenderCompID=EXCH\n\
               [SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n";
    let (acceptor, _ev) = Acceptor::start(
        cfg.parse().unwrap(),
        Arc::new(MemoryStoreFactory),
        Arc::new(Exchange),
    )
    .await
    .unwrap();
    let mut s = tokio::net::TcpStream::connect(acceptor.local_addr().unwrap())
        .await
        .unwrap();
    let body = "35=A\x0134=1\x0149=WHO\x0152=20240101-00:00:00\x0156=EXCH\x0198=0\x01108=30\x01";
    let mut m = format!("8=FIX.4.4\x019={}\x01{body}", body.len()).into_bytes();
    let sum = fix_core::frame::checksum(&m);
    m.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    s.write_all(&m).await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0, "closed without an answer");
    acceptor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_logs_hold_one_whole_message_per_line() {
    // 1,000 orders in batches: reads hold many messages and split others; the log must not.
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let extra = format!("FileLogPath={}\n", logs.display());
    exchange_with(Arc::new(MemoryStoreFactory), dir.path(), 1000, true, &extra).await;
    let acceptor_log =
        std::fs::read_to_string(logs.join("FIX.4.4-EXCH-BANK.messages.current.log")).unwrap();
    let mut orders = 0;
    for line in acceptor_log.lines() {
        let (dir, msg) = line.split_at(4);
        assert!(dir == "IN  " || dir == "OUT ", "{line}");
        // Exactly one whole message: starts with BeginString, ends with its CheckSum.
        let frame = fix_core::frame::find_frame(msg.as_bytes(), 1 << 20)
            .unwrap_or_else(|e| panic!("{e}: {line}"))
            .unwrap_or_else(|| panic!("cut short: {line}"));
        assert_eq!(frame.len, msg.len(), "{line}");
        if dir == "IN  " && msg.contains("\x0135=D\x01") {
            orders += 1;
        }
    }
    assert_eq!(orders, 1000);
}
