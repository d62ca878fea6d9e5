//! The metrics and health endpoint (HttpAcceptPort) of a live acceptor and initiator on
//! loopback, scraped with a real HTTP client as messages flow.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use fix_example_app::raw::{order, Acknowledger as Exchange};
use fix_session::app::NullApplication as Client;
use fix_session::app::RawBody;
use fix_session::core::Event;
use fix_session::driver::{Acceptor, Initiator, SessionEvent};
use fix_session::settings::Settings;
use fix_session::store::MemoryStoreFactory;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc::UnboundedReceiver;

/// GET `path` with hyper's HTTP/1 client: the status and the body.
async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", addr.port()))
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header("host", "localhost")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let res = sender.send_request(req).await.unwrap();
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// The value of the series `name` whose labels include every one of `labels`.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<f64> = text
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(name)?;
            let rest = rest.strip_prefix('{')?;
            let (set, v) = rest.split_once("} ")?;
            labels
                .iter()
                .all(|(k, v)| set.split(',').any(|kv| kv == format!("{k}=\"{v}\"")))
                .then(|| v.trim().parse::<f64>().unwrap())
        })
        .collect();
    assert_eq!(found.len(), 1, "one series {name} {labels:?} in:\n{text}");
    found[0]
}

async fn wait_for(events: &mut UnboundedReceiver<SessionEvent>, what: Event) {
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if ev.event == what {
                return;
            }
        }
        panic!("events ended before {what:?}");
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what:?}"));
}

/// Polls `path` until it answers `status` (the acceptor's task updates its state a moment
/// after the initiator sees the answer).
async fn health_becomes(addr: SocketAddr, status: u16) -> serde_json::Value {
    let mut last = (0, String::new());
    for _ in 0..100 {
        last = get(addr, "/health").await;
        if last.0 == status {
            return serde_json::from_str(&last.1).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/health stayed {} {}", last.0, last.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_health_move_as_messages_flow() {
    let acc: Settings =
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
         SenderCompID=EXCH\nResetOnLogon=Y\nHttpAcceptPort=0\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\nSessionQualifier=q1\n"
            .parse()
            .unwrap();
    assert_eq!(acc.http_accept_port, Some(0));
    let stores = Arc::new(MemoryStoreFactory);
    let (acceptor, _acc_events) = Acceptor::start(acc, stores.clone(), Arc::new(Exchange))
        .await
        .unwrap();
    let acc_http = acceptor.http_addr().expect("acceptor endpoint");
    assert_ne!(acc_http.port(), 0);

    // Nothing connected yet: the acceptor's session should be logged on (24-hour schedule).
    let health = health_becomes(acc_http, 503).await;
    assert_eq!(health["status"], "unhealthy");
    assert_eq!(health["sessions"][0]["state"], "disconnected");
    assert_eq!(
        health["sessions"][0]["last_received"],
        serde_json::Value::Null
    );

    let port = acceptor.local_addr().unwrap().port();
    let ini: Settings = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=60\nSenderCompID=BANK\n\
         ResetOnLogon=Y\nHttpAcceptPort=0\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n\
         SessionQualifier=q1\nSocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"
    )
    .parse()
    .unwrap();
    let (initiator, mut events) = Initiator::start(ini, stores, Arc::new(Client))
        .await
        .unwrap();
    let ini_http = initiator.http_addr().expect("initiator endpoint");
    wait_for(&mut events, Event::LoggedOn).await;

    let health = health_becomes(ini_http, 200).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["sessions"][0]["state"], "logged_on");
    assert!(
        health["sessions"][0]["last_received"].is_string(),
        "{health}"
    );
    health_becomes(acc_http, 200).await;

    let ini_id = [("sender_comp_id", "BANK"), ("qualifier", "q1")];
    let acc_id = [("sender_comp_id", "EXCH"), ("target_comp_id", "BANK")];
    let app = [("class", "app")];
    let admin = [("class", "admin")];
    let with =
        |a: &[(&'static str, &'static str)], b: &[(&'static str, &'static str)]| [a, b].concat();
    let (status, before_ini) = get(ini_http, "/metrics").await;
    assert_eq!(status, 200);
    let (_, before_acc) = get(acc_http, "/metrics").await;
    assert_eq!(
        value(&before_ini, "fix_messages_sent_total", &with(&ini_id, &app)),
        0.0
    );
    assert_eq!(
        value(
            &before_ini,
            "fix_messages_sent_total",
            &with(&ini_id, &admin)
        ),
        1.0
    );
    assert_eq!(value(&before_ini, "fix_logons_total", &ini_id), 1.0);
    assert_eq!(
        value(
            &before_ini,
            "fix_session_state",
            &with(&ini_id, &[("state", "logged_on")])
        ),
        1.0
    );

    let n = 25;
    let session = initiator.sessions().next().unwrap().clone();
    for i in 0..n {
        session.send(order(&format!("ORD{i}"))).await.unwrap();
    }
    // An OrderCancelRequest without Side (54): a session Reject (reason 1, required tag
    // missing) comes back; a whole one is not taken by the exchange: a BusinessMessageReject.
    let cancel = || {
        RawBody::new("F")
            .with(11, "C1")
            .with(41, "ORD0")
            .with(55, "IBM")
    };
    session.send(cancel()).await.unwrap();
    session
        .send(cancel().with(54, "1").with(60, "20240101-00:00:00"))
        .await
        .unwrap();
    let (mut reports, mut rejects, mut business_rejects) = (0, 0, 0);
    tokio::time::timeout(Duration::from_secs(20), async {
        while reports < n || rejects < 1 || business_rejects < 1 {
            match events.recv().await.unwrap().event {
                Event::App { msg_type, .. } if msg_type == "8" => reports += 1,
                Event::App { msg_type, .. } if msg_type == "j" => business_rejects += 1,
                Event::RejectReceived { .. } => rejects += 1,
                _ => {}
            }
        }
    })
    .await
    .expect("the execution reports and the rejects");

    let (_, after_ini) = get(ini_http, "/metrics").await;
    let sent_app = value(&after_ini, "fix_messages_sent_total", &with(&ini_id, &app));
    assert_eq!(sent_app, (n + 2) as f64);
    let recv_app = value(
        &after_ini,
        "fix_messages_received_total",
        &with(&ini_id, &app),
    );
    assert_eq!(
        recv_app,
        (n + 1) as f64,
        "reports and the BusinessMessageReject"
    );
    let reason = with(&ini_id, &[("reason", "1")]);
    assert_eq!(
        value(&after_ini, "fix_rejects_received_total", &reason),
        1.0
    );
    assert!(
        value(&after_ini, "fix_sent_bytes_total", &with(&ini_id, &app))
            > value(&before_ini, "fix_sent_bytes_total", &with(&ini_id, &app)) + 50.0 * n as f64
    );
    assert_eq!(
        value(&after_ini, "fix_business_rejects_received_total", &ini_id),
        1.0
    );
    // Logon was 1: the orders and the cancels took 2..=n+3; so did the reports and the
    // rejects coming back.
    assert_eq!(
        value(&after_ini, "fix_next_sender_seq_num", &ini_id),
        (n + 4) as f64
    );
    assert_eq!(
        value(&after_ini, "fix_next_target_seq_num", &ini_id),
        (n + 4) as f64
    );
    assert!(value(&after_ini, "fix_store_write_seconds_count", &ini_id) >= (n + 1) as f64);
    assert_eq!(value(&after_ini, "fix_send_queue_depth", &ini_id), 0.0);
    assert!(value(&after_ini, "fix_last_received_timestamp_seconds", &ini_id) > 1.7e9);

    // The acceptor counted the same messages from its side.
    let (_, after_acc) = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let r = get(acc_http, "/metrics").await;
            if value(&r.1, "fix_business_rejects_sent_total", &acc_id) == 1.0 {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the acceptor's counters catch up");
    assert_eq!(
        value(
            &after_acc,
            "fix_messages_received_total",
            &with(&acc_id, &app)
        ) - value(
            &before_acc,
            "fix_messages_received_total",
            &with(&acc_id, &app)
        ),
        (n + 2) as f64
    );
    assert_eq!(
        value(&after_acc, "fix_messages_sent_total", &with(&acc_id, &app)),
        (n + 1) as f64
    );
    let reason = with(&acc_id, &[("reason", "1")]);
    assert_eq!(value(&after_acc, "fix_rejects_sent_total", &reason), 1.0);
    assert!(after_acc.contains("# TYPE fix_store_write_seconds histogram"));
    assert!(after_acc.trim_end().ends_with("# EOF"));

    let (status, _) = get(acc_http, "/nothing-here").await;
    assert_eq!(status, 404);

    // Logged out: both sides are unhealthy (their schedules say they should be logged on).
    session.logout(Some("end of test")).unwrap();
    wait_for(&mut events, Event::LoggedOut).await;
    let health = health_becomes(ini_http, 503).await;
    assert_ne!(health["sessions"][0]["state"], "logged_on");
    health_becomes(acc_http, 503).await;
    let (_, last_acc) = get(acc_http, "/metrics").await;
    assert_eq!(value(&last_acc, "fix_logouts_total", &acc_id), 1.0);
    assert_eq!(
        value(
            &last_acc,
            "fix_session_state",
            &with(&acc_id, &[("state", "logged_on")])
        ),
        0.0
    );

    initiator.stop().await;
    acceptor.stop().await;
    // Stopped engines serve nothing.
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", acc_http.port()))
            .await
            .is_err()
    );
}

#[test]
fn a_bad_http_accept_port_names_the_key() {
    let e = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSenderCompID=A\nHttpAcceptPort=http\n\
             [SESSION]\nBeginString=FIX.4.4\nTargetCompID=B\n"
        .parse::<Settings>()
        .unwrap_err();
    assert!(e.to_string().contains("HttpAcceptPort"), "{e}");
    let none: Settings = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSenderCompID=A\n\
             [SESSION]\nBeginString=FIX.4.4\nTargetCompID=B\n"
        .parse()
        .unwrap();
    assert_eq!(none.http_accept_port, None);
}
