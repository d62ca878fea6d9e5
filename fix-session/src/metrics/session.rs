//! One session's counters and gauges: relaxed atomics updated by the session's task where it
//! already sees each message and event, read by the exporter at scrape time.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fix_core::MessageView;

use super::histogram::{
    HistogramSnapshot, LatencyHistogram, ROUND_TRIP_BOUNDS, STORE_WRITE_BOUNDS,
};
use crate::core::{Event, State};

/// A message's class: session-level (admin) or application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgClass {
    /// Session-level messages (MsgType 0, 1, 2, 3, 4, 5, A).
    Admin,
    /// Everything else.
    App,
}

impl MsgClass {
    /// The class of a MsgType (35) value.
    pub fn of(msg_type: &[u8]) -> MsgClass {
        match msg_type {
            b"0" | b"1" | b"2" | b"3" | b"4" | b"5" | b"A" => MsgClass::Admin,
            _ => MsgClass::App,
        }
    }

    /// `admin` or `app`, as the metrics label it.
    pub fn label(self) -> &'static str {
        match self {
            MsgClass::Admin => "admin",
            MsgClass::App => "app",
        }
    }

    fn index(self) -> usize {
        match self {
            MsgClass::Admin => 0,
            MsgClass::App => 1,
        }
    }
}

/// SessionRejectReason (373) codes counted one by one (0 to 18); the others, 99 (Other)
/// included, are counted together, and so are Rejects without a reason.
const REASONS: usize = 19;
const OTHER_REASON: usize = REASONS;
const NO_REASON: usize = REASONS + 1;

/// The label of reason slot `i`: the code, `other` or `none`.
pub(crate) fn reason_label(i: usize) -> String {
    match i {
        OTHER_REASON => "other".to_string(),
        NO_REASON => "none".to_string(),
        _ => i.to_string(),
    }
}

fn reason_slot(reason: Option<&[u8]>) -> usize {
    let Some(r) = reason else { return NO_REASON };
    std::str::from_utf8(r)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n < REASONS)
        .unwrap_or(OTHER_REASON)
}

fn counters<const N: usize>() -> [AtomicU64; N] {
    std::array::from_fn(|_| AtomicU64::new(0))
}

/// A monotonic clock's reading in nanoseconds since the first reading of the process (never
/// 0, which means "none").
fn monotonic_nanos() -> u64 {
    static BASE: OnceLock<Instant> = OnceLock::new();
    let base = *BASE.get_or_init(Instant::now);
    u64::try_from(base.elapsed().as_nanos())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// The value of `tag` in a whole message's bytes (`None` when absent).
fn field<'a>(msg: &'a [u8], tag: &[u8]) -> Option<&'a [u8]> {
    msg.split(|&b| b == 1)
        .find_map(|f| f.strip_prefix(tag).and_then(|rest| rest.strip_prefix(b"=")))
}

/// MsgType (35) of a whole message: the third field, after BeginString and BodyLength.
fn msg_type(msg: &[u8]) -> &[u8] {
    msg.split(|&b| b == 1)
        .take(3)
        .find_map(|f| f.strip_prefix(b"35="))
        .unwrap_or_default()
}

/// One session's metrics. Updating them costs a few relaxed atomic adds per message; the
/// exporter and [`SessionMetrics::snapshot`] read them whenever asked.
#[derive(Debug)]
pub struct SessionMetrics {
    messages_in: [AtomicU64; 2],
    messages_out: [AtomicU64; 2],
    bytes_in: [AtomicU64; 2],
    bytes_out: [AtomicU64; 2],
    resend_requests_sent: AtomicU64,
    resend_requests_received: AtomicU64,
    messages_resent: AtomicU64,
    gap_fills_sent: AtomicU64,
    gap_fills_received: AtomicU64,
    rejects_sent: [AtomicU64; REASONS + 2],
    rejects_received: [AtomicU64; REASONS + 2],
    business_rejects_sent: AtomicU64,
    business_rejects_received: AtomicU64,
    logons: AtomicU64,
    logouts: AtomicU64,
    disconnects: AtomicU64,
    state: AtomicU8,
    next_sender_seq: AtomicU64,
    next_target_seq: AtomicU64,
    /// Milliseconds since the Unix epoch of the last message received; 0: none yet.
    last_received_ms: AtomicU64,
    /// [`monotonic_nanos`] when the last TestRequest was sent and is not answered yet; 0: none.
    test_request_sent: AtomicU64,
    store_write: LatencyHistogram,
    round_trip: LatencyHistogram,
}

impl Default for SessionMetrics {
    fn default() -> Self {
        SessionMetrics::new()
    }
}

/// What a session's metrics held when they were read (see [`SessionMetrics::snapshot`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// Messages received: `[admin, app]`.
    pub messages_in: [u64; 2],
    /// Messages sent (resent ones included): `[admin, app]`.
    pub messages_out: [u64; 2],
    /// Bytes of the messages received: `[admin, app]`.
    pub bytes_in: [u64; 2],
    /// Bytes of the messages sent: `[admin, app]`.
    pub bytes_out: [u64; 2],
    /// ResendRequests sent (gaps we asked to be filled).
    pub resend_requests_sent: u64,
    /// ResendRequests received (and served).
    pub resend_requests_received: u64,
    /// Messages sent again (PossDupFlag=Y) to serve ResendRequests.
    pub messages_resent: u64,
    /// SequenceReset-GapFills sent.
    pub gap_fills_sent: u64,
    /// SequenceReset-GapFills received.
    pub gap_fills_received: u64,
    /// Rejects (35=3) sent, by SessionRejectReason: `(reason, count)` with reason `0` to
    /// `18`, `other` or `none`, only those counted at least once.
    pub rejects_sent: Vec<(String, u64)>,
    /// Rejects (35=3) received, by SessionRejectReason as for `rejects_sent`.
    pub rejects_received: Vec<(String, u64)>,
    /// BusinessMessageRejects (35=j) sent.
    pub business_rejects_sent: u64,
    /// BusinessMessageRejects (35=j) received.
    pub business_rejects_received: u64,
    /// Logons completed.
    pub logons: u64,
    /// Logouts (after a logon).
    pub logouts: u64,
    /// Connections closed.
    pub disconnects: u64,
    /// The session's state.
    pub state: State,
    /// The next MsgSeqNum to send.
    pub next_sender_seq: u64,
    /// The next MsgSeqNum expected.
    pub next_target_seq: u64,
    /// When the last message was received, if any.
    pub last_received: Option<SystemTime>,
    /// Store write latency (one observation per store call of a batch).
    pub store_write: HistogramSnapshot,
    /// TestRequest to Heartbeat round trips.
    pub round_trip: HistogramSnapshot,
}

fn state_code(s: State) -> u8 {
    match s {
        State::Disconnected => 0,
        State::AwaitingLogon => 1,
        State::Active => 2,
        State::LogoutSent => 3,
    }
}

fn state_of(code: u8) -> State {
    match code {
        1 => State::AwaitingLogon,
        2 => State::Active,
        3 => State::LogoutSent,
        _ => State::Disconnected,
    }
}

/// Every state, with the name the metrics and health report give it.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
pub(crate) const STATES: [(State, &str); 4] = [
    (State::Disconnected, "disconnected"),
    (State::AwaitingLogon, "awaiting_logon"),
    (State::Active, "logged_on"),
    (State::LogoutSent, "logout_sent"),
];

/// The name of a state in the metrics and health report.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
pub(crate) fn state_name(s: State) -> &'static str {
    STATES
        .iter()
        .find(|(x, _)| *x == s)
        .map_or("disconnected", |(_, n)| n)
}

impl SessionMetrics {
    /// Metrics at zero, for a disconnected session.
    pub fn new() -> SessionMetrics {
        SessionMetrics {
            messages_in: counters(),
            messages_out: counters(),
            bytes_in: counters(),
            bytes_out: counters(),
            resend_requests_sent: AtomicU64::new(0),
            resend_requests_received: AtomicU64::new(0),
            messages_resent: AtomicU64::new(0),
            gap_fills_sent: AtomicU64::new(0),
            gap_fills_received: AtomicU64::new(0),
            rejects_sent: counters(),
            rejects_received: counters(),
            business_rejects_sent: AtomicU64::new(0),
            business_rejects_received: AtomicU64::new(0),
            logons: AtomicU64::new(0),
            logouts: AtomicU64::new(0),
            disconnects: AtomicU64::new(0),
            state: AtomicU8::new(0),
            next_sender_seq: AtomicU64::new(1),
            next_target_seq: AtomicU64::new(1),
            last_received_ms: AtomicU64::new(0),
            test_request_sent: AtomicU64::new(0),
            store_write: LatencyHistogram::new(STORE_WRITE_BOUNDS),
            round_trip: LatencyHistogram::new(ROUND_TRIP_BOUNDS),
        }
    }

    fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }

    /// A message handed to the connection: `bytes` is the whole message; `new` is false for
    /// resent messages and gap fills.
    pub(crate) fn on_sent(&self, bytes: &[u8], new: bool) {
        let mt = msg_type(bytes);
        let class = MsgClass::of(mt).index();
        Self::add(&self.messages_out[class], 1);
        Self::add(&self.bytes_out[class], bytes.len() as u64);
        match mt {
            b"0" => {}
            b"1" => self
                .test_request_sent
                .store(monotonic_nanos(), Ordering::Relaxed),
            b"2" => Self::add(&self.resend_requests_sent, 1),
            b"3" => Self::add(&self.rejects_sent[reason_slot(field(bytes, b"373"))], 1),
            // A SequenceReset in reset mode is neither a gap fill nor a resent message.
            b"4" => {
                let gap_fill = field(bytes, b"123") == Some(b"Y");
                Self::add(&self.gap_fills_sent, u64::from(gap_fill));
            }
            b"j" => Self::add(&self.business_rejects_sent, 1),
            _ if !new => Self::add(&self.messages_resent, 1),
            _ => {}
        }
    }

    /// A whole message received and decoded (`len` bytes).
    pub(crate) fn on_received(&self, view: &MessageView<'_>, len: usize, now: SystemTime) {
        let mt = view.msg_type();
        let class = MsgClass::of(mt).index();
        Self::add(&self.messages_in[class], 1);
        Self::add(&self.bytes_in[class], len as u64);
        let ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.last_received_ms.store(ms, Ordering::Relaxed);
        match mt {
            b"0" if view.field(112).is_some() => {
                let sent = self.test_request_sent.swap(0, Ordering::Relaxed);
                if sent != 0 {
                    let rtt = monotonic_nanos().saturating_sub(sent);
                    self.round_trip.observe(Duration::from_nanos(rtt));
                }
            }
            b"2" => Self::add(&self.resend_requests_received, 1),
            b"3" => Self::add(&self.rejects_received[reason_slot(view.field(373))], 1),
            b"4" if view.field(123) == Some(b"Y") => Self::add(&self.gap_fills_received, 1),
            b"j" => Self::add(&self.business_rejects_received, 1),
            _ => {}
        }
    }

    /// A session event.
    pub(crate) fn on_event(&self, event: &Event) {
        match event {
            Event::LoggedOn => Self::add(&self.logons, 1),
            Event::LoggedOut => Self::add(&self.logouts, 1),
            Event::Disconnected { .. } => Self::add(&self.disconnects, 1),
            _ => {}
        }
    }

    /// The session's state and sequence numbers after a batch.
    pub(crate) fn set_progress(&self, state: State, next_sender: u64, next_target: u64) {
        self.state.store(state_code(state), Ordering::Relaxed);
        self.next_sender_seq.store(next_sender, Ordering::Relaxed);
        self.next_target_seq.store(next_target, Ordering::Relaxed);
    }

    /// How long one store call took.
    pub(crate) fn on_store_write(&self, took: Duration) {
        self.store_write.observe(took);
    }

    /// The session's state as last reported by its task.
    pub fn state(&self) -> State {
        state_of(self.state.load(Ordering::Relaxed))
    }

    /// When the last message was received, if any.
    pub fn last_received(&self) -> Option<SystemTime> {
        match self.last_received_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(UNIX_EPOCH + Duration::from_millis(ms)),
        }
    }

    /// Every value now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let pair = |c: &[AtomicU64; 2]| [load(&c[0]), load(&c[1])];
        let reasons = |c: &[AtomicU64]| {
            c.iter()
                .enumerate()
                .map(|(i, n)| (reason_label(i), load(n)))
                .filter(|(_, n)| *n > 0)
                .collect()
        };
        MetricsSnapshot {
            messages_in: pair(&self.messages_in),
            messages_out: pair(&self.messages_out),
            bytes_in: pair(&self.bytes_in),
            bytes_out: pair(&self.bytes_out),
            resend_requests_sent: load(&self.resend_requests_sent),
            resend_requests_received: load(&self.resend_requests_received),
            messages_resent: load(&self.messages_resent),
            gap_fills_sent: load(&self.gap_fills_sent),
            gap_fills_received: load(&self.gap_fills_received),
            rejects_sent: reasons(&self.rejects_sent),
            rejects_received: reasons(&self.rejects_received),
            business_rejects_sent: load(&self.business_rejects_sent),
            business_rejects_received: load(&self.business_rejects_received),
            logons: load(&self.logons),
            logouts: load(&self.logouts),
            disconnects: load(&self.disconnects),
            state: self.state(),
            next_sender_seq: load(&self.next_sender_seq),
            next_target_seq: load(&self.next_target_seq),
            last_received: self.last_received(),
            store_write: self.store_write.snapshot(),
            round_trip: self.round_trip.snapshot(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> Vec<u8> {
        format!("8=FIX.4.4\x019=10\x01{body}\x0110=000\x01")
            .replace('|', "\x01")
            .into_bytes()
    }

    #[test]
    fn sent_messages_are_counted_by_class_and_kind() {
        let m = SessionMetrics::new();
        let order = msg("35=D|34=5|11=A");
        m.on_sent(&order, true);
        m.on_sent(&order, false);
        m.on_sent(&msg("35=0|34=6"), true);
        m.on_sent(&msg("35=2|34=7|7=1|16=0"), true);
        m.on_sent(&msg("35=3|34=8|45=2|373=5"), true);
        m.on_sent(&msg("35=3|34=9|45=2|373=99"), true);
        m.on_sent(&msg("35=4|34=3|123=Y|36=5"), false);
        m.on_sent(&msg("35=4|34=3|36=5"), false);
        let s = m.snapshot();
        assert_eq!(s.messages_out, [6, 2]);
        assert_eq!(s.bytes_out[1], 2 * order.len() as u64);
        assert_eq!(s.messages_resent, 1);
        assert_eq!(s.resend_requests_sent, 1);
        assert_eq!(s.gap_fills_sent, 1);
        assert_eq!(
            s.rejects_sent,
            vec![("5".to_string(), 1), ("other".to_string(), 1)]
        );
    }

    #[test]
    fn states_round_trip_through_their_codes() {
        for (state, _) in STATES {
            assert_eq!(state_of(state_code(state)), state);
        }
        let m = SessionMetrics::new();
        m.set_progress(State::Active, 7, 9);
        let s = m.snapshot();
        assert_eq!(
            (s.state, s.next_sender_seq, s.next_target_seq),
            (State::Active, 7, 9)
        );
    }
}
