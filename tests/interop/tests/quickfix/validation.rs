//! Invalid messages: QuickFIX rejects ours, and our engine rejects QuickFIX's.

use fix_interop::messages;
use fix_interop::ours::admin_field;
use fix_interop::{logs, wait_until, Role, Version};
use fix_session::app::RawBody;

use crate::harness::*;

/// The control for everything above: QuickFIX does validate what we send against its
/// dictionary (a missing required field, a repeating group entry not starting with its
/// delimiter), answers with Reject, keeps invalid messages from its application, and the log
/// scan finds the Rejects on both sides.
pub(crate) async fn validation_control(version: Version) {
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
pub(crate) async fn our_rejects(version: Version) {
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
