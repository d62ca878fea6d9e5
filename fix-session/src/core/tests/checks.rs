//! Received-message checks: CompIDs, BeginString, SendingTime, dictionary validation, rejects.

use super::*;

#[test]
fn wrong_comp_id_and_begin_string() {
    let mut r = Raw::isld();
    r.logon();
    r.send("35=D|34=2|49=WT|52=<T>|56=ISLD|11=ID|21=3|40=1|54=1|55=INTC|60=<T>|");
    let out = r.take();
    assert!(
        out[0].contains("|35=3|34=2|") && out[0].contains("|45=2|58=CompID problem|372=D|373=9|"),
        "{out:?}"
    );
    assert!(out[1].contains("|35=5|34=3|"), "{out:?}");
    let mut r = Raw::isld();
    r.logon();
    let m = msg(
        "FIX.4.1",
        &format!("35=1|34=2|49=TW|52={}|56=ISLD|112=id|", ts(r.now)),
    );
    r.s.handle_bytes(&m, r.now);
    r.pump();
    assert!(has(&r.take(), &["|35=5|", "|58=Incorrect BeginString|"]));
    assert!(r.closed);
}

#[test]
fn sending_time_accuracy() {
    let mut r = Raw::isld();
    r.logon();
    let old = ts(r.now - Duration::from_secs(121));
    r.send(&format!("35=0|34=2|49=TW|52={old}|56=ISLD|"));
    let out = r.take();
    assert!(
        has(
            &out,
            &[
                "|35=3|34=2|",
                "|45=2|58=SendingTime accuracy problem|372=0|373=10|"
            ]
        ),
        "{out:?}"
    );
    assert!(has(&out, &["|35=5|34=3|"]));
    // A Logon with a bad SendingTime: closed without a word.
    let mut r = Raw::isld();
    r.send("35=A|34=1|49=TW|52=20010101-00:00:00|56=ISLD|98=0|108=30|");
    assert!(r.take().is_empty() && r.closed);
}

#[test]
fn validation_rejects_and_routing_is_reversed() {
    let mut r = Raw::isld();
    r.logon();
    r.send(
        "35=D|34=2|49=TW|52=<T>|56=ISLD|115=JCD|116=CS|11=ID|21=3|38=100|40=w|54=1|55=INTC|60=<T>|",
    );
    let out = r.take();
    assert!(
        has(&out, &["|35=3|34=2|49=ISLD|52=", "|56=TW|128=JCD|129=CS|45=2|58=Value is incorrect (out of range) for this tag|371=40|372=D|373=5|"]),
        "{out:?}"
    );
    r.send("35=0|34=3|49=TW|52=<T>|56=ISLD|999=HI|");
    assert!(has(
        &r.take(),
        &["|58=Invalid tag number|371=999|372=0|373=0|"]
    ));
    r.send("35=*|34=4|49=TW|52=<T>|56=ISLD|");
    let out = r.take();
    assert!(
        has(&out, &["|45=4|58=Invalid MsgType|372=*|373=11|"]),
        "{out:?}"
    );
    assert_eq!(r.s.next_target_seq(), 5);
    // Unsupported application message: BusinessMessageReject.
    r.send(
        "35=8|34=5|49=TW|52=<T>|56=ISLD|37=id|17=id|150=0|39=0|55=WLRI|54=1|151=100|14=0|6=0.0|",
    );
    let out = r.take();
    assert!(
        has(
            &out,
            &["|35=j|", "|45=5|58=Unsupported Message Type|372=8|380=3|"]
        ),
        "{out:?}"
    );
    // Echo with routing reversed.
    r.send("35=D|34=6|49=TW|52=<T>|56=ISLD|128=X|11=ID|21=3|40=1|54=1|55=INTC|60=<T>|");
    let out = r.take();
    assert!(
        has(
            &out,
            &[
                "|35=D|34=6|49=ISLD|",
                "|56=TW|115=X|11=ID|21=3|40=1|54=1|55=INTC|60="
            ]
        ),
        "{out:?}"
    );
}

#[test]
fn fix40_reject_has_text_only() {
    let mut r = Raw::new(
        settings("FIX.4.0", "ISLD", "TW", ConnectionType::Acceptor),
        Arc::new(TestApp::default()),
    );
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|");
    let out = r.take();
    assert!(
        out[0].contains("|52=20231115-01:00:00|"),
        "whole seconds: {out:?}"
    );
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|999=HI|");
    let out = r.take();
    assert!(
        has(&out, &["|35=3|", "|45=2|58=Invalid tag number (999)|"]),
        "{out:?}"
    );
    assert!(!out[0].contains("|371=") && !out[0].contains("|373="));
}

#[test]
fn fixt_admin_messages_are_checked_against_the_transport_dictionary() {
    // Symbol (55) is an application field: in a FIXT Heartbeat it is no tag of the
    // transport dictionary (invalid tag number); in a FIX.4.4 Heartbeat it is a tag not
    // defined for the message type.
    let mut cfg = settings("FIXT.1.1", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.default_appl_ver_id = Some("FIX.5.0SP2".into());
    let d = cfg.load_dictionary().unwrap();
    let mut r = Raw::with_dict(cfg, d, Arc::new(TestApp::default()));
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|1137=9|");
    r.take();
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|55=IBM|");
    let out = r.take();
    assert!(
        has(&out, &["|58=Invalid tag number|371=55|372=0|373=0|"]),
        "{out:?}"
    );
    let mut r = Raw::isld();
    r.logon();
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|55=IBM|");
    let out = r.take();
    assert!(
        has(
            &out,
            &["|58=Tag not defined for this message type|371=55|372=0|373=2|"]
        ),
        "{out:?}"
    );
}
