//! Sub and Location IDs are part of a session's identity: two acceptor sessions with the same
//! CompIDs and different TargetSubIDs are two sessions, a Logon goes to the one its
//! SenderSubID names, and every message carries the IDs.

use std::sync::Arc;
use std::time::Duration;

use fix_core::MessageView;
use fix_session::app::{AppReject, Application, RawBody, Responder};
use fix_session::core::Event;
use fix_session::driver::{Acceptor, Initiator, SessionEvent};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::MemoryStoreFactory;
use tokio::sync::mpsc::UnboundedReceiver;

/// Acknowledges each order with a bare ExecutionReport.
struct Exchange;

impl Application for Exchange {
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        let cl = msg.field(11).unwrap_or_default().to_vec();
        out.reply(
            RawBody::new("8")
                .with(6, "0")
                .with(11, &cl)
                .with(14, "0")
                .with(17, "E1")
                .with(37, "O1")
                .with(39, "0")
                .with(54, "1")
                .with(55, "IBM")
                .with(150, "0")
                .with(151, "100"),
        );
        Ok(())
    }
}

struct Client;
impl Application for Client {}

/// The raw bytes of the next application message of type `msg_type` (and the session it
/// came to), within 20 seconds.
async fn next_app(
    events: &mut UnboundedReceiver<SessionEvent>,
    msg_type: &str,
) -> (SessionId, String) {
    let wait = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if let Event::App {
                msg_type: t, bytes, ..
            } = ev.event
            {
                if t == msg_type {
                    return (
                        ev.session,
                        String::from_utf8_lossy(&bytes).replace('\x01', "|"),
                    );
                }
            }
        }
        panic!("events ended");
    });
    wait.await.expect("message in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logons_route_by_sub_id_and_messages_carry_the_ids() {
    let acc_cfg = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
                   SenderCompID=EXCH\nSenderLocationID=LDN\nTargetCompID=BANK\nBeginString=FIX.4.4\nResetOnLogon=Y\n\
                   [SESSION]\nTargetSubID=DESK1\n[SESSION]\nTargetSubID=DESK2\n";
    let acc_settings: Settings = acc_cfg.parse().unwrap();
    assert_eq!(acc_settings.sessions.len(), 2);
    let (acceptor, mut acc_events) = Acceptor::start(
        acc_settings,
        Arc::new(MemoryStoreFactory),
        Arc::new(Exchange),
    )
    .await
    .unwrap();
    let port = acceptor.local_addr().unwrap().port();
    let ini_cfg = format!(
        "[SESSION]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\nBeginString=FIX.4.4\n\
         SenderCompID=BANK\nSenderSubID=DESK2\nTargetCompID=EXCH\nTargetLocationID=LDN\nResetOnLogon=Y\n\
         SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"
    );
    let ini_settings: Settings = ini_cfg.parse().unwrap();
    let ini_id = ini_settings.sessions[0].id.clone();
    let (initiator, mut ini_events) =
        Initiator::start(ini_settings, Arc::new(MemoryStoreFactory), Arc::new(Client))
            .await
            .unwrap();
    let session = initiator.session(&ini_id).unwrap().clone();
    let logon = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = ini_events.recv().await {
            if ev.event == Event::LoggedOn {
                return;
            }
        }
    });
    logon.await.expect("logon");
    session
        .send(
            RawBody::new("D")
                .with(11, "SUB-1")
                .with(21, "1")
                .with(38, "100")
                .with(40, "1")
                .with(54, "1")
                .with(55, "IBM")
                .with(60, "20240101-00:00:00"),
        )
        .await
        .unwrap();

    let (to, order) = next_app(&mut acc_events, "D").await;
    assert_eq!(
        to.target_sub_id.as_deref(),
        Some("DESK2"),
        "routed to DESK2's session"
    );
    assert!(order.contains("|50=DESK2|"), "{order}");
    assert!(order.contains("|143=LDN|"), "{order}");
    let (_, report) = next_app(&mut ini_events, "8").await;
    assert!(report.contains("|57=DESK2|"), "{report}");
    assert!(report.contains("|142=LDN|"), "{report}");
    initiator.stop().await;
    acceptor.stop().await;
}
