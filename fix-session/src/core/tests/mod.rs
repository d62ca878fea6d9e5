//! State machine tests on a virtual clock: raw bytes into one core ([`Raw`]), or two cores in
//! a pair ([`Pair`]); per-topic test files below share these harnesses.

mod checks;
mod keys;
mod link;
mod logon;
mod pair;
mod recovery;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use fix_core::frame::checksum;
use fix_core::value::{Precision, UtcTimestamp};
use fix_core::{Dictionary, FixValue, MessageView, OutgoingMessage};

use super::fields::{field_of, parse_u64};
use super::{Event, Output, SendError, Session, State};
use crate::app::{AppReject, Application, RawBody, RejectLogon, Responder};
use crate::settings::{ConnectionType, SessionId, SessionSettings};

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
    /// Moves both clocks by `d`, jumping from one deadline of either core to the next and
    /// delivering what each sends in between.
    fn advance(&mut self, d: Duration) {
        let end = self.a.now + d;
        loop {
            let next = [self.a.s.poll_timeout(), self.b.s.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .filter(|t| *t <= end);
            let Some(t) = next else { break };
            self.set_clock(t.max(self.a.now));
            self.run();
        }
        self.set_clock(end);
        self.run();
    }
    fn set_clock(&mut self, now: SystemTime) {
        for side in [&mut self.a, &mut self.b] {
            side.now = now;
            side.s.handle_timeout(now);
            side.pump();
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
