//! The sans-IO session state machine.
//!
//! A [`Session`] has no sockets, no tasks, no files and never reads the clock: the driver
//! feeds it bytes ([`Session::handle_bytes`]), clock ticks ([`Session::handle_timeout`]) and
//! application messages ([`Session::send`]), always with the current time, and drains what
//! it produced in order:
//!
//! - [`Session::poll_transmit`] gives [`Output`]s in the order they must happen: messages to
//!   write ([`Transmit`]: persist first when [`Transmit::store`] is set, then write), store
//!   resets, requests for stored messages to answer a ResendRequest (the session stops
//!   reading input until [`Session::provide_resend`] is called) and the disconnect;
//! - [`Session::poll_event`] gives [`Event`]s for the user;
//! - [`Session::poll_timeout`] says when to call [`Session::handle_timeout`] next.
//!
//! After draining, the driver persists [`Session::next_target_seq`] if it changed.
//!
//! The rules follow the FIX session protocol as QuickFIX reads it (see the acceptance
//! suite's README).

mod schedule;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use fix_core::dict::Layout;
use fix_core::encode::Writer;
use fix_core::frame::find_frame;
use fix_core::value::{Precision, UtcTimestamp};
use fix_core::{
    Decoder, Dictionary, FixValue, MessageView, OutgoingMessage, SessionRejectReason, Tag,
    ValidationOptions,
};
use thiserror::Error;

use crate::app::{is_admin_msg_type, AppReject, Application, RawBody, Responder};
use crate::settings::{SessionId, SessionSettings};

/// A message to write, already sequenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// MsgSeqNum (34) of the message.
    pub seq: u64,
    /// The whole message.
    pub bytes: Vec<u8>,
    /// A new message: save it under `seq` and set the next sender sequence number to
    /// `seq + 1` before writing (`MessageStore::save_and_increment`). False for resent
    /// messages and gap fills.
    pub store: bool,
}

/// Something the driver must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Persist (if [`Transmit::store`]), then write.
    Send(Transmit),
    /// Reset the store (both sequence numbers to 1, messages dropped, creation time `now`).
    ResetStore {
        /// The new creation time.
        now: SystemTime,
    },
    /// Load stored messages `begin..=end` and hand them to [`Session::provide_resend`].
    FetchResend {
        /// First sequence number.
        begin: u64,
        /// Last sequence number.
        end: u64,
    },
    /// Close the connection (after writing what came before).
    Disconnect,
}

/// What happened, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The session is logged on.
    LoggedOn,
    /// The session logged out or lost its connection after logon.
    LoggedOut,
    /// An application message was received (in sequence, valid).
    App {
        /// MsgType (35).
        msg_type: String,
        /// MsgSeqNum (34).
        seq: u64,
        /// The whole message.
        bytes: Vec<u8>,
    },
    /// We rejected a received message (Reject or BusinessMessageReject).
    Rejected {
        /// MsgSeqNum of the rejected message.
        seq: u64,
        /// The text sent.
        text: String,
    },
    /// A Reject (35=3) was received.
    RejectReceived {
        /// The whole message.
        bytes: Vec<u8>,
    },
    /// The connection is to be closed.
    Disconnected {
        /// Why.
        reason: String,
    },
}

/// Why [`Session::send`] refused a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SendError {
    /// The session is not logged on.
    #[error("session is not logged on")]
    NotLoggedOn,
    /// The application's `to_app` vetoed the message.
    #[error("message vetoed by the application")]
    Vetoed,
    /// A value contained SOH.
    #[error("message could not be encoded: {0}")]
    Encode(#[from] fix_core::EncodeError),
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No connection.
    Disconnected,
    /// Connected; waiting for the Logon (acceptor) or its answer (initiator).
    AwaitingLogon,
    /// Logged on.
    Active,
    /// We sent a Logout and wait for the answer.
    LogoutSent,
}

#[derive(Debug, Clone, Copy)]
struct ResendRange {
    begin: u64,
    end: u64,
    /// End of the chunk asked for, when ResendRequestChunkSize splits the request.
    chunk_end: u64,
}

fn empty_dictionary() -> &'static Arc<Dictionary> {
    static EMPTY: OnceLock<Arc<Dictionary>> = OnceLock::new();
    EMPTY.get_or_init(|| {
        Arc::new(Dictionary::new(
            "".into(),
            None,
            Vec::new().into(),
            Layout::EMPTY,
            Layout::EMPTY,
            Vec::new().into(),
        ))
    })
}

fn parse_u64(v: Option<&[u8]>) -> Option<u64> {
    let v = v?;
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

fn unix_nanos(t: SystemTime) -> i128 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

fn timestamp_nanos(v: Option<&[u8]>) -> Option<i128> {
    UtcTimestamp::parse(v?).ok().map(|t| t.to_unix_nanos())
}

/// Numeric ApplVerID (1128/1137) for a DefaultApplVerID setting (`FIX.5.0SP2` -> `9`).
pub fn appl_ver_id_code(v: &str) -> &str {
    match v {
        "FIX.2.7" => "0",
        "FIX.3.0" => "1",
        "FIX.4.0" => "2",
        "FIX.4.1" => "3",
        "FIX.4.2" => "4",
        "FIX.4.3" => "5",
        "FIX.4.4" => "6",
        "FIX.5.0" => "7",
        "FIX.5.0SP1" => "8",
        "FIX.5.0SP2" => "9",
        other => other,
    }
}

const ROUTING_REVERSE: [(Tag, Tag); 6] = [
    (115, 128),
    (116, 129),
    (144, 145),
    (128, 115),
    (129, 116),
    (145, 144),
];

/// One FIX session's protocol state machine. See the [module docs](self).
pub struct Session {
    cfg: SessionSettings,
    dict: Arc<Dictionary>,
    has_dict: bool,
    opts: ValidationOptions,
    app: Arc<dyn Application>,
    initiator: bool,
    state: State,
    next_sender: u64,
    next_target: u64,
    created: SystemTime,
    hb: Duration,
    last_sent: SystemTime,
    last_received: SystemTime,
    test_requests: u32,
    logon_deadline: Option<SystemTime>,
    logout_deadline: Option<SystemTime>,
    sent_reset: bool,
    resend_range: Option<ResendRange>,
    queue: BTreeMap<u64, Vec<u8>>,
    inbuf: Vec<u8>,
    awaiting_resend: Option<(u64, u64)>,
    out: VecDeque<Output>,
    events: VecDeque<Event>,
    decoder: Decoder,
    precision: Precision,
    now: SystemTime,
    draining: bool,
    /// Whether [`Event::App`]s are produced (see [`Session::set_app_events`]).
    app_events: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.cfg.id)
            .field("state", &self.state)
            .field("next_sender", &self.next_sender)
            .field("next_target", &self.next_target)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session for `settings`, validating with `dict` (none: no validation), calling
    /// `app`, starting from the store's state (`next_sender`, `next_target`, `created`).
    pub fn new(
        settings: &SessionSettings,
        dict: Option<Arc<Dictionary>>,
        app: Arc<dyn Application>,
        next_sender: u64,
        next_target: u64,
        created: SystemTime,
    ) -> Session {
        let has_dict = dict.is_some();
        let session = Session {
            opts: settings.validation_options(),
            dict: dict.unwrap_or_else(|| empty_dictionary().clone()),
            has_dict,
            app,
            initiator: settings.connection_type == crate::settings::ConnectionType::Initiator,
            state: State::Disconnected,
            next_sender,
            next_target,
            created,
            hb: settings.heartbeat_interval,
            last_sent: created,
            last_received: created,
            test_requests: 0,
            logon_deadline: None,
            logout_deadline: None,
            sent_reset: false,
            resend_range: None,
            queue: BTreeMap::new(),
            inbuf: Vec::new(),
            awaiting_resend: None,
            out: VecDeque::new(),
            events: VecDeque::new(),
            decoder: Decoder::new(),
            precision: settings.sending_time_precision(),
            now: created,
            draining: false,
            app_events: true,
            cfg: settings.clone(),
        };
        session.app.on_create(&session.cfg.id);
        session
    }

    /// The session's id.
    pub fn id(&self) -> &SessionId {
        &self.cfg.id
    }

    /// The settings the session runs with.
    pub fn settings(&self) -> &SessionSettings {
        &self.cfg
    }

    /// Where the session is.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the session is logged on.
    pub fn is_logged_on(&self) -> bool {
        matches!(self.state, State::Active | State::LogoutSent)
    }

    /// MsgSeqNum of the next message we send.
    pub fn next_sender_seq(&self) -> u64 {
        self.next_sender
    }

    /// MsgSeqNum expected on the next message received.
    pub fn next_target_seq(&self) -> u64 {
        self.next_target
    }

    /// The heartbeat interval in force.
    pub fn heartbeat_interval(&self) -> Duration {
        self.hb
    }

    /// The next output for the driver, in order.
    pub fn poll_transmit(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// Whether each application message received is also given as an [`Event::App`] (a
    /// copy of its bytes) by [`Session::poll_event`]; on by default. A driver whose user
    /// no longer listens to events turns it off: the [`Application`] callbacks see every
    /// message either way.
    pub fn set_app_events(&mut self, on: bool) {
        self.app_events = on;
    }

    /// The next event for the user.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] should be called next (`None`: no timer running).
    pub fn poll_timeout(&self) -> Option<SystemTime> {
        let mut t: Option<SystemTime> = None;
        let mut at = |x: SystemTime| t = Some(t.map_or(x, |y| y.min(x)));
        match self.state {
            State::Disconnected => {}
            State::AwaitingLogon => {
                if let Some(d) = self.logon_deadline {
                    at(d);
                }
                at(self.now + Duration::from_secs(1));
            }
            State::Active | State::LogoutSent => {
                if let Some(d) = self.logout_deadline {
                    at(d);
                }
                if !self.hb.is_zero() {
                    at(self.last_received + self.hb.mul_f64(2.4));
                    at(self.last_received
                        + self.hb.mul_f64(1.2 * f64::from(self.test_requests + 1)));
                    if self.test_requests == 0 {
                        at(self.last_sent + self.hb);
                    }
                }
                at(self.now + Duration::from_secs(1));
            }
        }
        t
    }

    /// Adopts the store's state after it was reloaded before a connection (RefreshOnLogon, or
    /// a store shared with a standby engine that may have run the session meanwhile). Ignored
    /// unless disconnected.
    pub fn restore(&mut self, next_sender: u64, next_target: u64, created: SystemTime) {
        if self.state != State::Disconnected {
            return;
        }
        self.next_sender = next_sender;
        self.next_target = next_target;
        self.created = created;
    }

    // ----- connection life -----

    /// A connection is up: an initiator sends its Logon, an acceptor waits for one.
    pub fn on_connect(&mut self, now: SystemTime) {
        self.now = now;
        self.inbuf.clear();
        self.queue.clear();
        self.resend_range = None;
        self.awaiting_resend = None;
        self.test_requests = 0;
        self.last_received = now;
        self.logout_deadline = None;
        if !self.cfg.schedule.is_session_time(now) {
            self.disconnect("outside the session schedule", now);
            return;
        }
        self.check_period(now);
        self.state = State::AwaitingLogon;
        self.logon_deadline = Some(now + self.cfg.logon_timeout);
        if self.initiator {
            self.hb = self.cfg.heartbeat_interval;
            let reset = self.cfg.reset_on_logon;
            if reset {
                self.reset(now);
            }
            self.sent_reset = reset;
            self.send_logon(reset, now);
        }
    }

    /// Resets the sequence numbers if `now` is in another session period than the store's
    /// creation time.
    fn check_period(&mut self, now: SystemTime) {
        if !self.cfg.schedule.same_period(self.created, now) {
            tracing::info!(session = %self.cfg.id, "new session period: resetting sequence numbers");
            self.reset(now);
        }
    }

    /// The connection was lost or closed.
    pub fn on_disconnect(&mut self, now: SystemTime) {
        self.now = now;
        if self.state != State::Disconnected {
            self.disconnect("connection closed", now);
        }
    }

    /// The driver closes the connection for a reason of its own (a store failure, say):
    /// like [`Session::on_disconnect`], with `reason` in the [`Event::Disconnected`] event.
    pub fn abort(&mut self, reason: &str, now: SystemTime) {
        self.now = now;
        if self.state != State::Disconnected {
            self.disconnect(reason, now);
        }
    }

    fn reset(&mut self, now: SystemTime) {
        self.next_sender = 1;
        self.next_target = 1;
        self.created = now;
        self.queue.clear();
        self.resend_range = None;
        self.out.push_back(Output::ResetStore { now });
    }

    fn disconnect(&mut self, reason: &str, now: SystemTime) {
        let was_on = self.is_logged_on();
        tracing::info!(session = %self.cfg.id, reason, "disconnecting");
        self.state = State::Disconnected;
        self.logon_deadline = None;
        self.logout_deadline = None;
        self.awaiting_resend = None;
        self.inbuf.clear();
        self.out.push_back(Output::Disconnect);
        if was_on {
            self.app.on_logout(&self.cfg.id);
            self.events.push_back(Event::LoggedOut);
        }
        self.events.push_back(Event::Disconnected {
            reason: reason.to_string(),
        });
        if self.cfg.reset_on_disconnect {
            self.reset(now);
        }
    }

    /// Starts the logout handshake: sends Logout and waits LogoutTimeout for the answer.
    pub fn logout(&mut self, text: Option<&str>, now: SystemTime) {
        self.now = now;
        match self.state {
            State::Active => self.send_logout(text, now),
            State::AwaitingLogon => self.disconnect("logout before logon", now),
            _ => {}
        }
    }

    // ----- input -----

    /// Bytes received from the connection.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: SystemTime) {
        self.now = now;
        if self.state == State::Disconnected {
            return;
        }
        self.inbuf.extend_from_slice(bytes);
        self.process_input(now);
    }

    fn can_read(&self) -> bool {
        self.state != State::Disconnected && self.awaiting_resend.is_none()
    }

    fn process_input(&mut self, now: SystemTime) {
        let mut buf = std::mem::take(&mut self.inbuf);
        let mut pos = 0;
        while pos < buf.len() && self.can_read() {
            match find_frame(&buf[pos..], self.opts.max_message_len) {
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(session = %self.cfg.id, error = %e, "garbled message ignored");
                    pos += e.skip().max(1);
                    if self.state == State::AwaitingLogon && !self.initiator {
                        self.disconnect("garbled first message", now);
                    }
                }
                Ok(Some(f)) => {
                    let end = pos + f.len;
                    self.on_message(&buf[pos..end], false, now);
                    pos = end;
                }
            }
        }
        if self.state == State::Disconnected {
            return;
        }
        buf.drain(..pos.min(buf.len()));
        self.inbuf = buf;
    }

    /// Timers: logon and logout timeouts, heartbeats, test requests, schedule.
    pub fn handle_timeout(&mut self, now: SystemTime) {
        self.now = now;
        match self.state {
            State::Disconnected => {}
            State::AwaitingLogon => {
                if self.logon_deadline.is_some_and(|d| now >= d) {
                    self.disconnect("timed out waiting for logon", now);
                } else if !self.cfg.schedule.is_session_time(now) {
                    self.disconnect("outside the session schedule", now);
                }
            }
            State::Active | State::LogoutSent => {
                if !self.cfg.schedule.same_period(self.created, now) {
                    if self.state == State::Active {
                        self.send_logout(Some("End of session"), now);
                    }
                    self.disconnect("end of session period", now);
                    if !self.cfg.schedule.same_period(self.created, now) {
                        self.reset(now);
                    }
                    return;
                }
                if self.logout_deadline.is_some_and(|d| now >= d) {
                    self.disconnect("timed out waiting for logout", now);
                    return;
                }
                if self.hb.is_zero() {
                    return;
                }
                let since_rx = now.duration_since(self.last_received).unwrap_or_default();
                let since_tx = now.duration_since(self.last_sent).unwrap_or_default();
                if since_rx >= self.hb.mul_f64(2.4) {
                    self.disconnect("timed out waiting for heartbeat", now);
                } else if since_rx >= self.hb.mul_f64(1.2 * f64::from(self.test_requests + 1)) {
                    let body = RawBody {
                        msg_type: "1".into(),
                        fields: vec![(112, b"TEST".to_vec())],
                        admin: true,
                    };
                    self.send_admin(body, &[], now);
                    self.test_requests += 1;
                } else if since_tx >= self.hb && self.test_requests == 0 {
                    self.send_admin(
                        RawBody {
                            msg_type: "0".into(),
                            fields: vec![],
                            admin: true,
                        },
                        &[],
                        now,
                    );
                }
            }
        }
    }

    /// Stored messages for the ResendRequest announced by [`Output::FetchResend`]; the session
    /// resends application messages, replaces the rest with gap fills and resumes reading.
    pub fn provide_resend(&mut self, messages: Vec<(u64, Vec<u8>)>, now: SystemTime) {
        self.now = now;
        let Some((begin, end)) = self.awaiting_resend.take() else {
            return;
        };
        let mut gap: Option<u64> = None;
        let mut expect = begin;
        for (seq, bytes) in messages {
            if seq < begin || seq > end {
                continue;
            }
            if seq > expect {
                gap.get_or_insert(expect);
            }
            expect = seq + 1;
            let msg_type = field_of(&bytes, 35)
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default();
            // Admin messages are never resent; an application message is offered to
            // `to_app_resend` (QuickFIX's toApp on resend) and a veto gap-fills it too.
            if is_admin_msg_type(&msg_type)
                || self
                    .app
                    .to_app_resend(&stored_body(&bytes, &msg_type), &self.cfg.id)
                    .is_err()
            {
                gap.get_or_insert(seq);
                continue;
            }
            if let Some(g) = gap.take() {
                self.send_gap_fill(g, seq, now);
            }
            self.resend_stored(&bytes, seq, now);
        }
        if expect <= end {
            gap.get_or_insert(expect);
        }
        if let Some(g) = gap {
            self.send_gap_fill(g, end + 1, now);
        }
        self.drain_queue(now);
        self.process_input(now);
    }

    // ----- output -----

    /// Sends an application message (or an admin message the user builds); returns its
    /// MsgSeqNum.
    pub fn send(&mut self, msg: &dyn OutgoingMessage, now: SystemTime) -> Result<u64, SendError> {
        self.now = now;
        if self.state != State::Active {
            return Err(SendError::NotLoggedOn);
        }
        if !msg.is_admin() && self.app.to_app(msg, &self.cfg.id).is_err() {
            return Err(SendError::Vetoed);
        }
        self.send_message(msg, &[], now)
    }

    fn send_message(
        &mut self,
        msg: &dyn OutgoingMessage,
        routing: &[(Tag, Vec<u8>)],
        now: SystemTime,
    ) -> Result<u64, SendError> {
        let seq = self.next_sender;
        let mut buf = Vec::with_capacity(256);
        let mut w = Writer::new(&mut buf, &self.cfg.id.begin_string);
        w.put_str(b"35=", msg.msg_type());
        let sub_location = self.cfg.id.header_fields();
        if routing.is_empty() && sub_location.is_empty() {
            // The usual case: the four header fields, already in tag order, written in
            // place (no allocation but the message's own buffer).
            w.put_u64(b"34=", seq);
            w.put_str(b"49=", &self.cfg.id.sender_comp_id);
            match UtcTimestamp::from_system_time(now, self.precision) {
                Some(ts) => w.put(b"52=", &ts),
                None => w.put_bytes(b"52=", b""),
            }
            w.put_str(b"56=", &self.cfg.id.target_comp_id);
        } else {
            let mut header: Vec<(Tag, Vec<u8>)> = routing.to_vec();
            header.extend(sub_location);
            header.push((34, seq.to_string().into_bytes()));
            header.push((49, self.cfg.id.sender_comp_id.clone().into_bytes()));
            header.push((52, self.timestamp(now)));
            header.push((56, self.cfg.id.target_comp_id.clone().into_bytes()));
            header.sort_by_key(|(t, _)| *t);
            for (t, v) in &header {
                w.put_tag_bytes(*t, v);
            }
        }
        msg.encode_body(&mut w);
        w.finish_checked()?;
        self.next_sender = seq + 1;
        self.last_sent = now;
        self.out.push_back(Output::Send(Transmit {
            seq,
            bytes: buf,
            store: true,
        }));
        Ok(seq)
    }

    fn timestamp(&self, now: SystemTime) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        if let Some(ts) = UtcTimestamp::from_system_time(now, self.precision) {
            ts.write(&mut out);
        }
        out
    }

    fn send_admin(&mut self, mut body: RawBody, routing: &[(Tag, Vec<u8>)], now: SystemTime) {
        body.admin = true;
        self.app.to_admin(&mut body, &self.cfg.id);
        if let Err(e) = self.send_message(&body, routing, now) {
            tracing::error!(session = %self.cfg.id, error = %e, "admin message not sent");
        }
    }

    fn send_logon(&mut self, reset: bool, now: SystemTime) {
        let mut body = RawBody {
            msg_type: "A".into(),
            fields: Vec::new(),
            admin: true,
        };
        body.push(98, b"0");
        body.push(108, self.hb.as_secs().to_string());
        if reset {
            body.push(141, b"Y");
        }
        if let Some(v) = &self.cfg.default_appl_ver_id {
            if self.cfg.id.begin_string == "FIXT.1.1" {
                body.push(1137, appl_ver_id_code(v));
            }
        }
        self.send_admin(body, &[], now);
    }

    fn send_logout(&mut self, text: Option<&str>, now: SystemTime) {
        let mut body = RawBody {
            msg_type: "5".into(),
            fields: Vec::new(),
            admin: true,
        };
        if let Some(t) = text {
            body.push(58, t);
        }
        self.send_admin(body, &[], now);
        // Refusing a Logon (or its MsgSeqNum) is not a logout of a logged-on session: the
        // caller disconnects, and onLogout must not be called for a session never logged on.
        if self.state == State::Active {
            self.state = State::LogoutSent;
            self.logout_deadline = Some(now + self.cfg.logout_timeout);
        }
    }

    fn send_gap_fill(&mut self, begin: u64, new_seq: u64, now: SystemTime) {
        let ts = self.timestamp(now);
        let mut header: Vec<(Tag, Vec<u8>)> = vec![
            (34, begin.to_string().into_bytes()),
            (43, b"Y".to_vec()),
            (49, self.cfg.id.sender_comp_id.clone().into_bytes()),
            (52, ts.clone()),
            (56, self.cfg.id.target_comp_id.clone().into_bytes()),
            (122, ts),
        ];
        header.extend(self.cfg.id.header_fields());
        header.sort_by_key(|(t, _)| *t);
        let mut body = RawBody {
            msg_type: "4".into(),
            fields: Vec::new(),
            admin: true,
        };
        body.push(36, new_seq.to_string());
        body.push(123, b"Y");
        self.app.to_admin(&mut body, &self.cfg.id);
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, &self.cfg.id.begin_string);
        w.put_str(b"35=", "4");
        for (t, v) in &header {
            w.put_tag_bytes(*t, v);
        }
        body.encode_body(&mut w);
        w.finish();
        self.last_sent = now;
        self.out.push_back(Output::Send(Transmit {
            seq: begin,
            bytes: buf,
            store: false,
        }));
    }

    /// Resends a stored message with PossDupFlag=Y, OrigSendingTime = its SendingTime and a
    /// new SendingTime.
    fn resend_stored(&mut self, stored: &[u8], seq: u64, now: SystemTime) {
        let fields = split_fields(stored);
        let mut header: Vec<(Tag, Vec<u8>)> = Vec::new();
        let mut body: Vec<(Tag, &[u8])> = Vec::new();
        let mut orig: Option<Vec<u8>> = None;
        let mut in_header = true;
        for (tag, v) in fields.iter().skip(3) {
            let tag = *tag;
            if tag == 10 {
                break;
            }
            let is_header = crate::app::HEADER_TAGS.contains(&tag);
            if in_header && is_header {
                match tag {
                    52 => orig = Some(v.to_vec()),
                    43 | 122 | 97 => {}
                    _ => header.push((tag, v.to_vec())),
                }
            } else {
                in_header = false;
                body.push((tag, v));
            }
        }
        let msg_type = fields.get(2).map(|(_, v)| *v).unwrap_or_default();
        header.push((43, b"Y".to_vec()));
        header.push((52, self.timestamp(now)));
        if let Some(o) = orig {
            header.push((122, o));
        }
        header.sort_by_key(|(t, _)| *t);
        let mut buf = Vec::with_capacity(stored.len() + 40);
        let mut w = Writer::new(&mut buf, &self.cfg.id.begin_string);
        w.put_bytes(b"35=", msg_type);
        for (t, v) in &header {
            w.put_tag_bytes(*t, v);
        }
        for (t, v) in &body {
            w.put_data(format!("{t}=").as_bytes(), v);
        }
        w.finish();
        self.last_sent = now;
        self.out.push_back(Output::Send(Transmit {
            seq,
            bytes: buf,
            store: false,
        }));
    }

    fn request_resend(&mut self, received: u64, now: SystemTime) {
        let begin = self.next_target;
        let last = received.saturating_sub(1);
        let old = matches!(self.cfg.id.begin_string.as_str(), "FIX.4.0" | "FIX.4.1");
        let chunk = self.cfg.resend_request_chunk_size;
        let (end_field, chunk_end) = if chunk > 0 && last >= begin && last - begin + 1 > chunk {
            (begin + chunk - 1, begin + chunk - 1)
        } else if old {
            (999_999, 0)
        } else {
            (0, 0)
        };
        self.resend_range = Some(ResendRange {
            begin,
            end: last,
            chunk_end,
        });
        self.send_resend_request(begin, end_field, now);
    }

    fn send_resend_request(&mut self, begin: u64, end: u64, now: SystemTime) {
        tracing::info!(session = %self.cfg.id, begin, end, "sending ResendRequest");
        let body = RawBody {
            msg_type: "2".into(),
            fields: vec![
                (7, begin.to_string().into_bytes()),
                (16, end.to_string().into_bytes()),
            ],
            admin: true,
        };
        self.send_admin(body, &[], now);
    }

    // ----- processing received messages -----

    fn on_message(&mut self, bytes: &[u8], queued: bool, now: SystemTime) {
        let dict = self.dict.clone();
        let opts = self.opts.clone();
        let mut decoder = std::mem::take(&mut self.decoder);
        match decoder.decode(bytes, &dict, &opts) {
            Ok(view) => {
                tracing::debug!(session = %self.cfg.id, msg = %String::from_utf8_lossy(bytes).replace('\x01', "|"), "received");
                self.handle(&view, queued, now);
            }
            Err(e) => tracing::warn!(session = %self.cfg.id, error = %e, "garbled message ignored"),
        }
        self.decoder = decoder;
        if !queued {
            self.drain_queue(now);
        }
    }

    fn drain_queue(&mut self, now: SystemTime) {
        if self.draining {
            return;
        }
        self.draining = true;
        while self.is_logged_on() && self.awaiting_resend.is_none() {
            let expected = self.next_target;
            // Drop what is already behind.
            while let Some((&k, _)) = self.queue.first_key_value() {
                if k < expected {
                    self.queue.remove(&k);
                } else {
                    break;
                }
            }
            let Some(bytes) = self.queue.remove(&expected) else {
                break;
            };
            let mt = field_of(&bytes, 35).unwrap_or_default();
            if mt == b"A" || mt == b"2" {
                self.next_target += 1;
            } else {
                self.on_message(&bytes, true, now);
            }
            if self.next_target == expected {
                // Nothing moved (e.g. the message was rejected as too high again): stop.
                break;
            }
        }
        self.draining = false;
    }

    fn handle(&mut self, view: &MessageView<'_>, queued: bool, now: SystemTime) {
        let msg_type = view.msg_type();
        self.last_received = now;
        self.test_requests = 0;
        if view.begin_string() != self.cfg.id.begin_string.as_bytes() {
            if self.is_logged_on() {
                self.send_logout(Some("Incorrect BeginString"), now);
            }
            self.disconnect("incorrect BeginString", now);
            return;
        }
        if self.state == State::AwaitingLogon && msg_type != b"A" {
            if msg_type == b"5" && self.initiator {
                // The acceptor refused our Logon (QuickFIX answers so): the application sees
                // the Logout, whose Text says why, and so does the disconnect reason.
                let _ = self.app.from_admin(view, &self.cfg.id);
                if parse_u64(view.field(34)) == Some(self.next_target) {
                    self.next_target += 1;
                }
                let text = String::from_utf8_lossy(view.field(58).unwrap_or_default());
                self.disconnect(&format!("Logon refused by the counterparty: {text}"), now);
                return;
            }
            self.disconnect("first message is not a Logon", now);
            return;
        }
        if self.has_dict {
            if let Some(p) = view.problem() {
                if msg_type == b"A" {
                    self.disconnect(&format!("invalid Logon: {p}"), now);
                    return;
                }
                let tag = if p.reason == SessionRejectReason::InvalidMsgType {
                    None
                } else {
                    p.tag
                };
                self.reject(view, p.reason, tag, now);
                return;
            }
        }
        let Some(_seq) = parse_u64(view.field(34)) else {
            if msg_type == b"A" {
                self.disconnect("Logon without MsgSeqNum", now);
            } else {
                self.reject(view, SessionRejectReason::RequiredTagMissing, Some(34), now);
            }
            return;
        };
        match msg_type {
            b"A" => self.on_logon(view, now),
            b"0" => {
                if self.verify(view, true, true, queued, now) && self.notify_admin(view) {
                    self.next_target += 1;
                }
            }
            b"1" => {
                if self.verify(view, true, true, queued, now) && self.notify_admin(view) {
                    let mut body = RawBody {
                        msg_type: "0".into(),
                        fields: Vec::new(),
                        admin: true,
                    };
                    if let Some(id) = view.field(112) {
                        body.push(112, id);
                    }
                    self.send_admin(body, &[], now);
                    self.next_target += 1;
                }
            }
            b"2" => self.on_resend_request(view, now),
            b"3" => {
                if self.verify(view, false, true, queued, now) && self.notify_admin(view) {
                    self.events.push_back(Event::RejectReceived {
                        bytes: view.bytes().to_vec(),
                    });
                    self.next_target += 1;
                }
            }
            b"4" => self.on_sequence_reset(view, queued, now),
            b"5" => self.on_logout(view, queued, now),
            _ => self.on_app(view, queued, now),
        }
    }

    fn notify_admin(&mut self, view: &MessageView<'_>) -> bool {
        // Refusals only matter for Logon; other admin messages are always accepted.
        let _ = self.app.from_admin(view, &self.cfg.id);
        true
    }

    fn good_time(&self, view: &MessageView<'_>, now: SystemTime) -> bool {
        if !self.cfg.check_latency {
            return true;
        }
        match timestamp_nanos(view.field(52)) {
            Some(t) => (unix_nanos(now) - t).unsigned_abs() <= self.cfg.max_latency.as_nanos(),
            None => false,
        }
    }

    fn good_comp_id(&self, view: &MessageView<'_>) -> bool {
        !self.cfg.check_comp_id
            || (view.field(49) == Some(self.cfg.id.target_comp_id.as_bytes())
                && view.field(56) == Some(self.cfg.id.sender_comp_id.as_bytes()))
    }

    /// QuickFIX's `verify`: SendingTime, CompIDs, then sequence number too high / too low.
    fn verify(
        &mut self,
        view: &MessageView<'_>,
        check_high: bool,
        check_low: bool,
        _queued: bool,
        now: SystemTime,
    ) -> bool {
        if !self.good_time(view, now) {
            self.reject(
                view,
                SessionRejectReason::SendingTimeAccuracyProblem,
                None,
                now,
            );
            self.send_logout(None, now);
            return false;
        }
        if !self.good_comp_id(view) {
            self.reject(view, SessionRejectReason::CompIdProblem, None, now);
            self.send_logout(None, now);
            return false;
        }
        let seq = parse_u64(view.field(34)).unwrap_or(0);
        if check_high && seq > self.next_target {
            self.too_high(view, seq, now);
            return false;
        }
        if check_low && seq < self.next_target {
            self.too_low(view, seq, now);
            return false;
        }
        if check_high || check_low {
            if let Some(r) = self.resend_range {
                if seq >= r.end {
                    tracing::info!(session = %self.cfg.id, begin = r.begin, end = r.end, "ResendRequest satisfied");
                    self.resend_range = None;
                } else if r.chunk_end != 0 && seq >= r.chunk_end {
                    let begin = r.chunk_end + 1;
                    let chunk_end = (r.chunk_end + self.cfg.resend_request_chunk_size).min(r.end);
                    self.resend_range = Some(ResendRange { chunk_end, ..r });
                    self.send_resend_request(begin, chunk_end, now);
                }
            }
        }
        true
    }

    fn too_high(&mut self, view: &MessageView<'_>, seq: u64, now: SystemTime) {
        tracing::info!(session = %self.cfg.id, expected = self.next_target, seq, "MsgSeqNum too high");
        self.queue.insert(seq, view.bytes().to_vec());
        if let Some(r) = self.resend_range {
            if !self.cfg.send_redundant_resend_requests && seq >= r.begin {
                return;
            }
        }
        self.request_resend(seq, now);
    }

    fn too_low(&mut self, view: &MessageView<'_>, seq: u64, now: SystemTime) {
        if view.field(43) == Some(b"Y") {
            let Some(orig) = view.field(122) else {
                self.reject(
                    view,
                    SessionRejectReason::RequiredTagMissing,
                    Some(122),
                    now,
                );
                return;
            };
            let sending = timestamp_nanos(view.field(52));
            match (timestamp_nanos(Some(orig)), sending) {
                (Some(o), Some(s)) if o <= s => {} // a duplicate: ignore it
                _ => {
                    self.reject(
                        view,
                        SessionRejectReason::SendingTimeAccuracyProblem,
                        None,
                        now,
                    );
                    self.send_logout(None, now);
                }
            }
            return;
        }
        let text = format!(
            "MsgSeqNum too low, expecting {} but received {}",
            self.next_target, seq
        );
        self.send_logout(Some(&text), now);
        self.disconnect(&text, now);
    }

    /// Sends a Reject (35=3) for `view`.
    fn reject(
        &mut self,
        view: &MessageView<'_>,
        reason: SessionRejectReason,
        tag: Option<i64>,
        now: SystemTime,
    ) {
        let seq = parse_u64(view.field(34));
        let msg_type = view.msg_type();
        let bs = self.cfg.id.begin_string.as_str();
        let mut body = RawBody {
            msg_type: "3".into(),
            fields: Vec::new(),
            admin: true,
        };
        if let Some(s) = view.field(34).filter(|v| !v.is_empty()) {
            body.push(45, s);
        }
        let text = reason.text();
        let fix42_plus = bs >= "FIX.4.2";
        match tag {
            Some(t) if fix42_plus => {
                body.push(58, text);
                body.push(371, t.to_string());
            }
            Some(t) => {
                body.push(58, format!("{text} ({t})"));
            }
            None => {
                body.push(58, text);
            }
        }
        if fix42_plus {
            if !msg_type.is_empty() {
                body.push(372, msg_type);
            }
            if bs > "FIX.4.2" || reason.code() <= 11 {
                body.push(373, reason.code().to_string());
            }
        }
        tracing::warn!(session = %self.cfg.id, ?seq, %reason, ?tag, "rejecting message");
        if msg_type != b"A" && msg_type != b"4" && seq == Some(self.next_target) {
            self.next_target += 1;
        }
        self.events.push_back(Event::Rejected {
            seq: seq.unwrap_or(0),
            text: String::from_utf8_lossy(body.get(58).unwrap_or_default()).into_owned(),
        });
        let routing = reverse_routing(view);
        self.send_admin(body, &routing, now);
    }

    fn business_reject(
        &mut self,
        view: &MessageView<'_>,
        reason: u32,
        text: &str,
        now: SystemTime,
    ) {
        let seq = parse_u64(view.field(34));
        let mut body = RawBody::new("j");
        if let Some(s) = view.field(34) {
            body.push(45, s);
        }
        body.push(58, text);
        body.push(372, view.msg_type());
        body.push(380, reason.to_string());
        if seq == Some(self.next_target) {
            self.next_target += 1;
        }
        self.events.push_back(Event::Rejected {
            seq: seq.unwrap_or(0),
            text: text.to_string(),
        });
        let routing = reverse_routing(view);
        if let Err(e) = self.send_message(&body, &routing, now) {
            tracing::error!(session = %self.cfg.id, error = %e, "business reject not sent");
        }
    }

    fn on_logon(&mut self, view: &MessageView<'_>, now: SystemTime) {
        let reset_flag = view.field(141) == Some(b"Y");
        if self.is_logged_on() && !reset_flag {
            // A Logon while logged on: only accepted as a sequence reset request.
            if self.verify(view, true, true, false, now) {
                self.next_target += 1;
            }
            return;
        }
        if self.cfg.id.begin_string == "FIXT.1.1" && !self.initiator && view.field(1137).is_none() {
            self.disconnect("Logon without DefaultApplVerID", now);
            return;
        }
        if !self.good_time(view, now) {
            self.disconnect("Logon SendingTime accuracy problem", now);
            return;
        }
        if !self.good_comp_id(view) {
            self.disconnect("Logon CompID problem", now);
            return;
        }
        if !self.cfg.schedule.is_session_time(now) {
            self.disconnect("Logon outside the session schedule", now);
            return;
        }
        if !self.initiator {
            if let Some(hb) = parse_u64(view.field(108)) {
                self.hb = Duration::from_secs(hb);
            }
        }
        if reset_flag && !self.sent_reset {
            // The counterparty resets: both sides start from 1.
            self.reset(now);
        } else if !self.initiator && self.cfg.reset_on_logon && !self.is_logged_on() {
            self.reset(now);
        }
        if let Err(refusal) = self.app.from_admin(view, &self.cfg.id) {
            self.send_logout(Some(&refusal.0), now);
            self.disconnect(&format!("Logon refused: {}", refusal.0), now);
            return;
        }
        let seq = parse_u64(view.field(34)).unwrap_or(0);
        if seq < self.next_target {
            self.too_low(view, seq, now);
            if self.state != State::Disconnected {
                self.disconnect("Logon MsgSeqNum too low", now);
            }
            return;
        }
        if !self.initiator || (reset_flag && !self.sent_reset) {
            self.send_logon(reset_flag, now);
        }
        self.sent_reset = false;
        self.state = State::Active;
        self.logon_deadline = None;
        self.app.on_logon(&self.cfg.id);
        self.events.push_back(Event::LoggedOn);
        if seq > self.next_target && !reset_flag {
            self.too_high(view, seq, now);
        } else {
            self.next_target = seq + 1;
        }
    }

    fn on_resend_request(&mut self, view: &MessageView<'_>, now: SystemTime) {
        if !self.verify(view, false, false, false, now) {
            return;
        }
        let _ = self.app.from_admin(view, &self.cfg.id);
        let begin = parse_u64(view.field(7)).unwrap_or(1).max(1);
        let asked_end = parse_u64(view.field(16)).unwrap_or(0);
        let last_sent = self.next_sender.saturating_sub(1);
        let end = if asked_end == 0 || asked_end == 999_999 || asked_end > last_sent {
            last_sent
        } else {
            asked_end
        };
        tracing::info!(session = %self.cfg.id, begin, end, "received ResendRequest");
        let seq = parse_u64(view.field(34)).unwrap_or(0);
        if seq == self.next_target {
            self.next_target += 1;
        } else if seq > self.next_target {
            // Answered now, but counted only once the gap before it is filled: queued (the
            // drain skips it), and the gap asked for if no ResendRequest is out already.
            self.too_high(view, seq, now);
        }
        if begin > end {
            return;
        }
        if self.cfg.persist_messages {
            self.awaiting_resend = Some((begin, end));
            self.out.push_back(Output::FetchResend { begin, end });
        } else {
            self.send_gap_fill(begin, end + 1, now);
        }
    }

    fn on_sequence_reset(&mut self, view: &MessageView<'_>, queued: bool, now: SystemTime) {
        let gap_fill = view.field(123) == Some(b"Y");
        if !self.verify(view, gap_fill, gap_fill, queued, now) {
            return;
        }
        let _ = self.app.from_admin(view, &self.cfg.id);
        let Some(new_seq) = parse_u64(view.field(36)) else {
            self.reject(view, SessionRejectReason::RequiredTagMissing, Some(36), now);
            return;
        };
        tracing::info!(session = %self.cfg.id, from = self.next_target, to = new_seq, gap_fill, "received SequenceReset");
        if new_seq > self.next_target {
            self.next_target = new_seq;
        } else if new_seq < self.next_target {
            self.reject(view, SessionRejectReason::ValueIsIncorrect, None, now);
        }
    }

    fn on_logout(&mut self, view: &MessageView<'_>, queued: bool, now: SystemTime) {
        if !self.verify(view, false, false, queued, now) {
            return;
        }
        let _ = self.app.from_admin(view, &self.cfg.id);
        if self.state == State::LogoutSent {
            tracing::info!(session = %self.cfg.id, "received Logout response");
        } else {
            self.send_logout(None, now);
        }
        self.next_target += 1;
        if self.cfg.reset_on_logout {
            self.reset(now);
        }
        self.disconnect("logout", now);
    }

    fn on_app(&mut self, view: &MessageView<'_>, queued: bool, now: SystemTime) {
        if !self.verify(view, true, true, queued, now) {
            return;
        }
        let mut responder = Responder::default();
        match self.app.from_app(view, &self.cfg.id, &mut responder) {
            Ok(()) => {
                self.next_target += 1;
                if self.app_events {
                    let seq = parse_u64(view.field(34)).unwrap_or(0);
                    self.events.push_back(Event::App {
                        msg_type: String::from_utf8_lossy(view.msg_type()).into_owned(),
                        seq,
                        bytes: view.bytes().to_vec(),
                    });
                }
            }
            Err(AppReject::UnsupportedMessageType) => {
                if self.cfg.id.begin_string.as_str() >= "FIX.4.2" {
                    self.business_reject(view, 3, "Unsupported Message Type", now);
                } else {
                    self.reject_text(view, "Unsupported Message Type", now);
                }
            }
            Err(AppReject::Reject { reason, tag }) => {
                self.reject(view, reason, tag.map(i64::from), now)
            }
            Err(AppReject::Business { reason, text }) => {
                if self.cfg.id.begin_string.as_str() >= "FIX.4.2" {
                    self.business_reject(view, reason, &text, now);
                } else {
                    self.reject_text(view, &text, now);
                }
            }
        }
        if responder.out.is_empty() {
            return;
        }
        let routing = reverse_routing(view);
        for (msg, reverse) in responder.out {
            if !msg.is_admin() && self.app.to_app(msg.as_ref(), &self.cfg.id).is_err() {
                continue;
            }
            let r: &[(Tag, Vec<u8>)] = if reverse { &routing } else { &[] };
            if let Err(e) = self.send_message(msg.as_ref(), r, now) {
                tracing::error!(session = %self.cfg.id, error = %e, "reply not sent");
            }
        }
    }

    /// A Reject with only RefSeqNum and Text (FIX.4.0/4.1 application-level refusals).
    fn reject_text(&mut self, view: &MessageView<'_>, text: &str, now: SystemTime) {
        let seq = parse_u64(view.field(34));
        let mut body = RawBody {
            msg_type: "3".into(),
            fields: Vec::new(),
            admin: true,
        };
        if let Some(s) = view.field(34) {
            body.push(45, s);
        }
        body.push(58, text);
        if seq == Some(self.next_target) {
            self.next_target += 1;
        }
        self.events.push_back(Event::Rejected {
            seq: seq.unwrap_or(0),
            text: text.to_string(),
        });
        let routing = reverse_routing(view);
        self.send_admin(body, &routing, now);
    }
}

/// Routing fields of `view` reversed: OnBehalfOf* (115/116/144) become DeliverTo*
/// (128/129/145) and the other way round; empty values are left out.
pub fn reverse_routing(view: &MessageView<'_>) -> Vec<(Tag, Vec<u8>)> {
    let mut out = Vec::new();
    for (from, to) in ROUTING_REVERSE {
        if let Some(v) = view.field(from).filter(|v| !v.is_empty()) {
            out.push((to, v.to_vec()));
        }
    }
    out
}

/// The body of a stored message (its fields after the standard header, before CheckSum) as
/// the application saw it when it was first sent.
fn stored_body(stored: &[u8], msg_type: &str) -> RawBody {
    let mut body = RawBody::new(msg_type);
    let mut in_header = true;
    for (tag, v) in split_fields(stored).into_iter().skip(3) {
        if tag == 10 {
            break;
        }
        if in_header && crate::app::HEADER_TAGS.contains(&tag) {
            continue;
        }
        in_header = false;
        body.push(tag, v);
    }
    body
}

/// Splits a message into `(tag, value)` by SOH (for messages we wrote ourselves).
fn split_fields(bytes: &[u8]) -> Vec<(Tag, &[u8])> {
    let mut out = Vec::new();
    for f in bytes.split(|&b| b == 0x01) {
        if f.is_empty() {
            continue;
        }
        let Some(eq) = f.iter().position(|&b| b == b'=') else {
            continue;
        };
        let tag = std::str::from_utf8(&f[..eq])
            .ok()
            .and_then(|s| s.parse::<Tag>().ok())
            .unwrap_or(0);
        out.push((tag, &f[eq + 1..]));
    }
    out
}

/// The first value of `tag` in a raw message.
fn field_of(bytes: &[u8], tag: Tag) -> Option<&[u8]> {
    split_fields(bytes)
        .into_iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests;
