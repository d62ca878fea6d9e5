//! State machine tests on a virtual clock: raw bytes into one core, or two cores in a pair.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use fix_core::frame::checksum;

use super::*;
use crate::app::{RejectLogon, Responder};
use crate::settings::ConnectionType;

/// 2023-11-15 01:00:00 UTC: an hour into the daily session period.
fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_010_000)
}

fn ts(t: SystemTime) -> String {
    let mut v = Vec::new();
    UtcTimestamp::from_system_time(t, Precision::Millis)
        .unwrap()
        .write(&mut v);
    String::from_utf8(v).unwrap()
}

/// Builds a message from `35=...|34=...|...` with `|` as SOH, adding 8, 9 and 10.
fn msg(bs: &str, body: &str) -> Vec<u8> {
    let body = body.replace('|', "\x01");
    let mut m = format!("8={bs}\x019={}\x01{body}", body.len()).into_bytes();
    let sum = checksum(&m);
    m.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    m
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).replace('\x01', "|")
}

#[derive(Default)]
struct TestApp {
    refuse_logon: bool,
    echo: bool,
    logons: Mutex<u32>,
    logouts: Mutex<u32>,
    /// `to_app` vetoes application messages whose body holds this text (`|11=B|`).
    veto_body: Mutex<Option<&'static str>>,
    /// How many times `to_app` was asked.
    to_app_asked: Mutex<u32>,
    /// `to_app_resend` vetoes every resend.
    refuse_resends: bool,
}

impl Application for TestApp {
    fn to_app(
        &self,
        m: &dyn OutgoingMessage,
        _id: &SessionId,
    ) -> Result<(), crate::app::DoNotSend> {
        *self.to_app_asked.lock().unwrap() += 1;
        if let Some(text) = *self.veto_body.lock().unwrap() {
            let mut buf = Vec::new();
            let mut w = fix_core::Writer::new(&mut buf, "FIX.4.4");
            m.encode_body(&mut w);
            w.finish();
            if show(&buf).contains(text) {
                return Err(crate::app::DoNotSend);
            }
        }
        Ok(())
    }
    fn to_app_resend(
        &self,
        m: &dyn OutgoingMessage,
        id: &SessionId,
    ) -> Result<(), crate::app::DoNotSend> {
        if self.refuse_resends {
            return Err(crate::app::DoNotSend);
        }
        self.to_app(m, id)
    }
    fn on_logon(&self, _id: &SessionId) {
        *self.logons.lock().unwrap() += 1;
    }
    fn on_logout(&self, _id: &SessionId) {
        *self.logouts.lock().unwrap() += 1;
    }
    fn from_admin(&self, msg: &MessageView<'_>, _id: &SessionId) -> Result<(), RejectLogon> {
        if self.refuse_logon && msg.msg_type() == b"A" {
            let pw = msg.field(554).unwrap_or_default();
            if pw != b"secret" {
                return Err(RejectLogon("bad password".into()));
            }
        }
        Ok(())
    }
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        if msg.msg_type() == b"D" && self.echo {
            out.reply(RawBody::from_view(msg));
            return Ok(());
        }
        if msg.msg_type() == b"D" {
            return Ok(());
        }
        Err(AppReject::UnsupportedMessageType)
    }
}

fn settings(bs: &str, sender: &str, target: &str, ct: ConnectionType) -> SessionSettings {
    let mut s = SessionSettings::new(SessionId::new(bs, sender, target), ct);
    s.heartbeat_interval = Duration::from_secs(30);
    s
}

fn dict(bs: &str) -> Arc<Dictionary> {
    let s = settings(bs, "A", "B", ConnectionType::Acceptor);
    s.load_dictionary().unwrap().unwrap()
}

/// One acceptor core driven with raw bytes, with a store kept in a map.
struct Raw {
    s: Session,
    now: SystemTime,
    store: BTreeMap<u64, Vec<u8>>,
    sent: Vec<Vec<u8>>,
    closed: bool,
    resets: u32,
}

impl Raw {
    fn new(cfg: SessionSettings, app: Arc<dyn Application>) -> Raw {
        let d = dict(&cfg.id.begin_string);
        Raw::with_dict(cfg, Some(d), app)
    }
    fn with_dict(
        cfg: SessionSettings,
        d: Option<Arc<Dictionary>>,
        app: Arc<dyn Application>,
    ) -> Raw {
        let mut s = Session::new(&cfg, d, app, 1, 1, t0());
        s.on_connect(t0());
        let mut r = Raw {
            s,
            now: t0(),
            store: BTreeMap::new(),
            sent: Vec::new(),
            closed: false,
            resets: 0,
        };
        r.pump();
        r
    }
    fn isld() -> Raw {
        Raw::new(
            settings("FIX.4.4", "ISLD", "TW", ConnectionType::Acceptor),
            Arc::new(TestApp {
                echo: true,
                ..TestApp::default()
            }),
        )
    }
    fn pump(&mut self) {
        while let Some(o) = self.s.poll_transmit() {
            match o {
                Output::Send(t) => {
                    if t.store {
                        self.store.insert(t.seq, t.bytes.clone());
                    }
                    self.sent.push(t.bytes);
                }
                Output::ResetStore { .. } => {
                    self.store.clear();
                    self.resets += 1;
                }
                Output::FetchResend { begin, end } => {
                    let msgs = self
                        .store
                        .range(begin..=end)
                        .map(|(k, v)| (*k, v.clone()))
                        .collect();
                    self.s.provide_resend(msgs, self.now);
                }
                Output::Disconnect => self.closed = true,
            }
        }
    }
    fn send(&mut self, body: &str) {
        let mut t = Vec::new();
        UtcTimestamp::from_system_time(self.now, self.s.precision)
            .unwrap()
            .write(&mut t);
        let body = body.replace("<T>", std::str::from_utf8(&t).unwrap());
        let m = msg(&self.s.cfg.id.begin_string.clone(), &body);
        self.s.handle_bytes(&m, self.now);
        self.pump();
    }
    fn advance(&mut self, d: Duration) {
        let end = self.now + d;
        while let Some(t) = self.s.poll_timeout() {
            if t > end {
                break;
            }
            self.now = t.max(self.now);
            self.s.handle_timeout(self.now);
            self.pump();
        }
        self.now = end;
        self.s.handle_timeout(end);
        self.pump();
    }
    /// Sent messages since the last call, as `|`-separated strings.
    fn take(&mut self) -> Vec<String> {
        self.sent.drain(..).map(|m| show(&m)).collect()
    }
    fn logon(&mut self) {
        self.send("35=A|34=1|49=TW|52=<T>|56=ISLD|98=0|108=30|");
        let out = self.take();
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].contains("|35=A|34=1|49=ISLD|"), "{out:?}");
        assert!(out[0].contains("|98=0|108=30|"), "{out:?}");
    }
}

fn has(out: &[String], parts: &[&str]) -> bool {
    out.iter().any(|m| parts.iter().all(|p| m.contains(p)))
}

/// Asserts that the message `m` (as shown with `|`) contains every one of `parts`.
#[track_caller]
fn assert_parts(m: &str, parts: &[&str]) {
    assert!(
        parts.iter().all(|p| m.contains(p)),
        "{m} lacks one of {parts:?}"
    );
}

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
    assert!(has(&r.take(), &["|35=2|", "|7=4|16=4|"]));
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

/// Two cores talking to each other on a virtual clock.
struct Pair {
    a: Raw,
    b: Raw,
    /// Drop messages from a to b whose MsgSeqNum is in this list.
    drop_a: Vec<u64>,
}

impl Pair {
    fn new() -> Pair {
        let mut ic = settings("FIX.4.2", "BANK", "EXCH", ConnectionType::Initiator);
        ic.socket_connect = vec![("x".into(), 1)];
        let ac = settings("FIX.4.2", "EXCH", "BANK", ConnectionType::Acceptor);
        let d = dict("FIX.4.2");
        let echo: Arc<dyn Application> = Arc::new(TestApp {
            echo: true,
            ..TestApp::default()
        });
        let mut b = Raw::with_dict(ac, Some(d.clone()), echo);
        let mut a = Raw::with_dict(ic, Some(d), Arc::new(TestApp::default()));
        a.sent.clear();
        a.s.on_connect(t0());
        b.sent.clear();
        let mut p = Pair {
            a,
            b,
            drop_a: Vec::new(),
        };
        p.a.pump();
        p.run();
        p
    }
    fn run(&mut self) {
        for _ in 0..100 {
            let from_a: Vec<Vec<u8>> = self.a.sent.drain(..).collect();
            let from_b: Vec<Vec<u8>> = self.b.sent.drain(..).collect();
            if from_a.is_empty() && from_b.is_empty() {
                return;
            }
            for m in from_a {
                let seq = parse_u64(field_of(&m, 34)).unwrap_or(0);
                let poss_dup = field_of(&m, 43) == Some(b"Y");
                if !poss_dup && self.drop_a.contains(&seq) {
                    continue;
                }
                self.b.s.handle_bytes(&m, self.b.now);
                self.b.pump();
            }
            for m in from_b {
                self.a.s.handle_bytes(&m, self.a.now);
                self.a.pump();
            }
        }
    }
    fn advance(&mut self, d: Duration) {
        let end = self.a.now + d;
        let step = Duration::from_millis(500);
        while self.a.now < end {
            self.a.advance(step);
            self.b.advance(step);
            self.run();
        }
    }
}

fn order(id: &str) -> RawBody {
    RawBody::new("D")
        .with(11, id)
        .with(21, "1")
        .with(55, "IBM")
        .with(54, "1")
        .with(60, "20231115-01:00:00")
        .with(40, "1")
}

#[test]
fn pair_logon_heartbeats_and_echo() {
    let mut p = Pair::new();
    assert!(p.a.s.is_logged_on() && p.b.s.is_logged_on());
    p.advance(Duration::from_secs(300));
    assert!(
        p.a.s.is_logged_on() && p.b.s.is_logged_on(),
        "heartbeats keep it alive"
    );
    for i in 0..10 {
        p.a.s.send(&order(&format!("O{i}")), p.a.now).unwrap();
        p.a.pump();
    }
    p.run();
    let echoed = std::iter::from_fn(|| p.a.s.poll_event())
        .filter(|e| matches!(e, Event::App { msg_type, .. } if msg_type == "D"))
        .count();
    assert_eq!(echoed, 10);
}

#[test]
fn pair_gap_is_recovered_by_resend() {
    let mut p = Pair::new();
    let first = p.a.s.next_sender_seq();
    p.drop_a = vec![first, first + 1];
    for i in 0..5 {
        p.a.s.send(&order(&format!("O{i}")), p.a.now).unwrap();
        p.a.pump();
    }
    p.run();
    let got: Vec<String> = std::iter::from_fn(|| p.b.s.poll_event())
        .filter_map(|e| match e {
            Event::App { bytes, .. } => {
                Some(String::from_utf8_lossy(field_of(&bytes, 11).unwrap()).into_owned())
            }
            _ => None,
        })
        .collect();
    assert_eq!(got, vec!["O0", "O1", "O2", "O3", "O4"]);
    assert_eq!(p.b.s.next_target_seq(), p.a.s.next_sender_seq());
}

#[test]
fn pair_logout_handshake() {
    let mut p = Pair::new();
    p.a.s.logout(None, p.a.now);
    p.a.pump();
    p.run();
    assert!(p.a.closed && p.b.closed);
    assert_eq!(p.a.s.state(), State::Disconnected);
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
