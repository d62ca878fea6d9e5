//! The order-sending side's record of its orders: shared, lock-free, between the code that
//! sends them and the [`Client`](crate::Client) application that reads their reports.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use fix44::components::{Instrument, OrderQtyData};
use fix44::fields::{HandlInst, OrdType, Side};
use rust_decimal::Decimal;
use tokio::sync::Notify;

use crate::now;

/// What an ExecutionReport (or a refusal) said about one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// 39=0: the order is accepted.
    New,
    /// 39=2: the order is filled.
    Filled,
    /// 39=1 or other statuses that change nothing here.
    Other,
    /// 39=8 or a BusinessMessageReject: [`Blotter::failure`] says why.
    Rejected,
}

/// One report received, as recorded by a [`Blotter::recording`] blotter (for the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// MsgSeqNum.
    pub seq: u64,
    /// PossDupFlag=Y (a resent report).
    pub poss_dup: bool,
    /// The order's number when its ClOrdID is one of ours.
    pub index: Option<usize>,
    /// What it says.
    pub kind: ReportKind,
}

/// One order's slot: when it was sent, its round trip, its reports.
#[derive(Debug, Default)]
struct Slot {
    /// Nanoseconds since [`Blotter::base`] plus one; 0 when not sent.
    sent: AtomicU64,
    /// Nanoseconds from sent to filled, plus one; 0 when not filled.
    rtt: AtomicU64,
    acks: AtomicU32,
    fills: AtomicU32,
}

/// Orders `0..n` with ClOrdIDs `<prefix><number>`: when each was sent, how many New and
/// Filled reports each got and its round trip (sent to filled). The [`Client`](crate::Client)
/// fills it in from the session's task through atomics and wakes the sender through a
/// [`Notify`] on fills and rejects (one atomic operation while nobody waits), with no channel
/// message and no allocation per report. An order's number is its index: ClOrdIDs are parsed back to
/// it, no map of strings.
#[derive(Debug)]
pub struct Blotter {
    prefix: String,
    base: Instant,
    slots: Box<[Slot]>,
    acks: AtomicUsize,
    fills: AtomicUsize,
    failure: OnceLock<String>,
    progress: Notify,
    record: Option<Mutex<Vec<Report>>>,
}

impl Blotter {
    /// A blotter for orders `0..n`.
    pub fn new(prefix: &str, n: usize) -> Arc<Blotter> {
        Arc::new(Blotter::with_record(prefix, n, None))
    }

    /// A blotter for orders `0..n` that also keeps every report ([`Blotter::take_reports`]).
    pub fn recording(prefix: &str, n: usize) -> Arc<Blotter> {
        Arc::new(Blotter::with_record(prefix, n, Some(Mutex::default())))
    }

    fn with_record(prefix: &str, n: usize, record: Option<Mutex<Vec<Report>>>) -> Blotter {
        Blotter {
            prefix: prefix.to_string(),
            base: Instant::now(),
            slots: (0..n).map(|_| Slot::default()).collect(),
            acks: AtomicUsize::new(0),
            fills: AtomicUsize::new(0),
            failure: OnceLock::new(),
            progress: Notify::new(),
            record,
        }
    }

    /// The ClOrdID of order `i`.
    pub fn cl_ord_id(&self, i: usize) -> String {
        format!("{}{i}", self.prefix)
    }

    /// Order `i`: buy 100 `SYM` limit at 100.00 + i/100 (typed, standard FIX.4.4 fields).
    pub fn order(&self, i: usize) -> fix44::NewOrderSingle {
        let cents = 10_000 + (i % 1000) as i64;
        fix44::NewOrderSingle::new(
            self.cl_ord_id(i),
            Instrument::new().with_symbol("SYM"),
            Side::Buy,
            now(),
            OrderQtyData::new().with_order_qty(Decimal::from(100)),
            OrdType::Limit,
        )
        .with_handl_inst(HandlInst::AutomatedExecutionNoIntervention)
        .with_price(Decimal::new(cents, 2))
    }

    fn clock(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64 + 1
    }

    /// Records that order `i` is being sent now.
    pub fn mark_sent(&self, i: usize) {
        if let Some(slot) = self.slots.get(i) {
            slot.sent.store(self.clock(), Ordering::Relaxed);
        }
    }

    /// The number of the order with this ClOrdID, when it is one of ours (`<prefix><i>`
    /// with `i` written as [`Blotter::cl_ord_id`] writes it: no sign, no leading zero).
    pub fn index(&self, cl_ord_id: &str) -> Option<usize> {
        let digits = cl_ord_id.strip_prefix(self.prefix.as_str())?;
        let canonical = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        canonical
            .then(|| digits.parse::<usize>().ok())
            .flatten()
            .filter(|&i| i < self.slots.len())
    }

    /// New reports received for our orders.
    pub fn acks(&self) -> usize {
        self.acks.load(Ordering::Acquire)
    }

    /// Orders filled (each counted once).
    pub fn fills(&self) -> usize {
        self.fills.load(Ordering::Acquire)
    }

    /// Why the run failed, if it did: the first reject (an ExecutionReport 39=8 or a
    /// BusinessMessageReject) or a second fill for one order.
    pub fn failure(&self) -> Option<&str> {
        self.failure.get().map(String::as_str)
    }

    /// Waits until an order is filled or rejected (or returns at once if one was since the
    /// last wait).
    pub async fn progress(&self) {
        self.progress.notified().await
    }

    /// The reports recorded since the last call (empty unless [`Blotter::recording`]).
    pub fn take_reports(&self) -> Vec<Report> {
        self.record
            .as_ref()
            .map(|r| std::mem::take(&mut *r.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default()
    }

    /// The round trips (sent to filled) of the filled orders that were sent by this
    /// process, sorted.
    pub fn rtts(&self) -> Vec<Duration> {
        let mut rtts: Vec<Duration> = self
            .slots
            .iter()
            .filter_map(|s| match s.rtt.load(Ordering::Relaxed) {
                0 => None,
                ns => Some(Duration::from_nanos(ns - 1)),
            })
            .collect();
        rtts.sort_unstable();
        rtts
    }

    /// Records the first failure; the later ones say nothing new.
    pub(crate) fn fail(&self, why: impl FnOnce() -> String) {
        if self.failure.get().is_none() {
            let _ = self.failure.set(why());
        }
    }

    /// Counts a report for order `report.index` (nothing for an order not ours), records it
    /// when recording, and wakes the sender on a fill or a reject.
    pub(crate) fn report(&self, report: Report, cl_ord_id: &str) {
        if let Some(slot) = report.index.and_then(|i| self.slots.get(i)) {
            match report.kind {
                ReportKind::New => {
                    slot.acks.fetch_add(1, Ordering::Relaxed);
                    self.acks.fetch_add(1, Ordering::Release);
                }
                ReportKind::Filled => {
                    if slot.fills.fetch_add(1, Ordering::Relaxed) == 0 {
                        let sent = slot.sent.load(Ordering::Relaxed);
                        if sent != 0 {
                            let rtt = self.clock().saturating_sub(sent);
                            slot.rtt.store(rtt + 1, Ordering::Relaxed);
                        }
                        self.fills.fetch_add(1, Ordering::Release);
                    } else {
                        self.fail(|| format!("duplicate fill for {cl_ord_id}"));
                    }
                }
                ReportKind::Other | ReportKind::Rejected => {}
            }
        }
        if let Some(r) = &self.record {
            r.lock().unwrap_or_else(|e| e.into_inner()).push(report);
        }
        // The sender waits for fills (its window) and failures only: a New report wakes
        // nobody (one thread wake-up less per order when the sender sleeps on another core).
        if matches!(report.kind, ReportKind::Filled | ReportKind::Rejected) {
            self.progress.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(index: usize, kind: ReportKind) -> Report {
        Report {
            seq: 1,
            poss_dup: false,
            index: Some(index),
            kind,
        }
    }

    #[test]
    fn cl_ord_ids_parse_back_to_their_number_only_when_written_by_us() {
        let b = Blotter::new("ORD-", 20);
        assert_eq!(b.index(&b.cl_ord_id(0)), Some(0));
        assert_eq!(b.index(&b.cl_ord_id(17)), Some(17));
        for other in ["ORD-017", "ORD-+1", "ORD-", "ORD-20", "X-1", "ORD-1a"] {
            assert_eq!(b.index(other), None, "{other}");
        }
    }

    #[test]
    fn fills_count_once_with_their_round_trip_and_a_second_fill_fails() {
        let b = Blotter::recording("R-", 3);
        b.mark_sent(1);
        b.report(report(1, ReportKind::New), "R-1");
        b.report(report(1, ReportKind::Filled), "R-1");
        b.report(report(2, ReportKind::Filled), "R-2"); // never marked sent: no round trip
        assert_eq!((b.acks(), b.fills()), (1, 2));
        assert_eq!(b.rtts().len(), 1);
        assert_eq!(b.failure(), None);
        b.report(report(1, ReportKind::Filled), "R-1");
        assert_eq!(b.fills(), 2);
        assert_eq!(b.failure(), Some("duplicate fill for R-1"));
        b.fail(|| "later".into());
        assert_eq!(b.failure(), Some("duplicate fill for R-1"));
        assert_eq!(b.take_reports().len(), 4);
        assert!(b.take_reports().is_empty());
    }
}
