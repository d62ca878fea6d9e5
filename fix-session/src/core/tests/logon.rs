//! Logon and Logout: acceptance, refusal, resets, sending before logon.

use super::*;

#[test]
fn first_message_must_be_logon_and_garbled_logon_closes() {
    let mut r = Raw::isld();
    r.send("35=0|34=1|49=TW|52=<T>|56=ISLD|");
    assert!(r.closed && r.take().is_empty());
    let mut r = Raw::isld();
    r.s.handle_bytes(b"8=FIX.4.4\x019=40\x0135=A\x0134=1\x0149=TW\x0152=x\x0156=ISLD\x0198=0\x01108=30\x0110=000\x01", r.now);
    r.pump();
    assert!(r.closed);
}

#[test]
fn logon_with_too_low_msg_seq_num_is_no_logon_and_no_logout() {
    let app = Arc::new(TestApp::default());
    let mut s = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    s.heartbeat_interval = Duration::from_secs(30);
    let d = dict("FIX.4.4");
    let mut session = Session::new(&s, Some(d), app.clone(), 1, 5, t0());
    session.on_connect(t0());
    let m = msg(
        "FIX.4.4",
        &format!("35=A|34=1|49=TW|52={}|56=ISLD|98=0|108=30|", ts(t0())),
    );
    session.handle_bytes(&m, t0());
    let sent: Vec<String> = std::iter::from_fn(|| session.poll_transmit())
        .filter_map(|o| match o {
            Output::Send(t) => Some(show(&t.bytes)),
            _ => None,
        })
        .collect();
    assert!(
        has(
            &sent,
            &[
                "|35=5|",
                "|58=MsgSeqNum too low, expecting 5 but received 1|"
            ]
        ),
        "{sent:?}"
    );
    assert_eq!(session.state(), State::Disconnected);
    assert_eq!(*app.logons.lock().unwrap(), 0);
    assert_eq!(*app.logouts.lock().unwrap(), 0);
    let events: Vec<Event> = std::iter::from_fn(|| session.poll_event()).collect();
    assert!(!events.contains(&Event::LoggedOut), "{events:?}");
}

#[test]
fn logout_handshake_both_ways() {
    // They log out: we answer and close.
    let mut r = Raw::isld();
    r.logon();
    r.send("35=5|34=2|49=TW|52=<T>|56=ISLD|");
    assert!(has(&r.take(), &["|35=5|34=2|"]));
    assert!(r.closed);
    // We log out: wait for the answer, then close.
    let mut r = Raw::isld();
    r.logon();
    r.s.logout(Some("bye"), r.now);
    r.pump();
    assert!(has(&r.take(), &["|35=5|", "|58=bye|"]));
    assert!(!r.closed);
    r.send("35=5|34=2|49=TW|52=<T>|56=ISLD|");
    assert!(r.take().is_empty());
    assert!(r.closed);
    // No answer within LogoutTimeout (2 s): close.
    let mut r = Raw::isld();
    r.logon();
    r.s.logout(None, r.now);
    r.pump();
    r.advance(Duration::from_secs(3));
    assert!(r.closed);
}

#[test]
fn logon_refused_by_auth_hook() {
    let app = Arc::new(TestApp {
        refuse_logon: true,
        ..TestApp::default()
    });
    let mut r = Raw::new(
        settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor),
        app.clone(),
    );
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|553=u|554=wrong|");
    let out = r.take();
    assert!(has(&out, &["|35=5|", "|58=bad password|"]), "{out:?}");
    assert!(!has(&out, &["|35=A|"]));
    assert!(r.closed);
    assert_eq!(*app.logons.lock().unwrap(), 0);
    // Never logged on, so never logged out (found against QuickFIX C++: onLogout and a
    // LoggedOut event came with every refused Logon).
    assert_eq!(*app.logouts.lock().unwrap(), 0);
    let events: Vec<Event> = std::iter::from_fn(|| r.s.poll_event()).collect();
    assert!(!events.contains(&Event::LoggedOut), "{events:?}");
    let mut r = Raw::new(
        settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor),
        app.clone(),
    );
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|553=u|554=secret|");
    assert!(has(&r.take(), &["|35=A|"]));
    assert_eq!(*app.logons.lock().unwrap(), 1);
}

#[test]
fn initiator_sees_the_logout_refusing_its_logon() {
    // Found against QuickFIX C++, which refuses a Logon with a Logout carrying the reason:
    // it was dropped as "first message is not a Logon", unseen by the application.
    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);
    impl Application for Seen {
        fn from_admin(&self, msg: &MessageView<'_>, _id: &SessionId) -> Result<(), RejectLogon> {
            self.0.lock().unwrap().push(show(msg.bytes()));
            Ok(())
        }
    }
    let app = Arc::new(Seen::default());
    let cfg = settings("FIX.4.4", "TW", "ISLD", ConnectionType::Initiator);
    let mut s = Session::new(&cfg, Some(dict("FIX.4.4")), app.clone(), 1, 1, t0());
    s.on_connect(t0());
    let logon: Vec<Output> = std::iter::from_fn(|| s.poll_transmit()).collect();
    assert!(matches!(&logon[..], [Output::Send(t)] if show(&t.bytes).contains("|35=A|")));
    let m = msg(
        "FIX.4.4",
        &format!("35=5|34=1|49=ISLD|52={}|56=TW|58=bad password|", ts(t0())),
    );
    s.handle_bytes(&m, t0());
    assert_eq!(s.state(), State::Disconnected);
    assert_eq!(s.next_target_seq(), 2);
    let seen = app.0.lock().unwrap().clone();
    assert!(has(&seen, &["|35=5|", "|58=bad password|"]), "{seen:?}");
    let events: Vec<Event> = std::iter::from_fn(|| s.poll_event()).collect();
    assert_eq!(
        events,
        vec![Event::Disconnected {
            reason: "Logon refused by the counterparty: bad password".into()
        }]
    );
}

#[test]
fn fixt_logon_needs_default_appl_ver_id() {
    let mut cfg = settings("FIXT.1.1", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.default_appl_ver_id = Some("FIX.5.0SP2".into());
    let mut r = Raw::with_dict(cfg.clone(), None, Arc::new(TestApp::default()));
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|");
    assert!(r.closed && r.take().is_empty());
    let mut r = Raw::with_dict(cfg, None, Arc::new(TestApp::default()));
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|1137=9|");
    assert!(has(&r.take(), &["|35=A|", "|1137=9|"]));
}

#[test]
fn reset_seq_num_flag_mid_session_and_reset_on_logon() {
    let mut r = Raw::isld();
    r.logon();
    for i in 2..6 {
        r.send(&format!("35=0|34={i}|49=TW|52=<T>|56=ISLD|"));
    }
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|141=Y|");
    let out = r.take();
    assert!(has(&out, &["|35=A|34=1|", "|141=Y|"]), "{out:?}");
    assert_eq!((r.s.next_sender_seq(), r.s.next_target_seq()), (2, 2));
}

#[test]
fn send_requires_logon_and_to_app_can_veto() {
    struct Veto;
    impl Application for Veto {
        fn to_app(
            &self,
            _m: &dyn OutgoingMessage,
            _id: &SessionId,
        ) -> Result<(), crate::app::DoNotSend> {
            Err(crate::app::DoNotSend)
        }
    }
    let cfg = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    let mut s = Session::new(&cfg, None, Arc::new(Veto), 1, 1, t0());
    assert_eq!(s.send(&order("x"), t0()), Err(SendError::NotLoggedOn));
    let mut r = Raw::with_dict(cfg, None, Arc::new(Veto));
    r.logon();
    assert_eq!(r.s.send(&order("x"), r.now), Err(SendError::Vetoed));
}
