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
//! - [`Session::poll_timeout`] says when to call [`Session::handle_timeout`] next: the
//!   earliest deadline of its timers (a closed `Timer` enum with a table of deadlines).
//!
//! After draining, the driver persists [`Session::next_target_seq`] if it changed.
//!
//! The rules follow the FIX session protocol as QuickFIX reads it (see the acceptance
//! suite's README). The code is split by topic: `connection` (connect, disconnect, reset),
//! `input` (framing and dispatch), `admin` (received session messages), `checks`
//! (QuickFIX's `verify`), `reject`, `outgoing` (header building and the messages the
//! session sends), `recovery` (resend requests, gap fills, resending) and `timers`.

mod admin;
mod application;
mod checks;
mod connection;
mod fields;
mod input;
mod msg_type;
mod outgoing;
mod recovery;
mod reject;
mod schedule;
mod timers;
mod types;
mod version;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use fix_core::dict::Layout;
use fix_core::value::Precision;
use fix_core::{Decoder, Dictionary, ValidationOptions};

use crate::app::{Application, Responder};
use crate::metrics::SessionMetrics;
use crate::settings::{SessionId, SessionSettings};

use self::recovery::ResendRange;
use self::timers::TimerTable;
pub use self::types::{Event, Output, SendError, State, Transmit};
use self::version::Version;

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

/// One FIX session's protocol state machine. See the [module docs](self).
pub struct Session {
    cfg: SessionSettings,
    version: Version,
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
    timers: TimerTable,
    sent_reset: bool,
    /// MsgSeqNum of the last Logon we sent.
    logon_sent_seq: u64,
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
    /// The application's replies to the message being delivered; kept between messages
    /// for its buffers.
    responder: Responder,
    /// Counts the messages received (the driver counts the rest).
    metrics: Arc<SessionMetrics>,
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
            version: Version::from_begin_string(&settings.id.begin_string),
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
            timers: TimerTable::default(),
            sent_reset: false,
            logon_sent_seq: 0,
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
            responder: Responder::default(),
            metrics: Arc::new(SessionMetrics::new()),
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

    /// The session's metrics: the core counts the messages it receives; the driver counts
    /// what it writes, the events and the store's latency.
    pub fn metrics(&self) -> &Arc<SessionMetrics> {
        &self.metrics
    }

    /// The heartbeat interval in force.
    pub fn heartbeat_interval(&self) -> Duration {
        self.hb
    }

    /// The next output for the driver, in order.
    #[must_use]
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
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
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
}

#[cfg(test)]
mod tests;
