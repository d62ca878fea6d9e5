//! Dynamic sessions over loopback: an acceptor with only an `AcceptorTemplate=Y` section
//! creates a session per counterparty on its Logon (its own store entry and sequence
//! numbers), refuses Logons the template does not match, and reuses a created session when
//! its counterparty reconnects, also after the acceptor restarts.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fix_core::MessageView;
use fix_example_app::raw::{acknowledgement, order};
use fix_session::app::NullApplication as Client;
use fix_session::app::{AppReject, Application, Responder};
use fix_session::core::Event;
use fix_session::driver::{Acceptor, AcceptorHandle, Initiator, InitiatorHandle, SessionEvent};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::FileStoreFactory;
use tokio::sync::mpsc::UnboundedReceiver;

const WAIT: Duration = Duration::from_secs(20);

/// Answers each order with an ExecutionReport and records the sessions created.
#[derive(Default)]
struct Exchange {
    created: Mutex<Vec<SessionId>>,
}

impl Exchange {
    fn created(&self) -> Vec<SessionId> {
        self.created.lock().unwrap().clone()
    }
}

impl Application for Exchange {
    fn on_create(&self, id: &SessionId) {
        self.created.lock().unwrap().push(id.clone());
    }

    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        out.reply(acknowledgement(msg.field(11).unwrap_or_default()));
        Ok(())
    }
}

/// An acceptor on a free loopback port with a template for FIX.4.4 sessions of EXCH with
/// any counterparty, and no configured session.
async fn acceptor(dir: &Path, app: Arc<Exchange>) -> (AcceptorHandle, u16) {
    let cfg = format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
         FileStorePath={}\n[SESSION]\nAcceptorTemplate=Y\nBeginString=FIX.4.4\n\
         SenderCompID=EXCH\nTargetCompID=*\n",
        dir.join("acc").display()
    );
    let settings: Settings = cfg.parse().expect("acceptor settings");
    assert!(settings.sessions.is_empty(), "only a template");
    let (handle, _events) = Acceptor::start(settings, Arc::new(FileStoreFactory), app)
        .await
        .expect("acceptor starts");
    let port = handle.local_addr().expect("listening").port();
    (handle, port)
}

/// An initiator with one session per `(BeginString, SenderCompID, TargetCompID)`.
async fn initiator(
    dir: &Path,
    port: u16,
    sessions: &[(&str, &str, &str)],
) -> (InitiatorHandle, UnboundedReceiver<SessionEvent>) {
    let mut cfg = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=30\n\
         SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\nFileStorePath={}\n",
        dir.join("ini").display()
    );
    for (bs, sender, target) in sessions {
        cfg.push_str(&format!(
            "[SESSION]\nBeginString={bs}\nSenderCompID={sender}\nTargetCompID={target}\n"
        ));
    }
    Initiator::start(
        cfg.parse().expect("initiator settings"),
        Arc::new(FileStoreFactory),
        Arc::new(Client),
    )
    .await
    .expect("initiator starts")
}

async fn logged_on(events: &mut UnboundedReceiver<SessionEvent>) {
    tokio::time::timeout(WAIT, async {
        while let Some(ev) = events.recv().await {
            match ev.event {
                Event::LoggedOn => return,
                Event::Disconnected { reason } => panic!("{}: disconnected: {reason}", ev.session),
                _ => {}
            }
        }
        panic!("events ended before logon");
    })
    .await
    .expect("logon in time");
}

/// Sends `orders` and returns the MsgSeqNums of the ExecutionReports answering them.
async fn round_trip(
    ini: &InitiatorHandle,
    events: &mut UnboundedReceiver<SessionEvent>,
    id: &SessionId,
    orders: &[&str],
) -> Vec<u64> {
    let session = ini.session(id).expect("initiator session");
    for o in orders {
        session.send(order(o)).await.expect("order sent");
    }
    let mut seqs = Vec::new();
    tokio::time::timeout(WAIT, async {
        while seqs.len() < orders.len() {
            let ev = events.recv().await.expect("events");
            match ev.event {
                Event::App { msg_type, seq, .. } if msg_type == "8" => seqs.push(seq),
                Event::Rejected { text, .. } => panic!("rejected: {text}"),
                Event::RejectReceived { bytes } => {
                    panic!("reject received: {}", String::from_utf8_lossy(&bytes))
                }
                Event::Disconnected { reason } => panic!("disconnected: {reason}"),
                _ => {}
            }
        }
    })
    .await
    .expect("execution reports in time");
    seqs
}

/// The acceptor's next sender MsgSeqNum for session `id` (which must exist).
async fn next_sender(acc: &AcceptorHandle, id: &SessionId) -> u64 {
    acc.session(id)
        .unwrap_or_else(|| panic!("acceptor has session {id}"))
        .flush()
        .await
        .expect("flush")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_accepts_two_counterparties_each_with_its_own_sequence_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(Exchange::default());
    let (acc, port) = acceptor(dir.path(), app.clone()).await;
    assert_eq!(acc.sessions().count(), 0, "no session before a Logon");

    let one = SessionId::new("FIX.4.4", "BANK1", "EXCH");
    let two = SessionId::new("FIX.4.4", "BANK2", "EXCH");
    let (acc1, acc2) = (
        SessionId::new("FIX.4.4", "EXCH", "BANK1"),
        SessionId::new("FIX.4.4", "EXCH", "BANK2"),
    );
    let (ini1, mut ev1) = initiator(dir.path(), port, &[("FIX.4.4", "BANK1", "EXCH")]).await;
    logged_on(&mut ev1).await;
    let (ini2, mut ev2) = initiator(dir.path(), port, &[("FIX.4.4", "BANK2", "EXCH")]).await;
    logged_on(&mut ev2).await;

    // BANK1's three orders do not move BANK2's numbers: each answer follows its own Logon (1).
    assert_eq!(
        round_trip(&ini1, &mut ev1, &one, &["A1", "A2", "A3"]).await,
        [2, 3, 4]
    );
    assert_eq!(round_trip(&ini2, &mut ev2, &two, &["B1"]).await, [2]);

    assert_eq!(next_sender(&acc, &acc1).await, 5);
    assert_eq!(next_sender(&acc, &acc2).await, 3);
    let mut created = app.created();
    created.sort();
    assert_eq!(
        created,
        [acc1.clone(), acc2.clone()],
        "on_create once per session"
    );
    let mut listed: Vec<SessionId> = acc.sessions().map(|h| h.id().clone()).collect();
    listed.sort();
    assert_eq!(listed, [acc1, acc2]);

    ini1.stop().await;
    ini2.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logon_the_template_does_not_match_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(Exchange::default());
    let (acc, port) = acceptor(dir.path(), app.clone()).await;

    // Another BeginString, and another CompID of ours, than the template's.
    let sessions = [("FIX.4.2", "BANK", "EXCH"), ("FIX.4.4", "BANK", "OTHER")];
    let (ini, mut events) = initiator(dir.path(), port, &sessions).await;
    let mut refused = Vec::new();
    tokio::time::timeout(WAIT, async {
        while refused.len() < sessions.len() {
            let ev = events.recv().await.expect("events");
            match ev.event {
                Event::LoggedOn => panic!("{} logged on", ev.session),
                Event::Disconnected { .. } if !refused.contains(&ev.session) => {
                    refused.push(ev.session)
                }
                _ => {}
            }
        }
    })
    .await
    .expect("both connections closed in time");

    assert_eq!(acc.sessions().count(), 0, "no session created");
    assert!(app.created().is_empty(), "on_create not called");
    assert!(acc
        .session(&SessionId::new("FIX.4.4", "OTHER", "BANK"))
        .is_none());
    ini.stop().await;
    acc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_session_keeps_its_sequence_numbers_across_reconnects_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(Exchange::default());
    let (acc, port) = acceptor(dir.path(), app.clone()).await;
    let ours = SessionId::new("FIX.4.4", "BANK", "EXCH");
    let theirs = SessionId::new("FIX.4.4", "EXCH", "BANK");

    // First connection: Logon 1, answers 2 and 3; the initiator's Logout takes 4.
    let (ini, mut events) = initiator(dir.path(), port, &[("FIX.4.4", "BANK", "EXCH")]).await;
    logged_on(&mut events).await;
    assert_eq!(
        round_trip(&ini, &mut events, &ours, &["1", "2"]).await,
        [2, 3]
    );
    ini.stop().await;
    let after_first = next_sender(&acc, &theirs).await;
    assert_eq!(after_first, 5, "Logon, two answers, Logout");

    // Second connection to the same acceptor: the session is reused, numbers go on.
    let (ini, mut events) = initiator(dir.path(), port, &[("FIX.4.4", "BANK", "EXCH")]).await;
    logged_on(&mut events).await;
    assert_eq!(round_trip(&ini, &mut events, &ours, &["3"]).await, [6]);
    ini.stop().await;
    assert_eq!(app.created(), std::slice::from_ref(&theirs), "created once");
    assert_eq!(acc.sessions().count(), 1);
    acc.stop().await;

    // A new acceptor on the same store: the session is created again, from its store entry.
    let app = Arc::new(Exchange::default());
    let (acc, port) = acceptor(dir.path(), app.clone()).await;
    let (ini, mut events) = initiator(dir.path(), port, &[("FIX.4.4", "BANK", "EXCH")]).await;
    logged_on(&mut events).await;
    assert_eq!(round_trip(&ini, &mut events, &ours, &["4"]).await, [9]);
    assert_eq!(app.created(), std::slice::from_ref(&theirs));
    ini.stop().await;
    acc.stop().await;
}
