//! Heartbeats, nanosecond timestamps, ResetOnLogon and big messages.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fix_interop::messages;
use fix_interop::ours::admin_field;
use fix_interop::{logs, wait_until, Role, Version};

use crate::harness::*;

/// HeartBtInt=1: heartbeats flow both ways while idle; when the relay swallows everything,
/// both engines send a TestRequest, then give up on the silent counterparty and disconnect;
/// once traffic flows again they log on again and the session goes on.
pub(crate) async fn heartbeat_scenario(version: Version, ours: Role) {
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
pub(crate) async fn nanosecond_timestamps(version: Version, ours: Role) {
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
pub(crate) async fn reset_on_logon(version: Version, ours: Role) {
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
pub(crate) async fn big_messages(version: Version, ours: Role) {
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
