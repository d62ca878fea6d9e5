//! Typed dispatch over loopback TCP: the acceptor's application receives `fix44::MessageRef`
//! views through `Typed`, answers NewOrderSingles from typed reads and refuses the rest.

use std::sync::Arc;
use std::time::Duration;

use fix_session::app::{AppReject, Application, RawBody, Responder};
use fix_session::core::Event;
use fix_session::driver::{Acceptor, Initiator};
use fix_session::settings::SessionId;
use fix_session::store::MemoryStoreFactory;
use fix_session::typed::{Typed, TypedApplication};

struct Exchange;

impl TypedApplication for Exchange {
    type Version = fix44::Message;

    fn on_message(
        &self,
        msg: fix44::MessageRef<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        let fix44::MessageRef::NewOrderSingle(order) = msg else {
            return Err(AppReject::UnsupportedMessageType);
        };
        // Typed reads: text borrowed from the message, the side as its enum, the quantity as
        // a decimal.
        let side = match order.side() {
            fix44::fields::Side::Buy => "1",
            _ => "2",
        };
        let qty = order.order_qty_data().order_qty().unwrap_or_default();
        let cl = order.cl_ord_id();
        let er = RawBody::new("8")
            .with(6, "0")
            .with(11, cl)
            .with(14, "0")
            .with(17, format!("E{cl}"))
            .with(37, format!("O{cl}"))
            .with(39, "0")
            .with(54, side)
            .with(55, order.instrument().symbol().unwrap_or("?"))
            .with(150, "0")
            .with(151, qty.to_string());
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
        .with(38, format!("{}", 100 + i))
        .with(40, "1")
        .with(54, if i.is_multiple_of(2) { "1" } else { "2" })
        .with(55, format!("SYM{i}"))
        .with(60, "20240101-00:00:00")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_application_answers_from_typed_views_and_refuses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let stores = Arc::new(MemoryStoreFactory);
    let acc_cfg =
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
         SenderCompID=EXCH\nResetOnLogon=Y\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n";
    let (acceptor, _acc_events) = Acceptor::start(
        acc_cfg.parse().unwrap(),
        stores.clone(),
        Arc::new(Typed(Exchange)),
    )
    .await
    .unwrap();
    let port = acceptor.local_addr().unwrap().port();
    let ini_cfg = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\n\
         ResetOnLogon=Y\nFileStorePath={}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n\
         SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n",
        dir.path().display()
    );
    let (initiator, mut events) =
        Initiator::start(ini_cfg.parse().unwrap(), stores, Arc::new(Client))
            .await
            .unwrap();
    let id = SessionId::new("FIX.4.4", "BANK", "EXCH");
    let session = initiator.session(&id).unwrap().clone();
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if ev.event == Event::LoggedOn {
                return;
            }
        }
    })
    .await
    .expect("logon");
    for i in 0..4 {
        session.send(order(i)).await.unwrap();
    }
    // An application message the exchange does not handle: News (35=B).
    session
        .send(
            RawBody::new("B")
                .with(148, "headline")
                .with(33, "1")
                .with(58, "line"),
        )
        .await
        .unwrap();
    let (mut reports, mut business_rejects) = (Vec::new(), 0);
    tokio::time::timeout(Duration::from_secs(30), async {
        while reports.len() < 4 || business_rejects < 1 {
            let Some(ev) = events.recv().await else { break };
            if let Event::App {
                msg_type, bytes, ..
            } = ev.event
            {
                let text = String::from_utf8_lossy(&bytes).replace('\x01', "|");
                match msg_type.as_str() {
                    "8" => reports.push(text),
                    "j" => {
                        assert!(text.contains("|380=3|"), "{text}");
                        business_rejects += 1;
                    }
                    other => panic!("unexpected {other}: {text}"),
                }
            }
        }
    })
    .await
    .expect("four execution reports and one business reject");
    for (i, er) in reports.iter().enumerate() {
        let side = if i.is_multiple_of(2) { "1" } else { "2" };
        assert!(er.contains(&format!("|11=ORD{i}|")), "{er}");
        assert!(er.contains(&format!("|54={side}|")), "{er}");
        assert!(er.contains(&format!("|55=SYM{i}|")), "{er}");
        assert!(er.contains(&format!("|151={}|", 100 + i)), "{er}");
    }
    initiator.stop().await;
    acceptor.stop().await;
}
