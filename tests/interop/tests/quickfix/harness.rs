//! Both engines set up through the relay: the sides, their settings, the checks shared by the scenarios.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fix_interop::messages::{self, Received};
use fix_interop::ours::{admin_field, OurSide};
use fix_interop::{wait_until, QfPeer, Relay, Role, SessionConfig, Version};
use fix_session::app::RawBody;

pub(crate) const ORDERS: usize = 1000;
pub(crate) const WAIT: Duration = Duration::from_secs(60);
pub(crate) const RECOVERY: Duration = Duration::from_secs(20);

/// One end of the session under test.
pub(crate) enum Side {
    Ours(Box<OurSide>),
    Qf(QfPeer),
}

impl Side {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Side::Ours(_) => "ours",
            Side::Qf(_) => "quickfix",
        }
    }

    pub(crate) fn logons(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.logons(),
            Side::Qf(q) => q.count(|l| l.starts_with("LOGON ")),
        }
    }

    pub(crate) fn logouts(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.logouts(),
            Side::Qf(q) => q.count(|l| l.starts_with("LOGOUT ")),
        }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        match self {
            Side::Ours(o) => o.app.received(),
            Side::Qf(q) => q.received(),
        }
    }

    /// Sends `n` application messages with ClOrdIDs `prefix-i`: NewOrderSingles from an
    /// initiator, unsolicited ExecutionReports from an acceptor.
    pub(crate) async fn send_app(&mut self, version: Version, role: Role, prefix: &str, n: usize) {
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

    pub(crate) async fn test_request(&mut self, id: &str) {
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

    pub(crate) fn heartbeat_for(&self, id: &str) -> bool {
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
    pub(crate) async fn reset(&mut self) -> u64 {
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
    pub(crate) fn sequence_resets(&self) -> (usize, usize, Option<u64>) {
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

    pub(crate) fn resend_requests(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.admin_in("2").len(),
            Side::Qf(q) => q.admin(true, "2").len(),
        }
    }

    /// TestReqIDs of the TestRequests sent.
    pub(crate) fn test_requests_sent(&self) -> Vec<String> {
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
    pub(crate) fn admin_count(&self, inbound: bool, msg_type: &str) -> usize {
        match self {
            Side::Ours(o) if inbound => o.app.admin_in(msg_type).len(),
            Side::Ours(o) => o.app.admin_out(msg_type).len(),
            Side::Qf(q) => q.admin(inbound, msg_type).len(),
        }
    }

    pub(crate) fn logouts_received(&self) -> usize {
        match self {
            Side::Ours(o) => o.app.admin_in("5").len(),
            Side::Qf(q) => q.admin(true, "5").len(),
        }
    }

    pub(crate) async fn logout(&mut self) {
        match self {
            Side::Ours(o) => o.session.logout(None).unwrap(),
            Side::Qf(q) => {
                q.request("LOGOUT", "OK LOGOUT").await.unwrap();
            }
        }
    }

    pub(crate) async fn stop(&mut self) {
        match self {
            Side::Ours(o) => o.stop().await,
            Side::Qf(q) => q.quit().await.unwrap(),
        }
    }
}

/// How many distinct `prefix-*` ClOrdIDs of `msg_type` were received.
pub(crate) fn count(received: &[Received], msg_type: &str, prefix: &str) -> usize {
    let p = format!("{prefix}-");
    received
        .iter()
        .filter(|r| r.msg_type == msg_type && r.clordid.starts_with(&p))
        .count()
}

/// Every (MsgType, ClOrdID) was received once, in increasing MsgSeqNum order unless a
/// SequenceReset-Reset lowered it (not here: resets only go up).
pub(crate) fn assert_once(side: &str, received: &[Received]) {
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
pub(crate) fn assert_groups(side: &str, version: Version, received: &[Received]) {
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

pub(crate) fn cfg(
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
pub(crate) async fn start_quickfix(
    peer: &Path,
    mk: impl Fn(u16) -> SessionConfig,
) -> (QfPeer, SessionConfig) {
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

pub(crate) struct Run {
    pub(crate) version: Version,
    pub(crate) ini: Side,
    pub(crate) acc: Side,
    pub(crate) relay: Relay,
    pub(crate) logs: [(&'static str, PathBuf); 2],
    /// QuickFIX's settings, to restart it.
    pub(crate) qf_cfg: SessionConfig,
    pub(crate) _dir: tempfile::TempDir,
}

/// What a test changes in the settings of both sides.
#[derive(Default)]
pub(crate) struct Tweaks {
    pub(crate) heart_bt_int: u32,
    pub(crate) extra: String,
    /// `[SESSION]` lines for the initiator only.
    pub(crate) initiator_extra: String,
    /// `[DEFAULT]` lines for QuickFIX only.
    pub(crate) qf_extra: String,
    /// Our application refuses Logons with this text from the start.
    pub(crate) our_refusal: Option<String>,
}

impl Tweaks {
    pub(crate) fn heart_bt_int(heart_bt_int: u32) -> Tweaks {
        Tweaks {
            heart_bt_int,
            ..Tweaks::default()
        }
    }
}

pub(crate) async fn setup(peer: &Path, version: Version, ours: Role, tweaks: &Tweaks) -> Run {
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
pub(crate) async fn logged_on(
    test: &str,
    version: Version,
    ours: Role,
    tweaks: &Tweaks,
) -> Option<Run> {
    let peer = fix_interop::peer_or_skip(test)?;
    let r = setup(&peer, version, ours, tweaks).await;
    wait_until("logon on both sides", WAIT, || {
        r.ini.logons() == 1 && r.acc.logons() == 1
    })
    .await
    .unwrap();
    Some(r)
}
