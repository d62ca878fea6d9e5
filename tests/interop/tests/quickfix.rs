//! Our engine against QuickFIX C++ 1.15.1, both ways round, for FIX.4.2, FIX.4.4 and
//! FIXT.1.1/FIX.5.0SP2, through a relay that can lose traffic and cut the connection:
//!
//! 1. logon;
//! 2. 1,000 NewOrderSingles, each answered by an ExecutionReport with repeating groups
//!    (checked field by field on the receiving side, by QuickFIX's group API when QuickFIX
//!    receives them);
//! 3. TestRequest -> Heartbeat with the TestReqID, each way;
//! 4. SequenceReset: QuickFIX skips sequence numbers (our ResendRequest is answered with a
//!    SequenceReset-GapFill), QuickFIX sends a SequenceReset-Reset, we send one;
//! 5. mid-stream loss: the relay swallows traffic while both sides send, then cuts the
//!    connection; after the reconnect both sides recover through ResendRequest, resend
//!    (PossDupFlag) and gap fill; every message reaches each application exactly once;
//! 6. logout handshake;
//! 7. both engines' file logs: no Reject, no BusinessMessageReject, no sequence or
//!    validation error. Both sides validate against the dictionaries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fix_interop::messages::{self, Received};
use fix_interop::ours::{admin_field, OurSide};
use fix_interop::{logs, wait_until, QfPeer, Relay, Role, SessionConfig, Version};
use fix_session::app::RawBody;

const ORDERS: usize = 1000;
const WAIT: Duration = Duration::from_secs(60);
const RECOVERY: Duration = Duration::from_secs(20);

/// One end of the session under test.
enum Side {
    Ours(Box<OurSide>),
    Qf(QfPeer),
}

impl Side {
    fn name(&self) -> &'static str {
        match self {
            Side::Ours(_) => "ours",
            Side::Qf(_) => "quickfix",
        }
    }

    fn logons(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.logons(),
            Side::Qf(q) => q.count(|l| l.starts_with("LOGON ")),
        }
    }

    fn logouts(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.logouts(),
            Side::Qf(q) => q.count(|l| l.starts_with("LOGOUT ")),
        }
    }

    fn received(&self) -> Vec<Received> {
        match self {
            Side::Ours(o) => o.app.received(),
            Side::Qf(q) => q.received(),
        }
    }

    /// Sends `n` application messages with ClOrdIDs `prefix-i`: NewOrderSingles from an
    /// initiator, unsolicited ExecutionReports from an acceptor.
    async fn send_app(&mut self, version: Version, role: Role, prefix: &str, n: usize) {
        match self {
            Side::Ours(o) => {
                let refused = o.session.refused();
                let msgs = (0..n).map(|i| {
                    let id = format!("{prefix}-{i}");
                    match role {
                        Role::Initiator => messages::new_order(&id),
                        Role::Acceptor => messages::report(version, &id, b"1", b"IBM"),
                    }
                });
                o.session.enqueue_all(msgs).await.unwrap();
                o.session.flush().await.unwrap();
                assert_eq!(o.session.refused(), refused, "our session refused messages");
            }
            Side::Qf(q) => {
                let cmd = match role {
                    Role::Initiator => "ORDERS",
                    Role::Acceptor => "REPORTS",
                };
                let sent = q
                    .request(&format!("{cmd} {n} {prefix}"), "SENT")
                    .await
                    .unwrap();
                assert_eq!(sent, format!("SENT {n}"));
            }
        }
    }

    async fn test_request(&mut self, id: &str) {
        match self {
            Side::Ours(o) => {
                let mut m = RawBody::new("1").with(112, id);
                m.admin = true;
                o.session.send(m).await.unwrap();
            }
            Side::Qf(q) => {
                q.request(&format!("TESTREQ {id}"), "SENT").await.unwrap();
            }
        }
    }

    fn heartbeat_for(&self, id: &str) -> bool {
        match self {
            Side::Ours(o) => o
                .app
                .admin_in("0")
                .iter()
                .any(|m| admin_field(m, 112) == Some(id)),
            Side::Qf(q) => q
                .admin(true, "0")
                .iter()
                .any(|l| l.split(' ').any(|w| w == format!("112={id}"))),
        }
    }

    /// SequenceReset-Reset; returns the NewSeqNo sent.
    async fn reset(&mut self) -> u64 {
        match self {
            Side::Ours(o) => {
                let next = o.session.flush().await.unwrap();
                let mut m = RawBody::new("4").with(36, (next + 1).to_string());
                m.admin = true;
                let seq = o.session.send(m).await.unwrap();
                assert_eq!(seq, next);
                next + 1
            }
            Side::Qf(q) => {
                let l = q.request("RESET 3", "OK RESET").await.unwrap();
                l.rsplit(' ').next().unwrap().parse().unwrap()
            }
        }
    }

    /// SequenceResets received: (GapFill, Reset) counts, with NewSeqNo of the last Reset.
    fn sequence_resets(&self) -> (usize, usize, Option<u64>) {
        let (mut gap, mut reset, mut last) = (0, 0, None);
        match self {
            Side::Ours(o) => {
                for m in o.app.admin_in("4") {
                    if admin_field(&m, 123) == Some("Y") {
                        gap += 1;
                    } else {
                        reset += 1;
                        last = admin_field(&m, 36).and_then(|v| v.parse().ok());
                    }
                }
            }
            Side::Qf(q) => {
                for l in q.admin(true, "4") {
                    if l.contains(" 123=Y") {
                        gap += 1;
                    } else {
                        reset += 1;
                        last = l
                            .split(' ')
                            .find_map(|w| w.strip_prefix("36="))
                            .and_then(|v| v.parse().ok());
                    }
                }
            }
        }
        (gap, reset, last)
    }

    fn resend_requests(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.admin_in("2").len(),
            Side::Qf(q) => q.admin(true, "2").len(),
        }
    }

    /// TestReqIDs of the TestRequests sent.
    fn test_requests_sent(&self) -> Vec<String> {
        match self {
            Side::Ours(o) => o
                .app
                .admin_out("1")
                .iter()
                .filter_map(|m| m.get(112).map(|v| String::from_utf8_lossy(v).into_owned()))
                .collect(),
            Side::Qf(q) => q
                .admin(false, "1")
                .iter()
                .filter_map(|l| {
                    l.split(' ')
                        .find_map(|w| w.strip_prefix("112="))
                        .map(str::to_string)
                })
                .collect(),
        }
    }

    /// Admin messages of `msg_type` received (`inbound`) or sent.
    fn admin_count(&self, inbound: bool, msg_type: &str) -> usize {
        match self {
            Side::Ours(o) if inbound => o.app.admin_in(msg_type).len(),
            Side::Ours(o) => o.app.admin_out(msg_type).len(),
            Side::Qf(q) => q.admin(inbound, msg_type).len(),
        }
    }

    fn logouts_received(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.admin_in("5").len(),
            Side::Qf(q) => q.admin(true, "5").len(),
        }
    }

    async fn logout(&mut self) {
        match self {
            Side::Ours(o) => o.session.logout(None).unwrap(),
            Side::Qf(q) => {
                q.request("LOGOUT", "OK LOGOUT").await.unwrap();
            }
        }
    }

    async fn stop(&mut self) {
        match self {
            Side::Ours(o) => o.stop().await,
            Side::Qf(q) => q.quit().await.unwrap(),
        }
    }
}

/// How many distinct `prefix-*` ClOrdIDs of `msg_type` were received.
fn count(received: &[Received], msg_type: &str, prefix: &str) -> usize {
    let p = format!("{prefix}-");
    received
        .iter()
        .filter(|r| r.msg_type == msg_type && r.clordid.starts_with(&p))
        .count()
}

/// Every (MsgType, ClOrdID) was received once, in increasing MsgSeqNum order unless a
/// SequenceReset-Reset lowered it (not here: resets only go up).
fn assert_once(side: &str, received: &[Received]) {
    let mut seen: HashMap<(&str, &str), u64> = HashMap::new();
    for r in received {
        if let Some(first) = seen.insert((&r.msg_type, &r.clordid), r.seq) {
            panic!(
                "{side}: {} {} received twice (MsgSeqNum {first} and {})",
                r.msg_type, r.clordid, r.seq
            );
        }
    }
    for w in received.windows(2) {
        assert!(
            w[0].seq < w[1].seq,
            "{side}: MsgSeqNum went from {} to {}",
            w[0].seq,
            w[1].seq
        );
    }
}

/// Every ExecutionReport carries the groups [`messages::report`] puts in.
fn assert_groups(side: &str, version: Version, received: &[Received]) {
    let reports: Vec<_> = received.iter().filter(|r| r.msg_type == "8").collect();
    for r in &reports {
        assert_eq!(
            r.groups,
            messages::expected_groups(version, &r.clordid),
            "{side}: groups of the ExecutionReport for {}",
            r.clordid
        );
    }
}

fn cfg(
    version: Version,
    role: Role,
    sender: &str,
    target: &str,
    port: u16,
    dir: PathBuf,
    tweaks: &Tweaks,
) -> SessionConfig {
    SessionConfig {
        version,
        role,
        sender: sender.into(),
        target: target.into(),
        port,
        heart_bt_int: tweaks.heart_bt_int,
        dir,
        extra: tweaks.extra.clone(),
        session_extra: match role {
            Role::Initiator => tweaks.initiator_extra.clone(),
            Role::Acceptor => String::new(),
        },
    }
}

/// QuickFIX as `role` on a port it picks (retrying when another process took the port).
async fn start_quickfix(peer: &Path, mk: impl Fn(u16) -> SessionConfig) -> (QfPeer, SessionConfig) {
    let mut last = None;
    for _ in 0..5 {
        let c = mk(fix_interop::free_port().unwrap());
        match QfPeer::start(peer, c.role, &c.to_settings(), &c.dir).await {
            Ok(q) => return (q, c),
            Err(e) => last = Some(e),
        }
    }
    panic!("quickfix did not start: {last:?}");
}

struct Run {
    version: Version,
    ini: Side,
    acc: Side,
    relay: Relay,
    logs: [(&'static str, PathBuf); 2],
    /// QuickFIX's settings, to restart it.
    qf_cfg: SessionConfig,
    _dir: tempfile::TempDir,
}

/// What a test changes in the settings of both sides.
#[derive(Default)]
struct Tweaks {
    heart_bt_int: u32,
    extra: String,
    /// `[SESSION]` lines for the initiator only.
    initiator_extra: String,
    /// `[DEFAULT]` lines for QuickFIX only.
    qf_extra: String,
    /// Our application refuses Logons with this text from the start.
    our_refusal: Option<String>,
}

impl Tweaks {
    fn heart_bt_int(heart_bt_int: u32) -> Tweaks {
        Tweaks {
            heart_bt_int,
            ..Tweaks::default()
        }
    }
}

async fn setup(peer: &Path, version: Version, ours: Role, tweaks: &Tweaks) -> Run {
    let mut dir = tempfile::tempdir().unwrap();
    if std::env::var_os("FIX_INTEROP_KEEP").is_some() {
        dir.disable_cleanup(true);
        println!(
            "{version:?}: logs and stores kept in {}",
            dir.path().display()
        );
    }
    let qf_dir = dir.path().join("quickfix");
    let our_dir = dir.path().join("ours");
    match ours {
        Role::Initiator => {
            let (q, qc) = start_quickfix(peer, |port| {
                let mut c = cfg(
                    version,
                    Role::Acceptor,
                    "QFACC",
                    "OURINI",
                    port,
                    qf_dir.clone(),
                    tweaks,
                );
                c.extra += &tweaks.qf_extra;
                c
            })
            .await;
            let relay = Relay::start(([127, 0, 0, 1], qc.port).into())
                .await
                .unwrap();
            let oc = cfg(
                version,
                Role::Initiator,
                "OURINI",
                "QFACC",
                relay.port(),
                our_dir,
                tweaks,
            );
            let o = OurSide::start(&oc).await.unwrap();
            o.app.refuse_logons(tweaks.our_refusal.as_deref());
            Run {
                version,
                ini: Side::Ours(Box::new(o)),
                acc: Side::Qf(q),
                relay,
                logs: [("ours", oc.log_dir()), ("quickfix", qc.log_dir())],
                qf_cfg: qc,
                _dir: dir,
            }
        }
        Role::Acceptor => {
            let oc = cfg(
                version,
                Role::Acceptor,
                "OURACC",
                "QFINI",
                0,
                our_dir,
                tweaks,
            );
            let o = OurSide::start(&oc).await.unwrap();
            o.app.refuse_logons(tweaks.our_refusal.as_deref());
            let relay = Relay::start(o.local_addr().unwrap()).await.unwrap();
            let mut qc = cfg(
                version,
                Role::Initiator,
                "QFINI",
                "OURACC",
                relay.port(),
                qf_dir,
                tweaks,
            );
            qc.extra += &tweaks.qf_extra;
            let q = QfPeer::start(peer, Role::Initiator, &qc.to_settings(), &qc.dir)
                .await
                .unwrap();
            Run {
                version,
                ini: Side::Qf(q),
                acc: Side::Ours(Box::new(o)),
                relay,
                logs: [("ours", oc.log_dir()), ("quickfix", qc.log_dir())],
                qf_cfg: qc,
                _dir: dir,
            }
        }
    }
}

/// [`setup`] for the test named `test`, waiting until both sides are logged on; `None` (the
/// test is skipped) without the QuickFIX peer.
async fn logged_on(test: &str, version: Version, ours: Role, tweaks: &Tweaks) -> Option<Run> {
    let peer = fix_interop::peer_or_skip(test)?;
    let r = setup(&peer, version, ours, tweaks).await;
    wait_until("logon on both sides", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();
    Some(r)
}

async fn scenario(version: Version, ours: Role) {
    scenario_with(version, ours, "", Tweaks::heart_bt_int(30)).await;
}

async fn scenario_with(version: Version, ours: Role, label: &str, tweaks: Tweaks) {
    let test = format!("{version:?}{label} ours={}", ours.name());
    let Some(peer) = fix_interop::peer_or_skip(&test) else {
        return;
    };
    let t0 = Instant::now();
    let mut r = setup(&peer, version, ours, &tweaks).await;
    let v = r.version;

    // 1. Logon.
    wait_until("logon on both sides", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();

    println!("{test}: orders at {:?}", t0.elapsed());
    // 2. 1,000 orders, each answered with an ExecutionReport with groups.
    let t = Instant::now();
    r.ini.send_app(v, Role::Initiator, "A", ORDERS).await;
    wait_until("1,000 execution reports", WAIT, || {
        count(&r.ini.received(), "8", "A") >= ORDERS
    })
    .await
    .unwrap();
    println!("{test}: {ORDERS} orders answered in {:?}", t.elapsed());
    assert_eq!(count(&r.acc.received(), "D", "A"), ORDERS);
    assert_groups(r.ini.name(), v, &r.ini.received());
    assert!(r.ini.received().iter().all(|m| !m.possdup));

    println!("{test}: test request at {:?}", t0.elapsed());
    // 3. TestRequest -> Heartbeat, both ways.
    r.ini.test_request("TR-INI").await;
    r.acc.test_request("TR-ACC").await;
    wait_until("heartbeats answering the test requests", WAIT, || {
        r.ini.heartbeat_for("TR-INI") && r.acc.heartbeat_for("TR-ACC")
    })
    .await
    .unwrap();
    assert!(!r.ini.heartbeat_for("TR-ACC") && !r.acc.heartbeat_for("TR-INI"));

    println!("{test}: sequence reset at {:?}", t0.elapsed());
    // 4. SequenceReset. QuickFIX skips 3 sequence numbers: we ask for them and QuickFIX
    //    fills the gap; then QuickFIX resets (Reset mode), and so do we.
    let qf_role = match ours {
        Role::Initiator => Role::Acceptor,
        Role::Acceptor => Role::Initiator,
    };
    let (qf, our) = match ours {
        Role::Initiator => (&mut r.acc, &mut r.ini),
        Role::Acceptor => (&mut r.ini, &mut r.acc),
    };
    // What QuickFIX's messages are to us: orders from an initiator, reports from an acceptor.
    let (qf_type, our_type) = match qf_role {
        Role::Initiator => ("D", "8"),
        Role::Acceptor => ("8", "D"),
    };
    let Side::Qf(q) = qf else { unreachable!() };
    q.request("GAP 3", "OK GAP").await.unwrap();
    qf.send_app(v, qf_role, "G", 5).await;
    wait_until("messages after the gap", WAIT, || {
        count(&our.received(), qf_type, "G") == 5
    })
    .await
    .unwrap();
    assert!(qf.resend_requests() >= 1, "quickfix got no ResendRequest");
    assert!(
        our.sequence_resets().0 >= 1,
        "we got no SequenceReset-GapFill"
    );
    let new_seq = qf.reset().await;
    qf.send_app(v, qf_role, "R", 5).await;
    wait_until("messages after quickfix's reset", WAIT, || {
        count(&our.received(), qf_type, "R") == 5
    })
    .await
    .unwrap();
    assert_eq!(our.sequence_resets().1, 1);
    assert_eq!(our.sequence_resets().2, Some(new_seq));
    let new_seq = our.reset().await;
    our.send_app(v, ours, "S", 5).await;
    wait_until("messages after our reset", WAIT, || {
        count(&qf.received(), our_type, "S") == 5
    })
    .await
    .unwrap();
    assert_eq!(qf.sequence_resets().1, 1);
    assert_eq!(qf.sequence_resets().2, Some(new_seq));
    wait_until("reports for G, R and S", WAIT, || {
        let got = r.ini.received();
        ["G", "R", "S"].iter().all(|p| count(&got, "8", p) == 5)
    })
    .await
    .unwrap();

    println!("{test}: mid-stream loss at {:?}", t0.elapsed());
    // 5. Mid-stream loss: orders in flight, then the relay swallows what both sides send
    //    (orders, unsolicited reports, a TestRequest each), then cuts the connection.
    let resends = (r.ini.resend_requests(), r.acc.resend_requests());
    let gap_fills = (r.ini.sequence_resets().0, r.acc.sequence_resets().0);
    r.ini.send_app(v, Role::Initiator, "C1", 100).await;
    r.relay.blackhole(true);
    r.ini.send_app(v, Role::Initiator, "C2", 30).await;
    r.acc.send_app(v, Role::Acceptor, "CA", 30).await;
    r.ini.test_request("TR-LOST-INI").await;
    r.acc.test_request("TR-LOST-ACC").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dropped = r.relay.dropped();
    assert!(dropped > 0, "the relay dropped nothing");
    r.relay.cut();
    wait_until("logon after the cut", WAIT, || {
        r.ini.logons() == 2 && r.acc.logons() == 2
    })
    .await
    .unwrap();
    // Well within HeartBtInt (30 s): a recovery that stalls until the next heartbeat reopens
    // the gap fails here.
    wait_until("every lost message, after resend", RECOVERY, || {
        let (ini, acc) = (r.ini.received(), r.acc.received());
        count(&acc, "D", "C1") == 100
            && count(&acc, "D", "C2") == 30
            && count(&ini, "8", "C1") == 100
            && count(&ini, "8", "C2") == 30
            && count(&ini, "8", "CA") == 30
    })
    .await
    .unwrap();
    // Duplicates would come now, if at all.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        r.ini.resend_requests() > resends.0,
        "initiator got no ResendRequest"
    );
    assert!(
        r.acc.resend_requests() > resends.1,
        "acceptor got no ResendRequest"
    );
    assert!(
        r.ini.sequence_resets().0 > gap_fills.0,
        "initiator got no GapFill"
    );
    assert!(
        r.acc.sequence_resets().0 > gap_fills.1,
        "acceptor got no GapFill"
    );
    let possdup = |side: &Side, t: &str, p: &str| {
        side.received()
            .iter()
            .any(|m| m.msg_type == t && m.clordid.starts_with(p) && m.possdup)
    };
    assert!(
        possdup(&r.acc, "D", "C2-"),
        "no order was resent with PossDupFlag"
    );
    assert!(
        possdup(&r.ini, "8", "CA-"),
        "no report was resent with PossDupFlag"
    );
    assert!(!r.ini.heartbeat_for("TR-LOST-ACC") && !r.acc.heartbeat_for("TR-LOST-INI"));

    println!("{test}: exactly-once check at {:?}", t0.elapsed());
    // 5b. Link down: QuickFIX queues what it sends while disconnected and delivers it by
    //     resend after the next logon; our engine refuses to send while disconnected.
    r.relay.set_down(true);
    wait_until("disconnect", WAIT, || {
        r.ini.logouts() == 2 && r.acc.logouts() == 2
    })
    .await
    .unwrap();
    let (qf, our) = match ours {
        Role::Initiator => (&mut r.acc, &mut r.ini),
        Role::Acceptor => (&mut r.ini, &mut r.acc),
    };
    qf.send_app(v, qf_role, "DQ", 20).await;
    let Side::Ours(o) = our else { unreachable!() };
    let refused = o.session.send(messages::new_order("DX-0")).await;
    assert!(
        refused.is_err(),
        "{test}: sent while disconnected: {refused:?}"
    );
    r.relay.set_down(false);
    wait_until("logon after the link came back", WAIT, || {
        r.ini.logons() == 3 && r.acc.logons() == 3
    })
    .await
    .unwrap();
    wait_until("messages queued by quickfix while down", WAIT, || {
        count(&r.ini.received(), "8", "DQ") == 20
    })
    .await
    .unwrap();
    if qf_role == Role::Initiator {
        assert_eq!(count(&r.acc.received(), "D", "DQ"), 20);
    }

    // Nothing lost or duplicated to either application over the whole run.
    let (ini, acc) = (r.ini.received(), r.acc.received());
    assert_once(r.ini.name(), &ini);
    assert_once(r.acc.name(), &acc);
    assert_groups(r.ini.name(), v, &ini);
    assert_eq!(
        ini.len(),
        ORDERS + 5 * 3 + 100 + 30 + 30 + 20,
        "initiator's messages"
    );
    // Orders G, R and DQ come from QuickFIX when it is the initiator, S from us when we are.
    let acc_orders = if ours == Role::Initiator { 5 } else { 10 + 20 };
    assert_eq!(
        acc.len(),
        ORDERS + acc_orders + 100 + 30,
        "acceptor's messages"
    );

    println!("{test}: logout at {:?}", t0.elapsed());
    // 6. Logout handshake, started by the initiator.
    let logouts = (r.ini.logouts(), r.acc.logouts());
    r.ini.logout().await;
    wait_until("logout on both sides", WAIT, || {
        r.ini.logouts() > logouts.0 && r.acc.logouts() > logouts.1
    })
    .await
    .unwrap();
    assert!(r.acc.logouts_received() >= 1, "acceptor got no Logout");
    assert!(
        r.ini.logouts_received() >= 1,
        "initiator got no Logout answer"
    );
    r.ini.stop().await;
    println!("{test}: {:?} initiator stopped", t0.elapsed());
    r.acc.stop().await;

    println!("{test}: log scan at {:?}", t0.elapsed());
    // 7. Both sides' logs.
    for (name, dir) in &r.logs {
        // The relay's cut resets the connection: QuickFIX logs it as a socket error.
        let (problems, messages) = logs::problems(dir, &["Socket Error: Connection reset by peer"]);
        assert!(
            messages > 2 * ORDERS,
            "{name}: only {messages} messages logged in {dir:?}"
        );
        assert!(
            problems.is_empty(),
            "{test}: {name}'s logs:\n{}",
            problems.join("\n")
        );
    }
    // QuickFIX saw exactly one gap: the messages lost in the relay before the cut. (Ours saw
    // QuickFIX's skipped numbers and what it queued while the link was down as well.)
    let high = logs::events_with(&r.logs[1].1, "MsgSeqNum too high");
    assert_eq!(high.len(), 1, "{test}: {high:?}");
    println!(
        "{test}: passed in {:?} ({} bytes dropped by the relay, {} connections)",
        t0.elapsed(),
        dropped,
        r.relay.accepted()
    );
}

/// HeartBtInt=1: heartbeats flow both ways while idle; when the relay swallows everything,
/// both engines send a TestRequest, then give up on the silent counterparty and disconnect;
/// once traffic flows again they log on again and the session goes on.
async fn heartbeat_scenario(version: Version, ours: Role) {
    let test = format!("{version:?} heartbeats ours={}", ours.name());
    let Some(peer) = fix_interop::peer_or_skip(&test) else {
        return;
    };
    let t0 = Instant::now();
    let mut r = setup(&peer, version, ours, &Tweaks::heart_bt_int(1)).await;
    wait_until("logon on both sides", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();
    // Idle: each side hears at least 3 heartbeats, and nobody needs a TestRequest.
    wait_until("idle heartbeats", Duration::from_secs(10), || {
        r.ini.admin_count(true, "0") >= 3 && r.acc.admin_count(true, "0") >= 3
    })
    .await
    .unwrap();
    // QuickFIX's timer ticks once a second, so with HeartBtInt=1 its heartbeats may come
    // later than HeartBtInt + 20%, when we send a TestRequest: each must be answered.
    let sent = (r.ini.admin_count(false, "1"), r.acc.admin_count(false, "1"));
    wait_until("answers to idle test requests", WAIT, || {
        [&r.ini, &r.acc].iter().all(|side| {
            side.test_requests_sent()
                .iter()
                .all(|id| side.heartbeat_for(id))
        })
    })
    .await
    .unwrap();
    assert_eq!(
        (r.ini.logouts(), r.acc.logouts()),
        (0, 0),
        "disconnected while idle"
    );
    println!("{test}: test requests while idle: {sent:?}");

    // Silence: TestRequests, then both sides drop the connection.
    r.relay.blackhole(true);
    wait_until("test requests and disconnect", WAIT, || {
        r.ini.admin_count(false, "1") > sent.0
            && r.acc.admin_count(false, "1") > sent.1
            && r.ini.logouts() >= 1
            && r.acc.logouts() >= 1
    })
    .await
    .unwrap();
    r.relay.blackhole(false);
    wait_until("logon after the silence", WAIT, || {
        r.ini.logons() >= 2 && r.acc.logons() >= 2
    })
    .await
    .unwrap();
    r.ini.send_app(version, Role::Initiator, "H", 10).await;
    wait_until("orders after the reconnect", WAIT, || {
        count(&r.ini.received(), "8", "H") == 10
    })
    .await
    .unwrap();
    assert_once(r.ini.name(), &r.ini.received());
    assert_once(r.acc.name(), &r.acc.received());
    // Here the acceptor starts the logout handshake.
    let logouts = (r.ini.logouts(), r.acc.logouts());
    r.acc.logout().await;
    wait_until("logout started by the acceptor", WAIT, || {
        r.ini.logouts() > logouts.0
            && r.acc.logouts() > logouts.1
            && r.ini.logouts_received() >= 1
            && r.acc.logouts_received() >= 1
    })
    .await
    .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
    for (name, dir) in &r.logs {
        // QuickFIX logs the silence it gives up on and the reset connection.
        let (problems, _) = logs::problems(
            dir,
            &[
                "Timed out waiting for heartbeat",
                "Socket Error: Connection reset by peer",
            ],
        );
        assert!(
            problems.is_empty(),
            "{test}: {name}'s logs:\n{}",
            problems.join("\n")
        );
    }
    println!("{test}: passed in {:?}", t0.elapsed());
}

/// Both engines read one settings file with QuickFIX C++'s spelling `TimestampPrecision=9`
/// (QuickFIX/J's is `TimeStampPrecision`): every SendingTime either side writes has
/// nanoseconds, and each side parses the other's.
async fn nanosecond_timestamps(version: Version, ours: Role) {
    let test = format!("{version:?} nanoseconds ours={}", ours.name());
    let Some(peer) = fix_interop::peer_or_skip(&test) else {
        return;
    };
    let tweaks = Tweaks {
        heart_bt_int: 30,
        extra: "TimestampPrecision=9\n".into(),
        ..Tweaks::default()
    };
    let mut r = setup(&peer, version, ours, &tweaks).await;
    wait_until("logon on both sides", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();
    r.ini.send_app(version, Role::Initiator, "N", 100).await;
    wait_until("100 reports", WAIT, || {
        count(&r.ini.received(), "8", "N") == 100
    })
    .await
    .unwrap();
    assert_groups(r.ini.name(), version, &r.ini.received());
    r.ini.logout().await;
    wait_until("logout", WAIT, || r.acc.logouts_received() >= 1)
        .await
        .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
    let qf_log = &r.logs[1].1;
    let mut senders = HashMap::new();
    for path in fix_interop::peer::log_files(qf_log) {
        if !path.to_string_lossy().contains(".messages.") {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let fields = messages::fields(line.as_bytes());
            let get = |tag| {
                fields
                    .iter()
                    .find(|(t, _)| *t == tag)
                    .map(|(_, v)| v.clone())
            };
            let (Some(sender), Some(time)) = (get(49), get(52)) else {
                continue;
            };
            let fraction = time.rsplit('.').next().unwrap_or_default().len();
            assert!(
                time.contains('.') && fraction == 9,
                "{test}: {sender} sent 52={time}"
            );
            *senders.entry(sender).or_insert(0) += 1;
        }
    }
    assert_eq!(
        senders.len(),
        2,
        "{test}: messages from both sides: {senders:?}"
    );
    for (name, dir) in &r.logs {
        let (problems, _) = logs::problems(dir, &[]);
        assert!(
            problems.is_empty(),
            "{test}: {name}'s logs:\n{}",
            problems.join("\n")
        );
    }
}

/// ResetOnLogon=Y on the initiator only: both Logons carry ResetSeqNumFlag=Y and MsgSeqNum
/// 1, the acceptor resets too; after a cut the next Logon resets both sides again, with no
/// ResendRequest, and orders flow on from MsgSeqNum 2.
async fn reset_on_logon(version: Version, ours: Role) {
    let test = format!("{version:?} reset on logon ours={}", ours.name());
    let Some(peer) = fix_interop::peer_or_skip(&test) else {
        return;
    };
    let tweaks = Tweaks {
        heart_bt_int: 30,
        initiator_extra: "ResetOnLogon=Y\n".into(),
        ..Tweaks::default()
    };
    let mut r = setup(&peer, version, ours, &tweaks).await;
    for round in 1..=2 {
        wait_until("logon on both sides", WAIT, || {
            r.ini.logons() == round && r.acc.logons() == round
        })
        .await
        .unwrap();
        let prefix = format!("RST{round}");
        r.ini.send_app(version, Role::Initiator, &prefix, 20).await;
        wait_until("20 reports", WAIT, || {
            count(&r.ini.received(), "8", &prefix) == 20
        })
        .await
        .unwrap();
        // Logon was 1: the first order and the first report are 2.
        let first = |side: &Side, t: &str| {
            side.received()
                .iter()
                .find(|m| m.msg_type == t && m.clordid == format!("{prefix}-0"))
                .map(|m| m.seq)
        };
        assert_eq!(first(&r.acc, "D"), Some(2), "{test}: round {round}");
        assert_eq!(first(&r.ini, "8"), Some(2), "{test}: round {round}");
        if round == 1 {
            r.relay.cut();
        }
    }
    for side in [&r.ini, &r.acc] {
        let logons = match side {
            Side::Ours(o) => o
                .app
                .admin_in("A")
                .iter()
                .map(|m| {
                    (
                        admin_field(m, 34) == Some("1"),
                        admin_field(m, 141) == Some("Y"),
                    )
                })
                .collect::<Vec<_>>(),
            Side::Qf(q) => q
                .admin(true, "A")
                .iter()
                .map(|l| (l.starts_with("ADMIN_IN A 1 "), l.contains(" 141=Y")))
                .collect(),
        };
        assert_eq!(
            logons,
            vec![(true, true); 2],
            "{test}: {} got {logons:?}",
            side.name()
        );
        assert_eq!(side.resend_requests(), 0, "{test}: {}", side.name());
    }
    assert_once(r.ini.name(), &r.ini.received()[20..]);
    r.ini.logout().await;
    wait_until("logout", WAIT, || r.acc.logouts_received() >= 1)
        .await
        .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
    for (name, dir) in &r.logs {
        let (problems, _) = logs::problems(dir, &["Socket Error: Connection reset by peer"]);
        assert!(
            problems.is_empty(),
            "{test}: {name}'s logs:\n{}",
            problems.join("\n")
        );
    }
}

/// ExecutionReports with 800 NoContraBrokers entries (about 50 KB, many TCP reads) both ways:
/// each side frames, validates and reads every entry.
async fn big_messages(version: Version, ours: Role) {
    const CONTRA: usize = 800;
    let test = format!("{version:?} big messages ours={}", ours.name());
    let Some(mut r) = logged_on(&test, version, ours, &Tweaks::heart_bt_int(30)).await else {
        return;
    };
    let (qf, our) = match ours {
        Role::Initiator => (&mut r.acc, &mut r.ini),
        Role::Acceptor => (&mut r.ini, &mut r.acc),
    };
    let Side::Qf(q) = qf else { unreachable!() };
    let sent = q
        .request(&format!("BIGREPORTS 5 BIGQ {CONTRA}"), "SENT")
        .await
        .unwrap();
    assert_eq!(sent, "SENT 5");
    let Side::Ours(o) = our else { unreachable!() };
    for i in 0..5 {
        let m = messages::report_n(version, &format!("BIGO-{i}"), b"1", b"IBM", CONTRA);
        o.session.send(m).await.unwrap();
    }
    wait_until("big reports on both sides", WAIT, || {
        count(&qf.received(), "8", "BIGO") == 5 && count(&our.received(), "8", "BIGQ") == 5
    })
    .await
    .unwrap();
    for side in [&*qf, &*our] {
        for m in side.received() {
            assert_eq!(
                m.groups,
                messages::expected_groups_n(version, &m.clordid, CONTRA),
                "{test}: {} read {}",
                side.name(),
                m.clordid
            );
        }
    }
    r.ini.logout().await;
    wait_until("logout", WAIT, || r.acc.logouts_received() >= 1)
        .await
        .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
    for (name, dir) in &r.logs {
        let (problems, _) = logs::problems(dir, &[]);
        assert!(
            problems.is_empty(),
            "{test}: {name}'s logs:\n{}",
            problems.join("\n")
        );
    }
}

/// The QuickFIX acceptor is killed (SIGKILL) while we stream orders, then restarted on its
/// file store: we keep sending (retrying while disconnected), reconnect, and the sequence
/// numbers recover through resend both ways. Every order reaches QuickFIX and is answered;
/// we deliver no message twice (MsgSeqNums strictly increase), and no order gets more
/// ExecutionReports than QuickFIX's application handled it (QuickFIX may handle an order
/// again after a crash: its incoming sequence number is saved after fromApp).
async fn peer_killed(version: Version) {
    const N: usize = 1000;
    let test = format!("{version:?} quickfix killed");
    let Some(peer) = fix_interop::peer_or_skip(&test) else {
        return;
    };
    let mut r = setup(&peer, version, Role::Initiator, &Tweaks::heart_bt_int(30)).await;
    wait_until("logon on both sides", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();
    let Side::Ours(o) = &r.ini else {
        unreachable!()
    };
    let session = o.session.clone();
    let sender = tokio::spawn(async move {
        let mut retries = 0;
        for i in 0..N {
            while session
                .send(messages::new_order(&format!("K-{i}")))
                .await
                .is_err()
            {
                retries += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        retries
    });
    let Side::Qf(q) = &mut r.acc else {
        unreachable!()
    };
    q.wait_count("orders before the kill", 200, WAIT, |l| {
        l.starts_with("APP D ")
    })
    .await
    .unwrap();
    q.kill_now();
    let mut lines = q.lines();
    tokio::time::sleep(Duration::from_millis(500)).await;
    *q = QfPeer::start(
        &peer,
        Role::Acceptor,
        &r.qf_cfg.to_settings(),
        &r.qf_cfg.dir,
    )
    .await
    .unwrap();
    let retries = sender.await.unwrap();
    // Distinct orders: QuickFIX may answer an order twice after its crash (see above), so
    // the number of reports can exceed N.
    wait_until("every order answered", WAIT, || {
        let got = r.ini.received();
        let answered: std::collections::HashSet<&str> = got
            .iter()
            .filter(|m| m.msg_type == "8" && m.clordid.starts_with("K-"))
            .map(|m| m.clordid.as_str())
            .collect();
        answered.len() == N
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let Side::Qf(q) = &r.acc else { unreachable!() };
    lines.extend(q.lines());
    let mut handled: HashMap<String, usize> = HashMap::new();
    for l in &lines {
        if let Some(rest) = l.strip_prefix("APP D ") {
            let id = rest.split(' ').nth(1).unwrap_or_default().to_string();
            *handled.entry(id).or_default() += 1;
        }
    }
    let got = r.ini.received();
    for w in got.windows(2) {
        assert!(
            w[0].seq < w[1].seq,
            "{test}: MsgSeqNum {} then {}",
            w[0].seq,
            w[1].seq
        );
    }
    let mut reports: HashMap<&str, usize> = HashMap::new();
    for m in got.iter().filter(|m| m.msg_type == "8") {
        *reports.entry(m.clordid.as_str()).or_default() += 1;
    }
    for i in 0..N {
        let id = format!("K-{i}");
        let (h, n) = (
            handled.get(&id).copied().unwrap_or(0),
            reports.get(id.as_str()).copied().unwrap_or(0),
        );
        assert!(
            h >= 1 && (1..=h).contains(&n),
            "{test}: {id}: handled {h} times, {n} reports"
        );
    }
    let again = handled.values().filter(|&&h| h > 1).count();
    println!(
        "{test}: {retries} sends retried while down, {again} orders handled twice by quickfix, {} reports",
        got.len()
    );
    assert_groups(r.ini.name(), version, &got);
    r.ini.logout().await;
    wait_until("logout", WAIT, || r.acc.logouts_received() >= 1)
        .await
        .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
    for (name, dir) in &r.logs {
        // The restarted QuickFIX may see our side close the socket at shutdown before it
        // has read everything: it logs that as a reset, which is not a protocol problem.
        let (problems, _) = logs::problems(dir, &["Socket Error: Connection reset by peer"]);
        assert!(
            problems.is_empty(),
            "{test}: {name}'s logs:\n{}",
            problems.join("\n")
        );
    }
}

/// The acceptor's application refuses the Logon: the initiator's application gets the Logout
/// with the refusal's text (QuickFIX's reads "Rejected Logon Attempt: TEXT") and never logs on
/// (nor off); once the acceptor accepts again, it does.
async fn logon_refused(version: Version, ours: Role) {
    const TEXT: &str = "bad password";
    let test = format!("{version:?} logon refused ours={}", ours.name());
    let Some(peer) = fix_interop::peer_or_skip(&test) else {
        return;
    };
    let mut tweaks = Tweaks::heart_bt_int(30);
    match ours {
        Role::Initiator => tweaks.qf_extra = format!("PeerRefuseLogon={TEXT}\n"),
        Role::Acceptor => tweaks.our_refusal = Some(TEXT.into()),
    }
    let mut r = setup(&peer, version, ours, &tweaks).await;
    let refusals = |side: &Side| match side {
        Side::Ours(o) => o
            .app
            .admin_in("5")
            .iter()
            .filter(|m| admin_field(m, 58).is_some_and(|t| t.contains(TEXT)))
            .count(),
        Side::Qf(q) => q
            .admin(true, "5")
            .iter()
            .filter(|l| l.contains(&format!(" 58={TEXT}")))
            .count(),
    };
    wait_until("two refused logons", WAIT, || refusals(&r.ini) >= 2)
        .await
        .unwrap();
    assert_eq!(
        (r.ini.logons(), r.acc.logons()),
        (0, 0),
        "{test}: logged on"
    );
    match &mut r.acc {
        Side::Ours(o) => o.app.refuse_logons(None),
        Side::Qf(q) => {
            q.request("REFUSE", "OK REFUSE").await.unwrap();
        }
    }
    wait_until("logon once accepted", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();
    r.ini.send_app(version, Role::Initiator, "AR", 10).await;
    wait_until("reports", WAIT, || {
        count(&r.ini.received(), "8", "AR") == 10
    })
    .await
    .unwrap();
    r.ini.logout().await;
    wait_until("logout", WAIT, || r.acc.logouts_received() >= 1)
        .await
        .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
}

/// A SequenceReset-Reset to a lower number is rejected (value incorrect) with a Reject
/// QuickFIX accepts; a Logon whose MsgSeqNum is too low (QuickFIX restarted on an empty
/// store) is answered with a Logout naming both numbers, and no logon.
async fn sequence_errors(version: Version) {
    let test = format!("{version:?} sequence errors");
    let Some(peer) = fix_interop::peer_or_skip(&test) else {
        return;
    };
    let mut r = setup(&peer, version, Role::Acceptor, &Tweaks::heart_bt_int(30)).await;
    wait_until("logon on both sides", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();
    r.ini.send_app(version, Role::Initiator, "SE", 10).await;
    wait_until("reports", WAIT, || {
        count(&r.ini.received(), "8", "SE") == 10
    })
    .await
    .unwrap();
    let Side::Qf(q) = &mut r.ini else {
        unreachable!()
    };
    let seq = q.request("SEQ", "SEQ").await.unwrap();
    let next_sender: u64 = seq.split(' ').nth(1).unwrap().parse().unwrap();
    q.request("RESETTO 3", "OK RESETTO").await.unwrap();
    wait_until("our Reject", WAIT, || !q.admin(true, "3").is_empty())
        .await
        .unwrap();
    let reject = &q.admin(true, "3")[0];
    assert!(
        reject.contains(&format!(" 45={next_sender}")),
        "{test}: {reject}"
    );
    assert!(reject.contains(" 373=5"), "{test}: {reject}");
    assert!(
        q.admin(false, "3").is_empty(),
        "{test}: quickfix rejected our Reject"
    );
    // Still in sequence.
    q.request("ORDERS 5 SF", "SENT").await.unwrap();
    q.wait_count("reports after the reset", 1, WAIT, |l| l == "DONE SF 5")
        .await
        .unwrap();
    // QuickFIX restarts on an empty store: its Logon is MsgSeqNum 1.
    q.quit().await.unwrap();
    let store = r.qf_cfg.dir.join("store");
    std::fs::remove_dir_all(&store).unwrap();
    // The SequenceReset was `next_sender` (not counted: rejected), then 5 orders, a Logout.
    let expected = next_sender + 1 + 5 + 1;
    *q = QfPeer::start(
        &peer,
        Role::Initiator,
        &r.qf_cfg.to_settings(),
        &r.qf_cfg.dir,
    )
    .await
    .unwrap();
    let text = format!("MsgSeqNum too low, expecting {expected} but received 1");
    q.wait_count("our Logout", 1, WAIT, |l| {
        l.starts_with("ADMIN_IN 5 ") && l.ends_with(&format!(" 58={text}"))
    })
    .await
    .unwrap();
    // (QuickFIX retries every second, one Logon and one Logout further each time, and would
    // log on once it reaches the number we expect.)
    assert_eq!(q.count(|l| l.starts_with("LOGON ")), 0, "{test}: logged on");
    assert_eq!(r.acc.logons(), 1, "{test}: we logged on");
    assert_eq!(r.acc.logouts(), 1, "{test}: onLogout for a Logon refused");
    r.acc.stop().await;
    r.ini.stop().await;
}

/// The control for everything above: QuickFIX does validate what we send against its
/// dictionary (a missing required field, a repeating group entry not starting with its
/// delimiter), answers with Reject, keeps invalid messages from its application, and the log
/// scan finds the Rejects on both sides.
async fn validation_control(version: Version) {
    let test = format!("{version:?} validation control");
    let Some(mut r) = logged_on(&test, version, Role::Initiator, &Tweaks::heart_bt_int(30)).await
    else {
        return;
    };
    let Side::Ours(ours) = &r.ini else {
        unreachable!()
    };
    let no_ord_type = RawBody {
        fields: messages::new_order("BAD-1")
            .fields
            .into_iter()
            .filter(|(t, _)| *t != 40)
            .collect(),
        ..messages::new_order("BAD-1")
    };
    let seq1 = ours.session.send(no_ord_type).await.unwrap();
    let mut shuffled = messages::report(version, "BAD-2", b"1", b"IBM");
    let at = shuffled.fields.iter().position(|(t, _)| *t == 375).unwrap();
    shuffled.fields.swap(at, at + 1); // ContraTrader (337) before the delimiter ContraBroker
    let seq2 = ours.session.send(shuffled).await.unwrap();
    ours.session
        .send(messages::new_order("GOOD-1"))
        .await
        .unwrap();
    wait_until("two rejects and one report", WAIT, || {
        r.ini.admin_count(true, "3") == 2 && count(&r.ini.received(), "8", "GOOD") == 1
    })
    .await
    .unwrap();
    let rejects = ours.app.admin_in("3");
    let reject_for = |seq: u64| {
        rejects
            .iter()
            .find(|m| admin_field(m, 45) == Some(seq.to_string().as_str()))
            .unwrap_or_else(|| panic!("{test}: no Reject for MsgSeqNum {seq}: {rejects:?}"))
    };
    let (r1, r2) = (reject_for(seq1), reject_for(seq2));
    // SessionRejectReason 1: required tag missing, RefTagID 40.
    assert_eq!(
        (admin_field(r1, 373), admin_field(r1, 371)),
        (Some("1"), Some("40"))
    );
    // The entry does not start with its delimiter, so QuickFIX counts no entries: 16,
    // incorrect NumInGroup count, about NoContraBrokers (FIX.4.2 has no reason 16: text only).
    assert_eq!(admin_field(r2, 371), Some("382"), "{r2:?}");
    let reason = if version == Version::Fix42 {
        None
    } else {
        Some("16")
    };
    assert_eq!(admin_field(r2, 373), reason, "{r2:?}");
    assert!(
        admin_field(r2, 58)
            .unwrap_or_default()
            .contains("NumInGroup"),
        "{r2:?}"
    );
    let qf_got = r.acc.received();
    assert!(
        qf_got.iter().all(|m| !m.clordid.starts_with("BAD-")),
        "{qf_got:?}"
    );
    assert_eq!(count(&qf_got, "D", "GOOD"), 1);
    r.ini.logout().await;
    wait_until("logout", WAIT, || r.acc.logouts_received() >= 1)
        .await
        .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
    for (name, dir) in &r.logs {
        let (problems, _) = logs::problems(dir, &[]);
        // Our log may hold several messages in one line.
        let rejects: usize = problems.iter().map(|p| p.matches("|35=3|").count()).sum();
        assert!(rejects >= 2, "{test}: {name}'s log scan found {problems:?}");
    }
}

/// The other way round: QuickFIX sends invalid messages, our engine rejects each one with a
/// Reject that QuickFIX validates against the same dictionary and accepts (no Reject of our
/// Reject, no logout), with RefSeqNum, RefTagID and a SessionRejectReason the version has.
/// The session goes on in sequence.
async fn our_rejects(version: Version) {
    let test = format!("{version:?} our rejects");
    let Some(mut r) = logged_on(&test, version, Role::Acceptor, &Tweaks::heart_bt_int(30)).await
    else {
        return;
    };
    let Side::Qf(q) = &mut r.ini else {
        unreachable!()
    };
    // Kind, RefTagID (empty: none), SessionRejectReason (None: the version has no code).
    let fix42 = version == Version::Fix42;
    let kinds: &[(&str, &str, Option<&str>)] = &[
        ("missing", "40", Some("1")),
        ("enum", "54", Some("5")),
        ("format", "38", Some("6")),
        ("empty", "44", Some("4")),
        ("undefined", "5999", Some("0")),
        ("msgtype", "", Some("11")),
        ("duplicate", "55", if fix42 { None } else { Some("13") }),
        ("groupcount", "382", if fix42 { None } else { Some("16") }),
        // QuickFIX itself names the NumInGroup tag with reason 16 here; we name the field
        // out of place, with reason 15: both are valid Rejects.
        ("grouporder", "337", if fix42 { None } else { Some("15") }),
    ];
    for (kind, _, _) in kinds {
        q.request(&format!("BAD {kind} BAD-{kind}"), "SENT")
            .await
            .unwrap();
    }
    q.request("ORDERS 1 GOOD", "SENT").await.unwrap();
    q.wait_count("report for GOOD", 1, WAIT, |l| l == "DONE GOOD 1")
        .await
        .unwrap();
    wait_until("our rejects", WAIT, || {
        q.admin(true, "3").len() >= kinds.len()
    })
    .await
    .unwrap();
    let rejects = q.admin(true, "3");
    for l in &rejects {
        println!("{test}: {l}");
    }
    let sent: Vec<String> = q.admin(false, "3");
    assert!(
        sent.is_empty(),
        "{test}: quickfix rejected our messages: {sent:?}"
    );
    assert_eq!(
        q.count(|l| l.starts_with("LOGOUT")),
        0,
        "{test}: logged out"
    );
    assert_eq!(rejects.len(), kinds.len(), "{test}: {rejects:?}");
    // In order: the n-th Reject is about the n-th bad message.
    for ((kind, tag, reason), line) in kinds.iter().zip(&rejects) {
        let field = |t: &str| {
            line.split(' ')
                .find_map(|w| w.strip_prefix(&format!("{t}=")))
                .map(str::to_string)
        };
        let tag = Some(*tag).filter(|t| !t.is_empty());
        assert_eq!(field("371").as_deref(), tag, "{test}: {kind}: {line}");
        assert_eq!(field("373").as_deref(), *reason, "{test}: {kind}: {line}");
        assert!(field("45").is_some(), "{test}: {kind}: {line}");
    }
    // A valid message our application does not support: BusinessMessageReject, which
    // QuickFIX validates and hands to its application.
    let before = q.admin(true, "3").len();
    let next = q.request("SEQ", "SEQ").await.unwrap();
    let news_seq: u64 = next.split(' ').nth(1).unwrap().parse().unwrap();
    q.request("BAD unsupported NEWS-1", "SENT").await.unwrap();
    let bmr = format!(" 45={news_seq} 372=B 380=3");
    if version == Version::Fix50Sp2 {
        // Under FIXT.1.1 QuickFIX puts DefaultApplVerID (1137) on its BusinessMessageReject,
        // and QuickFIX's acceptance scripts expect it there, so we do the same. QuickFIX's
        // own validator then refuses that field in a BusinessMessageReject (1137 belongs to
        // the Logon): it answers with a Reject naming exactly tag 1137, and the session
        // stays up. Anything else in our reject would be named instead.
        q.wait_count(
            "Reject of 1137 on our BusinessMessageReject",
            1,
            WAIT,
            |l| l.starts_with("ADMIN_OUT 3 ") && l.ends_with(" 371=1137 372=j 373=2"),
        )
        .await
        .unwrap();
        assert_eq!(q.admin(false, "3").len(), 1, "{test}: {:?}", q.lines());
    } else {
        q.wait_count("BusinessMessageReject", 1, WAIT, |l| {
            l.starts_with("APP j ") && l.ends_with(&bmr)
        })
        .await
        .unwrap();
        assert!(
            q.admin(false, "3").is_empty(),
            "{test}: quickfix rejected our answer"
        );
    }
    assert_eq!(
        q.admin(true, "3").len(),
        before,
        "{test}: a Reject for the News"
    );
    assert_eq!(
        q.count(|l| l.starts_with("LOGOUT")),
        0,
        "{test}: logged out"
    );
    let ours = r.acc.received();
    assert!(
        ours.iter().all(|m| !m.clordid.starts_with("BAD-")),
        "{ours:?}"
    );
    r.ini.logout().await;
    wait_until("logout", WAIT, || r.acc.logouts_received() >= 1)
        .await
        .unwrap();
    r.ini.stop().await;
    r.acc.stop().await;
}

/// One `#[tokio::test]` per line: `name => scenario call;`, attributes (such as `#[ignore]`)
/// before the name.
macro_rules! interop_tests {
    ($($(#[$attr:meta])* $name:ident => $run:expr;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$attr])*
            async fn $name() {
                $run.await;
            }
        )*
    };
}

/// The whole scenario with our ResendRequests in chunks of 25 (QuickFIX C++ has no such
/// setting and ignores the key): every gap is recovered chunk by chunk.
fn chunked() -> Tweaks {
    Tweaks {
        heart_bt_int: 30,
        extra: "ResendRequestChunkSize=25\n".into(),
        ..Tweaks::default()
    }
}

interop_tests! {
    fix42_our_engine_rejects_invalid_messages => our_rejects(Version::Fix42);
    fix44_our_engine_rejects_invalid_messages => our_rejects(Version::Fix44);
    fix50sp2_our_engine_rejects_invalid_messages => our_rejects(Version::Fix50Sp2);
    fix42_quickfix_rejects_invalid_messages => validation_control(Version::Fix42);
    fix44_quickfix_rejects_invalid_messages => validation_control(Version::Fix44);
    fix50sp2_quickfix_rejects_invalid_messages => validation_control(Version::Fix50Sp2);
    fix42_our_initiator_quickfix_acceptor => scenario(Version::Fix42, Role::Initiator);
    fix42_quickfix_initiator_our_acceptor => scenario(Version::Fix42, Role::Acceptor);
    fix44_our_initiator_quickfix_acceptor => scenario(Version::Fix44, Role::Initiator);
    fix44_quickfix_initiator_our_acceptor => scenario(Version::Fix44, Role::Acceptor);
    fix50sp2_our_initiator_quickfix_acceptor => scenario(Version::Fix50Sp2, Role::Initiator);
    fix50sp2_quickfix_initiator_our_acceptor => scenario(Version::Fix50Sp2, Role::Acceptor);
    fix44_nanosecond_timestamps_our_initiator => nanosecond_timestamps(Version::Fix44, Role::Initiator);
    fix50sp2_nanosecond_timestamps_our_acceptor => nanosecond_timestamps(Version::Fix50Sp2, Role::Acceptor);
    fix44_reset_on_logon_our_initiator => reset_on_logon(Version::Fix44, Role::Initiator);
    fix44_reset_on_logon_our_acceptor => reset_on_logon(Version::Fix44, Role::Acceptor);
    fix42_reset_on_logon_our_acceptor => reset_on_logon(Version::Fix42, Role::Acceptor);
    fix50sp2_reset_on_logon_our_initiator => reset_on_logon(Version::Fix50Sp2, Role::Initiator);
    fix44_chunked_resend_our_initiator => scenario_with(Version::Fix44, Role::Initiator, " chunked", chunked());
    fix44_chunked_resend_our_acceptor => scenario_with(Version::Fix44, Role::Acceptor, " chunked", chunked());
    fix42_big_messages_our_acceptor => big_messages(Version::Fix42, Role::Acceptor);
    fix44_big_messages_our_initiator => big_messages(Version::Fix44, Role::Initiator);
    fix50sp2_big_messages_our_acceptor => big_messages(Version::Fix50Sp2, Role::Acceptor);
    fix42_quickfix_killed_and_restarted => peer_killed(Version::Fix42);
    fix44_quickfix_killed_and_restarted => peer_killed(Version::Fix44);
    fix50sp2_quickfix_killed_and_restarted => peer_killed(Version::Fix50Sp2);
    fix44_logon_refused_by_quickfix => logon_refused(Version::Fix44, Role::Initiator);
    fix50sp2_logon_refused_by_us => logon_refused(Version::Fix50Sp2, Role::Acceptor);
    fix42_logon_refused_by_us => logon_refused(Version::Fix42, Role::Acceptor);
    fix42_sequence_errors => sequence_errors(Version::Fix42);
    fix44_sequence_errors => sequence_errors(Version::Fix44);
    fix50sp2_sequence_errors => sequence_errors(Version::Fix50Sp2);
    fix42_heartbeats_our_initiator => heartbeat_scenario(Version::Fix42, Role::Initiator);
    fix42_heartbeats_our_acceptor => heartbeat_scenario(Version::Fix42, Role::Acceptor);
    fix44_heartbeats_our_initiator => heartbeat_scenario(Version::Fix44, Role::Initiator);
    fix44_heartbeats_our_acceptor => heartbeat_scenario(Version::Fix44, Role::Acceptor);
    fix50sp2_heartbeats_our_initiator => heartbeat_scenario(Version::Fix50Sp2, Role::Initiator);
    fix50sp2_heartbeats_our_acceptor => heartbeat_scenario(Version::Fix50Sp2, Role::Acceptor);
}
