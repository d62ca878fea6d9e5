//! The protocol settings keys (QuickFIX/J's names), each changing what the core does.

use super::*;

fn isld_with(change: impl FnOnce(&mut SessionSettings)) -> Raw {
    let mut cfg = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    change(&mut cfg);
    Raw::new(
        cfg,
        Arc::new(TestApp {
            echo: true,
            ..TestApp::default()
        }),
    )
}

#[test]
fn chunked_resend_goes_on_after_a_gap_fill_and_the_last_chunk_is_open() {
    let mut r = isld_with(|c| c.resend_request_chunk_size = 2);
    r.logon();
    // Gap 2..=6: first chunk 2..3.
    r.send("35=0|34=7|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=2|16=3|"]));
    // A gap fill completes the chunk (and more): the next chunk starts after it.
    r.send("35=4|34=2|43=Y|49=TW|52=<T>|122=<T>|56=ISLD|36=5|123=Y|");
    let out = r.take();
    // 5..=6 is the last part: it names 0 (no limit), as QuickFIX does.
    assert!(has(&out, &["|35=2|", "|7=5|16=0|"]), "{out:?}");
    r.send("35=0|34=5|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=6|49=TW|52=<T>|56=ISLD|");
    assert_eq!(r.s.next_target_seq(), 8, "the queued 7 is processed");
    assert!(r.take().is_empty());
    // FIX.4.0 names 999999 for no limit.
    let mut cfg = settings("FIX.4.0", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.resend_request_chunk_size = 2;
    let mut r = Raw::new(cfg, Arc::new(TestApp::default()));
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|");
    r.send("35=0|34=5|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=2|16=3|"]));
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=3|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=4|16=999999|"]));
}

#[test]
fn closed_resend_interval_names_the_real_end() {
    let mut r = isld_with(|c| c.closed_resend_interval = true);
    r.logon();
    r.send("35=0|34=7|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=2|16=6|"]));
    let mut r = Raw::isld();
    r.logon();
    r.send("35=0|34=7|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=2|16=0|"]));
}

#[test]
fn send_redundant_resend_requests() {
    for (redundant, expected) in [(false, 1), (true, 2)] {
        let mut r = isld_with(|c| c.send_redundant_resend_requests = redundant);
        r.logon();
        r.send("35=0|34=5|49=TW|52=<T>|56=ISLD|");
        r.send("35=0|34=6|49=TW|52=<T>|56=ISLD|");
        let requests = r.take().iter().filter(|m| m.contains("|35=2|")).count();
        assert_eq!(
            requests, expected,
            "SendRedundantResendRequests={redundant}"
        );
    }
}

#[test]
fn next_expected_msg_seq_num_on_logon_and_the_recovery_it_implies() {
    let mut r = isld_with(|c| c.enable_next_expected_msg_seq_num = true);
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|789=1|");
    let out = r.take();
    assert!(has(&out, &["|35=A|", "|789=2|"]), "{out:?}");
    // Two echoed orders (our 2, 3); they log out and come back having seen only our 2.
    r.send("35=D|34=2|49=TW|52=<T>|56=ISLD|11=A|21=3|40=1|54=1|55=INTC|60=<T>|");
    r.send("35=D|34=3|49=TW|52=<T>|56=ISLD|11=B|21=3|40=1|54=1|55=INTC|60=<T>|");
    r.take();
    r.s.on_disconnect(r.now);
    r.s.on_connect(r.now);
    r.pump();
    r.closed = false;
    r.send("35=A|34=4|49=TW|52=<T>|56=ISLD|98=0|108=30|789=3|");
    let out = r.take();
    assert_eq!(out.len(), 2, "{out:#?}");
    assert_parts(&out[0], &["|35=A|34=4|", "|789=5|"]);
    assert_parts(&out[1], &["|35=D|34=3|43=Y|", "|11=B|"]);
    // A number beyond what we sent: Logout and disconnect.
    r.s.on_disconnect(r.now);
    r.s.on_connect(r.now);
    r.pump();
    r.closed = false;
    r.send("35=A|34=5|49=TW|52=<T>|56=ISLD|98=0|108=30|789=9|");
    let out = r.take();
    assert!(
        has(&out, &["|35=5|", "|58=NextExpectedMsgSeqNum (789) 9"]),
        "{out:?}"
    );
    assert!(r.closed);
}

#[test]
fn last_msg_seq_num_processed_on_every_message() {
    let mut r = isld_with(|c| c.enable_last_msg_seq_num_processed = true);
    r.logon();
    // Answered while the TestRequest is being processed: 1 is the last one done.
    r.send("35=1|34=2|49=TW|52=<T>|56=ISLD|112=X|");
    assert!(has(&r.take(), &["|35=0|", "|56=TW|369=1|112=X|"]));
    // An echo goes out once the order counts as processed.
    r.send("35=D|34=3|49=TW|52=<T>|56=ISLD|128=X|11=A|21=3|40=1|54=1|55=INTC|60=<T>|");
    assert!(has(&r.take(), &["|35=D|", "|56=TW|115=X|369=3|11=A|"]));
}

#[test]
fn logon_tags_are_added_to_the_logon() {
    let mut r = isld_with(|c| {
        c.logon_tags = vec![(553, "user".into()), (554, "secret".into())];
    });
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|");
    assert!(has(
        &r.take(),
        &["|35=A|", "|98=0|108=30|553=user|554=secret|"]
    ));
}

#[test]
fn validate_sequence_numbers_off_takes_what_comes() {
    let mut r = isld_with(|c| c.validate_sequence_numbers = false);
    r.logon();
    r.send("35=1|34=9|49=TW|52=<T>|56=ISLD|112=HI|");
    let out = r.take();
    assert!(has(&out, &["|35=0|", "|112=HI|"]), "{out:?}");
    assert!(!has(&out, &["|35=2|"]), "{out:?}");
    r.send("35=1|34=3|49=TW|52=<T>|56=ISLD|112=LOW|");
    assert!(has(&r.take(), &["|112=LOW|"]));
    assert!(!r.closed);
    assert_eq!(r.s.next_target_seq(), 4);
}

#[test]
fn orig_sending_time_not_required() {
    let mut r = isld_with(|c| c.requires_orig_sending_time = false);
    r.logon();
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=2|43=Y|49=TW|52=<T>|56=ISLD|");
    assert!(r.take().is_empty(), "a duplicate without 122 is ignored");
    assert!(!r.closed);
}

#[test]
fn reset_or_disconnect_on_error_instead_of_a_reject() {
    let bad = "35=0|34=2|49=TW|52=<T>|56=ISLD|999=HI|";
    let mut r = isld_with(|c| c.disconnect_on_error = true);
    r.logon();
    r.send(bad);
    assert!(r.closed && r.take().is_empty());
    assert_eq!(r.s.next_sender_seq(), 2, "no reset");
    let mut r = isld_with(|c| c.reset_on_error = true);
    r.logon();
    r.send(bad);
    let out = r.take();
    assert!(r.closed);
    assert!(has(&out, &["|35=5|", "|58=Invalid tag number"]), "{out:?}");
    assert!(!has(&out, &["|35=3|"]), "{out:?}");
    assert_eq!((r.s.next_sender_seq(), r.s.next_target_seq()), (1, 1));
}

#[test]
fn invalid_messages_passed_on_or_not_validated() {
    let order = "35=D|34=2|49=TW|52=<T>|56=ISLD|11=ID|21=3|40=w|54=1|55=INTC|60=<T>|";
    // RejectInvalidMessage=N: the application gets it (and echoes it).
    let mut r = isld_with(|c| c.reject_invalid_message = false);
    r.logon();
    r.send(order);
    let out = r.take();
    assert!(
        has(&out, &["|35=D|", "|40=w|"]) && !has(&out, &["|35=3|"]),
        "{out:?}"
    );
    // Session-level messages are still rejected.
    r.send("35=0|34=3|49=TW|52=<T>|56=ISLD|999=HI|");
    assert!(has(&r.take(), &["|35=3|", "|371=999|"]));
    // ValidateIncomingMessage=N: nothing is checked against the dictionary.
    let mut r = isld_with(|c| c.validate_incoming_message = false);
    r.logon();
    r.send(order);
    r.send("35=0|34=3|49=TW|52=<T>|56=ISLD|999=HI|");
    let out = r.take();
    assert!(
        has(&out, &["|35=D|", "|40=w|"]) && !has(&out, &["|35=3|"]),
        "{out:?}"
    );
    assert_eq!(r.s.next_target_seq(), 4);
}

#[test]
fn message_without_msg_seq_num_ends_the_session() {
    let mut r = Raw::isld();
    r.logon();
    r.send("35=0|49=TW|52=<T>|56=ISLD|");
    let out = r.take();
    assert!(
        has(&out, &["|35=5|", "|58=Received message without MsgSeqNum|"]),
        "{out:?}"
    );
    assert!(!has(&out, &["|35=3|"]), "{out:?}");
    assert!(r.closed);
}

#[test]
fn fixt_business_reject_names_the_default_appl_ver_id() {
    let mut cfg = settings("FIXT.1.1", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.default_appl_ver_id = Some("FIX.5.0SP2".into());
    let mut r = Raw::with_dict(cfg, None, Arc::new(TestApp::default()));
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|1137=7|");
    assert!(
        has(&r.take(), &["|35=A|", "|1137=9|"]),
        "our own, not theirs"
    );
    r.send("35=8|34=2|49=TW|52=<T>|56=ISLD|37=id|");
    assert!(has(&r.take(), &["|35=j|", "|372=8|380=3|1137=9|"]));
}

/// A Heartbeat with MsgSeqNum `seq` and a wrong CheckSum.
fn bad_checksum_heartbeat(r: &Raw, seq: u64) -> Vec<u8> {
    let mut bad = msg(
        "FIX.4.4",
        &format!("35=0|34={seq}|49=TW|52={}|56=ISLD|", ts(r.now)),
    );
    let n = bad.len();
    let wrong = if &bad[n - 4..n - 1] == b"000" {
        b"001"
    } else {
        b"000"
    };
    bad[n - 4..n - 1].copy_from_slice(wrong);
    bad
}

#[test]
fn checksum_validation_off_accepts_a_wrong_checksum() {
    let mut r = isld_with(|c| c.validate_checksum = false);
    r.logon();
    let bad = bad_checksum_heartbeat(&r, 2);
    r.s.handle_bytes(&bad, r.now);
    r.pump();
    assert_eq!(r.s.next_target_seq(), 3);
    // By default it is garbled: ignored.
    let mut r = Raw::isld();
    r.logon();
    let bad = bad_checksum_heartbeat(&r, 2);
    r.s.handle_bytes(&bad, r.now);
    r.pump();
    assert_eq!(r.s.next_target_seq(), 2);
    assert!(r.take().is_empty());
}

#[test]
fn garbled_message_rejected_when_asked() {
    let mut r = isld_with(|c| c.reject_garbled_message = true);
    r.logon();
    let bad = bad_checksum_heartbeat(&r, 2);
    r.s.handle_bytes(&bad, r.now);
    r.pump();
    let out = r.take();
    assert!(
        has(
            &out,
            &["|35=3|", "|45=2|58=Message failed basic validity check|"]
        ),
        "{out:?}"
    );
    assert_eq!(r.s.next_target_seq(), 3);
    assert!(!r.closed);
}

#[test]
fn allow_pos_dup_passes_duplicates_on() {
    let dup = "35=D|34=2|43=Y|49=TW|52=<T>|122=<T>|56=ISLD|11=A|21=3|40=1|54=1|55=INTC|60=<T>|";
    for (allow, echoed) in [(false, 0), (true, 1)] {
        let mut r = isld_with(|c| c.allow_pos_dup = allow);
        r.logon();
        r.send("35=D|34=2|49=TW|52=<T>|56=ISLD|11=A|21=3|40=1|54=1|55=INTC|60=<T>|");
        r.take();
        r.send(dup);
        let out = r.take();
        assert_eq!(out.len(), echoed, "AllowPosDup={allow}: {out:?}");
        assert_eq!(r.s.next_target_seq(), 3, "a duplicate is not counted");
    }
}
