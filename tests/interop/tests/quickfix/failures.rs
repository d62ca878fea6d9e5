//! A peer killed and restarted, a refused logon, sequence errors.

use std::collections::HashMap;
use std::time::Duration;

use fix_interop::messages;
use fix_interop::ours::admin_field;
use fix_interop::{logs, wait_until, QfPeer, Role, Version};

use crate::harness::*;

/// The QuickFIX acceptor is killed (SIGKILL) while we stream orders, then restarted on its
/// file store: we keep sending (retrying while disconnected), reconnect, and the sequence
/// numbers recover through resend both ways. Every order reaches QuickFIX and is answered;
/// we deliver no message twice (MsgSeqNums strictly increase), and no order gets more
/// ExecutionReports than QuickFIX's application handled it (QuickFIX may handle an order
/// again after a crash: its incoming sequence number is saved after fromApp).
pub(crate) async fn peer_killed(version: Version) {
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
pub(crate) async fn logon_refused(version: Version, ours: Role) {
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
pub(crate) async fn sequence_errors(version: Version) {
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
