//! Heartbeats, test requests, timeouts, garbled input and the session schedule.

use super::*;

#[test]
fn logon_then_heartbeat_test_request_and_timeout() {
    let mut r = Raw::isld();
    r.logon();
    assert!(r.s.is_logged_on());
    // Heartbeat after 30 s of silence on our side (and they keep talking).
    r.advance(Duration::from_secs(29));
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    assert!(r.take().is_empty());
    r.advance(Duration::from_secs(1));
    let out = r.take();
    assert!(has(&out, &["|35=0|34=2|"]), "{out:?}");
    // Nothing received for 1.2 x 30 s = 36 s: TestRequest TEST.
    r.advance(Duration::from_secs(36));
    let out = r.take();
    assert!(has(&out, &["|35=1|", "|112=TEST|"]), "{out:?}");
    assert!(!r.closed);
    // Nothing received for 2.4 x 30 s = 72 s: disconnect without Logout.
    r.advance(Duration::from_secs(36));
    let out = r.take();
    assert!(!has(&out, &["|35=5|"]), "{out:?}");
    assert!(r.closed);
}

#[test]
fn test_request_is_answered_with_its_id() {
    let mut r = Raw::isld();
    r.logon();
    r.send("35=1|34=2|49=TW|52=<T>|56=ISLD|112=HELLO|");
    let out = r.take();
    assert!(has(&out, &["|35=0|34=2|", "|112=HELLO|"]), "{out:?}");
}

#[test]
fn logon_timeout() {
    let mut r = Raw::isld();
    r.advance(Duration::from_secs(9));
    assert!(!r.closed);
    r.advance(Duration::from_secs(2));
    assert!(r.closed);
}

#[test]
fn garbled_message_is_ignored() {
    let mut r = Raw::isld();
    r.logon();
    let mut bad = msg(
        "FIX.4.4",
        &format!("35=0|34=2|49=TW|52={}|56=ISLD|", ts(r.now)),
    );
    let n = bad.len();
    bad[n - 2] = b'0';
    bad[n - 3] = b'0';
    bad[n - 4] = b'0';
    r.s.handle_bytes(&bad, r.now);
    r.pump();
    assert!(r.take().is_empty());
    assert_eq!(r.s.next_target_seq(), 2);
    r.send("35=1|34=2|49=TW|52=<T>|56=ISLD|112=X|");
    assert!(has(&r.take(), &["|35=0|", "|112=X|"]));
}

#[test]
fn schedule_resets_at_a_new_period() {
    let cfg = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    let d = dict("FIX.4.4");
    // Store created yesterday: the new day's period resets on connect.
    let yesterday = t0() - Duration::from_secs(86_400);
    let mut s = Session::new(
        &cfg,
        Some(d.clone()),
        Arc::new(TestApp::default()),
        10,
        20,
        yesterday,
    );
    s.on_connect(t0());
    assert_eq!(s.poll_transmit(), Some(Output::ResetStore { now: t0() }));
    assert_eq!((s.next_sender_seq(), s.next_target_seq()), (1, 1));
    // Same period: no reset.
    let mut s = Session::new(
        &cfg,
        Some(d.clone()),
        Arc::new(TestApp::default()),
        10,
        20,
        t0(),
    );
    s.on_connect(t0() + Duration::from_secs(60));
    assert_eq!(s.poll_transmit(), None);
    assert_eq!(s.next_sender_seq(), 10);
    // Logged on across the period end (00:00 UTC): logout, disconnect, reset.
    let mut r = Raw::isld();
    r.logon();
    for i in 0..(23 * 60 + 1) {
        r.advance(Duration::from_secs(60));
        if r.closed {
            break;
        }
        r.send(&format!("35=0|34={}|49=TW|52=<T>|56=ISLD|", i + 2));
    }
    assert!(r.closed);
    assert!(has(&r.take(), &["|35=5|", "|58=End of session|"]));
    assert_eq!(r.s.next_sender_seq(), 1);
}

#[test]
fn poll_timeout_is_the_earliest_real_deadline() {
    // Waiting for the Logon: the logon timeout (10 s), nothing sooner.
    let mut r = Raw::isld();
    assert_eq!(r.s.poll_timeout(), Some(t0() + Duration::from_secs(10)));
    // Logged on: the heartbeat is due 30 s after the Logon we sent.
    r.logon();
    assert_eq!(r.s.poll_timeout(), Some(t0() + Duration::from_secs(30)));
    // Receiving moves the test request and idle deadlines, not the heartbeat.
    r.advance(Duration::from_secs(20));
    r.send("35=0|34=2|49=TW|52=<T>|56=ISLD|");
    assert_eq!(r.s.poll_timeout(), Some(t0() + Duration::from_secs(30)));
    // Sending moves the heartbeat: now the test request (20 + 36 s) comes before the next
    // heartbeat (30 + 30 s).
    r.advance(Duration::from_secs(10));
    assert!(has(&r.take(), &["|35=0|34=2|"]));
    assert_eq!(r.s.poll_timeout(), Some(t0() + Duration::from_secs(56)));
    // Disconnected: no timer.
    r.send("35=5|34=3|49=TW|52=<T>|56=ISLD|");
    assert!(r.closed);
    assert_eq!(r.s.poll_timeout(), None);
}

#[test]
fn poll_timeout_includes_the_end_of_the_session_period() {
    // A session from 00:00 to 01:30 UTC with an hour's heartbeat, logged on at 01:00: the
    // first deadline is the period's end, and at it the session logs out.
    let mut cfg = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.schedule = crate::settings::Schedule {
        end_time: chrono::NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
        ..crate::settings::Schedule::default()
    };
    let mut r = Raw::new(cfg, Arc::new(TestApp::default()));
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=3600|");
    assert!(r.s.is_logged_on());
    let end = t0() + Duration::from_secs(30 * 60);
    let due = r.s.poll_timeout().unwrap();
    assert!(
        due > end && due <= end + Duration::from_secs(1),
        "{:?} after t0",
        due.duration_since(t0())
    );
    r.take();
    r.advance(due.duration_since(r.now).unwrap());
    assert!(r.closed);
    assert!(has(&r.take(), &["|35=5|", "|58=End of session|"]));
}

#[test]
fn heartbeat_multipliers_and_disabled_check() {
    // TestRequest after (1 + 0.5) x 30 = 45 s of silence, drop after (1 + 2) x 30 = 90 s.
    let mut cfg = settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor);
    cfg.test_request_delay_multiplier = 0.5;
    cfg.heart_beat_timeout_multiplier = 2.0;
    let mut r = Raw::new(cfg.clone(), Arc::new(TestApp::default()));
    r.logon();
    r.advance(Duration::from_secs(44));
    assert!(!has(&r.take(), &["|35=1|"]));
    r.advance(Duration::from_secs(1));
    assert!(has(&r.take(), &["|35=1|", "|112=TEST|"]));
    r.advance(Duration::from_secs(44));
    assert!(!r.closed);
    r.advance(Duration::from_secs(1));
    assert!(r.closed);
    // DisableHeartBeatCheck: test requests still go out, the session is never dropped.
    cfg.disable_heart_beat_check = true;
    let mut r = Raw::new(cfg, Arc::new(TestApp::default()));
    r.logon();
    r.advance(Duration::from_secs(3600));
    assert!(!r.closed);
    assert!(has(&r.take(), &["|35=1|", "|112=TEST|"]));
}

/// A daily 24-hour session whose logon window (LogonTime-LogoutTime) is `from` to `to`
/// (hours and minutes, UTC).
fn logon_window(ct: ConnectionType, from: (u32, u32), to: (u32, u32)) -> SessionSettings {
    let t = |(h, m)| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let mut cfg = settings("FIX.4.4", "ISLD", "TW", ct);
    cfg.schedule.logon_window = Some(crate::settings::Window {
        start_time: t(from),
        end_time: t(to),
        start_day: None,
        end_day: None,
    });
    cfg
}

#[test]
fn logout_time_logs_out_and_keeps_the_sequence_numbers() {
    // Logged on at 01:00 inside a 00:30-01:30 logon window: at 01:30 the session logs out,
    // its period (and sequence numbers) goes on, and a connection after it is refused.
    let cfg = logon_window(ConnectionType::Acceptor, (0, 30), (1, 30));
    let mut r = Raw::new(cfg, Arc::new(TestApp::default()));
    r.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=3600|");
    assert!(r.s.is_logged_on());
    r.take();
    let due = r.s.poll_timeout().unwrap();
    let logout_time = t0() + Duration::from_secs(30 * 60);
    assert!(
        due > logout_time && due <= logout_time + Duration::from_secs(1),
        "{:?} after t0",
        due.duration_since(t0())
    );
    r.advance(Duration::from_secs(29 * 60));
    assert!(!r.closed, "still logged on before LogoutTime");
    r.advance(Duration::from_secs(2 * 60));
    assert!(r.closed);
    assert!(has(&r.take(), &["|35=5|34=2|", "|58=Logout time|"]));
    assert_eq!(r.resets, 0);
    assert_eq!((r.s.next_sender_seq(), r.s.next_target_seq()), (3, 2));
    r.closed = false;
    r.s.on_connect(r.now);
    r.pump();
    assert!(r.closed, "a connection outside the logon window is closed");
    assert_eq!(r.s.state(), State::Disconnected);
}

#[test]
fn initiator_logs_on_only_inside_the_logon_window() {
    let cfg = logon_window(ConnectionType::Initiator, (2, 0), (3, 0));
    let mut s = Session::new(
        &cfg,
        Some(dict("FIX.4.4")),
        Arc::new(TestApp::default()),
        1,
        1,
        t0(),
    );
    // 01:00: in the session period, before LogonTime: no Logon, the connection closes.
    s.on_connect(t0());
    assert_eq!(s.poll_transmit(), Some(Output::Disconnect));
    assert_eq!(s.poll_transmit(), None);
    // 02:00: the Logon goes out.
    s.on_connect(t0() + Duration::from_secs(3600));
    match s.poll_transmit() {
        Some(Output::Send(t)) => assert!(show(&t.bytes).contains("|35=A|"), "{}", show(&t.bytes)),
        other => panic!("expected the Logon, got {other:?}"),
    }
}
