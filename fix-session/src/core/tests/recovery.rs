//! Gaps, resend requests (chunked), answering resend requests, PossDup and SequenceReset.

use super::*;

#[test]
fn gap_resend_request_then_gap_fill_and_queue() {
    let mut r = Raw::isld();
    r.logon();
    r.send("35=1|34=5|49=TW|52=<T>|56=ISLD|112=Q|");
    let out = r.take();
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(has(&out, &["|35=2|34=2|", "|7=2|16=0|"]), "{out:?}");
    // No redundant request for the next one.
    r.send("35=0|34=6|49=TW|52=<T>|56=ISLD|");
    assert!(r.take().is_empty());
    // Gap fill 2 -> 5: the queued TestRequest (5) and Heartbeat (6) are processed.
    r.send("35=4|34=2|43=Y|49=TW|52=<T>|122=<T>|56=ISLD|36=5|123=Y|");
    let out = r.take();
    assert!(has(&out, &["|35=0|34=3|", "|112=Q|"]), "{out:?}");
    assert_eq!(r.s.next_target_seq(), 7);
}

#[test]
fn resend_request_chunks() {
    let mut cfg = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.resend_request_chunk_size = 2;
    let mut r = Raw::new(cfg, Arc::new(TestApp::default()));
    r.logon();
    r.send("35=0|34=7|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|7=2|16=3|"]));
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=3|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=4|16=5|"]));
}

#[test]
fn too_high_resend_request_is_counted_after_the_gap() {
    // Found against QuickFIX C++ (fix-interop, chunked resend): a ResendRequest above the gap
    // was answered but not queued, so after the last chunk the session stopped at its
    // MsgSeqNum, with the messages behind it queued, until a later message reopened the gap.
    let mut cfg = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.resend_request_chunk_size = 2;
    let mut r = Raw::new(cfg, Arc::new(TestApp::default()));
    r.logon();
    r.send("35=0|34=5|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=2|16=3|"]));
    // Too high as well: answered (a gap fill over our Logon and ResendRequest), no new request.
    r.send("35=2|34=6|49=TW|52=<T>|56=ISLD|7=1|16=0|");
    let out = r.take();
    assert!(has(&out, &["|35=4|", "|123=Y|"]), "{out:?}");
    assert!(!has(&out, &["|35=2|"]), "{out:?}");
    r.send("35=0|34=7|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=3|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=2|", "|7=4|16=0|"]));
    r.send("35=0|34=4|49=TW|52=<T>|56=ISLD|");
    assert_eq!(r.s.next_target_seq(), 8);
    assert!(!has(&r.take(), &["|35=2|"]));
    // Alone above the next expected number, it asks for the gap itself.
    r.send("35=2|34=10|49=TW|52=<T>|56=ISLD|7=1|16=0|");
    assert!(has(&r.take(), &["|35=2|", "|7=8|16=0|"]));
    r.send("35=4|34=8|43=Y|49=TW|52=<T>|122=<T>|56=ISLD|36=10|123=Y|");
    assert_eq!(r.s.next_target_seq(), 11);
}

#[test]
fn answers_resend_request_from_the_store() {
    let mut r = Raw::isld();
    r.logon();
    // Two echoed orders (our 2, 3), a heartbeat answer (4), another order (5).
    r.send("35=D|34=2|49=TW|52=<T>|56=ISLD|11=A|21=3|40=1|54=1|55=INTC|60=<T>|");
    r.send("35=D|34=3|49=TW|52=<T>|56=ISLD|11=B|21=3|40=1|54=1|55=INTC|60=<T>|");
    r.send("35=1|34=4|49=TW|52=<T>|56=ISLD|112=X|");
    r.send("35=D|34=5|49=TW|52=<T>|56=ISLD|11=C|21=3|40=1|54=1|55=INTC|60=<T>|");
    r.take();
    // Logon (1) and heartbeat (4) are admin: gap-filled; consecutive gaps merged.
    r.send("35=2|34=6|49=TW|52=<T>|56=ISLD|7=1|16=0|");
    let out = r.take();
    assert_eq!(out.len(), 5, "{out:#?}");
    assert_parts(&out[0], &["|35=4|34=1|43=Y|", "|36=2|123=Y|"]);
    assert_parts(&out[1], &["|35=D|34=2|43=Y|49=ISLD|", "|122=", "|11=A|"]);
    assert_parts(&out[2], &["|34=3|43=Y|", "|11=B|"]);
    assert_parts(&out[3], &["|35=4|34=4|", "|36=5|"]);
    assert_parts(&out[4], &["|35=D|34=5|43=Y|", "|11=C|"]);
    assert_eq!(r.s.next_sender_seq(), 6);
}

#[test]
fn poss_dup_handling() {
    let mut r = Raw::isld();
    r.logon();
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=3|49=TW|52=<T>|56=ISLD|");
    // A duplicate with a good OrigSendingTime: ignored.
    r.send("35=0|34=2|43=Y|49=TW|52=<T>|56=ISLD|122=<T>|");
    assert!(r.take().is_empty());
    assert!(!r.closed);
    // Without OrigSendingTime: Reject 373=1 371=122.
    r.send("35=0|34=2|43=Y|49=TW|52=<T>|56=ISLD|");
    let out = r.take();
    assert!(
        has(
            &out,
            &[
                "|35=3|",
                "|45=2|58=Required tag missing|371=122|372=0|373=1|"
            ]
        ),
        "{out:?}"
    );
    assert_eq!(r.s.next_target_seq(), 4);
    // OrigSendingTime after SendingTime: Reject 373=10 then Logout.
    let later = ts(r.now + Duration::from_secs(10));
    r.send(&format!("35=0|34=2|43=Y|49=TW|52=<T>|56=ISLD|122={later}|"));
    let out = r.take();
    assert!(
        has(
            &out,
            &["|35=3|", "|58=SendingTime accuracy problem|372=0|373=10|"]
        ),
        "{out:?}"
    );
    assert!(has(&out, &["|35=5|"]), "{out:?}");
}

#[test]
fn too_low_without_poss_dup_logs_out() {
    let mut r = Raw::isld();
    r.logon();
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    let out = r.take();
    assert!(
        has(
            &out,
            &[
                "|35=5|",
                "|58=MsgSeqNum too low, expecting 3 but received 2|"
            ]
        ),
        "{out:?}"
    );
    assert!(r.closed);
}

#[test]
fn sequence_reset_both_modes() {
    let mut r = Raw::isld();
    r.logon();
    // Reset mode: no sequence check, jump to 25.
    r.send("35=4|34=0|49=TW|52=<T>|56=ISLD|36=25|");
    assert_eq!(r.s.next_target_seq(), 25);
    assert!(r.take().is_empty());
    // Lower NewSeqNo: Reject 373=5 without RefTagID.
    r.send("35=4|34=0|49=TW|52=<T>|56=ISLD|36=3|");
    let out = r.take();
    assert!(
        has(
            &out,
            &[
                "|35=3|",
                "|45=0|58=Value is incorrect (out of range) for this tag|372=4|373=5|"
            ]
        ),
        "{out:?}"
    );
    assert!(!out[0].contains("|371="));
    assert_eq!(r.s.next_target_seq(), 25);
    // GapFill mode at the expected number.
    r.send("35=4|34=25|43=Y|49=TW|52=<T>|122=<T>|56=ISLD|36=30|123=Y|");
    assert_eq!(r.s.next_target_seq(), 30);
    // GapFill too high: ResendRequest.
    r.send("35=4|34=40|49=TW|52=<T>|56=ISLD|36=50|123=Y|");
    assert!(has(&r.take(), &["|35=2|", "|7=30|16=0|"]));
}

#[test]
fn to_app_is_asked_again_on_resend_and_a_veto_becomes_a_gap_fill() {
    let app = Arc::new(TestApp {
        echo: true,
        ..TestApp::default()
    });
    let mut r = Raw::new(
        settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor),
        app.clone(),
    );
    r.logon();
    // Three echoed orders: our 2 (A), 3 (B), 4 (C).
    for (seq, id) in [(2, "A"), (3, "B"), (4, "C")] {
        r.send(&format!(
            "35=D|34={seq}|49=TW|52=<T>|56=ISLD|11={id}|21=3|40=1|54=1|55=INTC|60=<T>|"
        ));
    }
    r.take();
    // From now on, vetoes any application message whose body holds `11=B`.
    *app.veto_body.lock().unwrap() = Some("|11=B|");
    let asked_before = *app.to_app_asked.lock().unwrap();
    r.send("35=2|34=5|49=TW|52=<T>|56=ISLD|7=2|16=0|");
    let out = r.take();
    // A resent; B vetoed and gap-filled to C; C resent.
    assert_eq!(out.len(), 3, "{out:#?}");
    assert_parts(&out[0], &["|35=D|34=2|43=Y|", "|11=A|"]);
    assert_parts(&out[1], &["|35=4|34=3|43=Y|", "|36=4|123=Y|"]);
    assert_parts(&out[2], &["|35=D|34=4|43=Y|", "|11=C|"]);
    // Asked once per resent application message.
    assert_eq!(*app.to_app_asked.lock().unwrap() - asked_before, 3);
}

#[test]
fn to_app_resend_tells_resends_apart() {
    let mut r = Raw::new(
        settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor),
        // Lets every first send through; refuses every resend.
        Arc::new(TestApp {
            echo: true,
            refuse_resends: true,
            ..TestApp::default()
        }),
    );
    r.logon();
    r.send("35=D|34=2|49=TW|52=<T>|56=ISLD|11=A|21=3|40=1|54=1|55=INTC|60=<T>|");
    r.send("35=D|34=3|49=TW|52=<T>|56=ISLD|11=B|21=3|40=1|54=1|55=INTC|60=<T>|");
    let echoed = r.take();
    assert_eq!(echoed.len(), 2, "first sends go out: {echoed:#?}");
    r.send("35=2|34=4|49=TW|52=<T>|56=ISLD|7=1|16=0|");
    let out = r.take();
    // Logon (1) and both orders (2, 3): one gap fill to 4, nothing resent.
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_parts(&out[0], &["|35=4|34=1|43=Y|", "|36=4|123=Y|"]);
}
