//! Code shared by the examples (`acceptor`, `initiator`, `demo`), the end-to-end tests and the
//! loopback bench: the exchange application, the order-sending client, argument parsing and
//! percentiles.
//!
//! Everything here uses standard FIX.4.4 messages only (typed with the `fix44` crate), so both
//! sides work against any other FIX engine.
#![allow(dead_code)] // each includer uses a part

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fix44::components::{Instrument, OrderQtyData};
use fix44::fields::{ExecType, HandlInst, OrdRejReason, OrdStatus, OrdType, Side};
use fix_core::value::{Precision, UtcTimestamp};
use fix_core::{Dictionary, MessageView, ValidationOptions};
use fix_session::app::{AppReject, Application, Responder};
use fix_session::core::{Event, SendError};
use fix_session::driver::{DriverError, Initiator, SessionEvent, SessionHandle};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::StoreFactory;
use rust_decimal::Decimal;
use tokio::sync::mpsc;

/// The price market orders are filled at.
pub const MARKET_PRICE: Decimal = Decimal::from_parts(10_000, 0, 0, false, 2); // 100.00

/// Decodes a received message into the typed FIX.4.4 [`fix44::Message`].
///
/// When the session validated with the standard FIX44 dictionary (UseDataDictionary=Y), the
/// view's layout is the generated one and [`fix44::Message::from_view`] reads it without a
/// second parse; otherwise the bytes are decoded again with `fix44`'s own dictionary.
pub fn typed(
    view: &MessageView<'_>,
) -> Result<(fix44::Header, fix44::Message), fix_core::DecodeError> {
    thread_local! {
        static LAST: Cell<(usize, bool)> = const { Cell::new((0, false)) };
    }
    let dict: &Dictionary = view.dictionary();
    let key = dict as *const Dictionary as usize;
    let same = LAST.with(|c| {
        let (k, same) = c.get();
        if k == key {
            return same;
        }
        let same = *dict == *fix44::DICTIONARY;
        c.set((key, same));
        same
    });
    if same {
        fix44::Message::from_view(view)
    } else {
        fix44::Message::decode_with(view.bytes(), &ValidationOptions::relaxed())
    }
}

fn now() -> UtcTimestamp {
    UtcTimestamp::now(Precision::Millis).unwrap_or_else(|| {
        UtcTimestamp::from_unix_nanos(0, Precision::Millis).unwrap_or_else(|| unreachable!())
    })
}

// ----- the exchange -----

/// What the exchange saw of one NewOrderSingle (kept only when recording).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// MsgSeqNum of the order.
    pub seq: u64,
    /// ClOrdID.
    pub cl_ord_id: String,
    /// PossDupFlag=Y (a resent order).
    pub poss_dup: bool,
}

/// A small exchange: every NewOrderSingle gets two ExecutionReports, New (39=0/150=0) then
/// Filled (39=2/150=F, with LastQty/LastPx/CumQty/AvgPx). Limit orders fill at their price,
/// market orders at [`MARKET_PRICE`]; orders without a positive quantity get a Rejected
/// report (39=8/150=8). Other application messages get a BusinessMessageReject.
#[derive(Debug, Default)]
pub struct Exchange {
    /// The last OrderID number given.
    pub next_id: AtomicU64,
    /// NewOrderSingles received.
    pub orders: AtomicU64,
    /// Of which with PossDupFlag=Y.
    pub resent: AtomicU64,
    /// When set, every order received, in order (for the tests).
    pub record: Option<Mutex<Vec<Received>>>,
    /// When set, orders are only counted, not answered (the one-way bench).
    pub silent: bool,
    /// With `silent`: NewOrderSingles are counted by MsgType alone, without the typed
    /// decode (the one-way bench measures the engine, whose view decode and FIX44
    /// validation still run on every message, not the application's own work).
    pub count_only: bool,
    /// Woken at every order when counting (the one-way bench).
    pub notify: Option<Arc<tokio::sync::Notify>>,
    /// Print logons and logouts.
    pub verbose: bool,
}

impl Exchange {
    /// An exchange that records what it receives.
    pub fn recording() -> Exchange {
        Exchange {
            record: Some(Mutex::new(Vec::new())),
            ..Exchange::default()
        }
    }

    /// What was recorded.
    pub fn received(&self) -> Vec<Received> {
        self.record
            .as_ref()
            .map(|r| r.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default()
    }
}

impl Application for Exchange {
    fn on_logon(&self, id: &SessionId) {
        if self.verbose {
            println!("logon: {id}");
        }
    }

    fn on_logout(&self, id: &SessionId) {
        if self.verbose {
            println!("logout: {id}");
        }
    }

    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        if msg.msg_type() != b"D" {
            return Err(AppReject::UnsupportedMessageType);
        }
        if self.silent && self.count_only && self.record.is_none() {
            self.orders.fetch_add(1, Ordering::Relaxed);
            if let Some(n) = &self.notify {
                n.notify_one();
            }
            return Ok(());
        }
        let (header, message) = typed(msg).map_err(|e| AppReject::Business {
            reason: 0,
            text: format!("cannot decode NewOrderSingle: {e}"),
        })?;
        let fix44::Message::NewOrderSingle(order) = message else {
            return Err(AppReject::UnsupportedMessageType);
        };
        let poss_dup = header.poss_dup_flag == Some(true);
        self.orders.fetch_add(1, Ordering::Relaxed);
        if poss_dup {
            self.resent.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(r) = &self.record {
            r.lock().unwrap_or_else(|e| e.into_inner()).push(Received {
                seq: header.msg_seq_num,
                cl_ord_id: order.cl_ord_id.clone(),
                poss_dup,
            });
        }
        if let Some(n) = &self.notify {
            n.notify_one();
        }
        if self.silent {
            return Ok(());
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let order_id = format!("O{id}");
        let qty = order.order_qty_data.order_qty.unwrap_or(Decimal::ZERO);
        let px = match (&order.ord_type, order.price) {
            (OrdType::Limit, Some(p)) => p,
            _ => MARKET_PRICE,
        };
        let base = |exec: String, exec_type: ExecType, status: OrdStatus, leaves, cum, avg| {
            fix44::ExecutionReport::new(
                order_id.clone(),
                exec,
                exec_type,
                status,
                (*order.instrument).clone(),
                order.side.clone(),
                leaves,
                cum,
                avg,
            )
            .with_cl_ord_id(order.cl_ord_id.clone())
            .with_order_qty_data((*order.order_qty_data).clone())
            .with_ord_type(order.ord_type.clone())
            .with_transact_time(now())
        };
        if qty <= Decimal::ZERO {
            let rejected = base(
                format!("{order_id}-R"),
                ExecType::Rejected,
                OrdStatus::Rejected,
                Decimal::ZERO,
                Decimal::ZERO,
                Decimal::ZERO,
            )
            .with_ord_rej_reason(OrdRejReason::IncorrectQuantity)
            .with_text("OrderQty must be positive");
            out.reply(rejected);
            return Ok(());
        }
        let mut new = base(
            format!("{order_id}-0"),
            ExecType::New,
            OrdStatus::New,
            qty,
            Decimal::ZERO,
            Decimal::ZERO,
        );
        if let Some(p) = order.price {
            new = new.with_price(p);
        }
        out.reply(new);
        let filled = base(
            format!("{order_id}-1"),
            ExecType::Trade,
            OrdStatus::Filled,
            Decimal::ZERO,
            qty,
            px,
        )
        .with_last_qty(qty)
        .with_last_px(px);
        out.reply(filled);
        Ok(())
    }
}

// ----- the client -----

/// What an ExecutionReport (or a refusal) said about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportKind {
    /// 39=0: the order is accepted.
    New,
    /// 39=2: the order is filled.
    Filled,
    /// 39=1 or other statuses that change nothing here.
    Other,
    /// 39=8, a BusinessMessageReject or an undecodable message: the text says why.
    Rejected(String),
}

/// An ExecutionReport (or a refusal) received by the [`Client`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// MsgSeqNum.
    pub seq: u64,
    /// PossDupFlag=Y (a resent report).
    pub poss_dup: bool,
    /// ClOrdID.
    pub cl_ord_id: String,
    /// The order's number when its ClOrdID is one of ours.
    pub index: Option<usize>,
    /// What it says.
    pub kind: ReportKind,
    /// Time since the order was sent (when sent by this process).
    pub rtt: Option<Duration>,
}

/// The order-sending side: builds NewOrderSingles numbered `0..n` with ClOrdIDs
/// `<prefix><number>`, remembers when each was sent and turns ExecutionReports into
/// [`Report`]s on a channel.
pub struct Client {
    prefix: String,
    base: Instant,
    sent_at: Vec<AtomicU64>,
    tx: mpsc::UnboundedSender<Report>,
}

impl Client {
    /// A client for orders `0..n`; reports go to the returned receiver.
    pub fn new(prefix: &str, n: usize) -> (Arc<Client>, mpsc::UnboundedReceiver<Report>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let client = Client {
            prefix: prefix.to_string(),
            base: Instant::now(),
            sent_at: (0..n).map(|_| AtomicU64::new(0)).collect(),
            tx,
        };
        (Arc::new(client), rx)
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

    /// Records that order `i` is being sent now.
    pub fn mark_sent(&self, i: usize) {
        if let Some(slot) = self.sent_at.get(i) {
            let ns = self.base.elapsed().as_nanos() as u64 + 1;
            slot.store(ns, Ordering::Relaxed);
        }
    }

    fn index(&self, cl_ord_id: &str) -> Option<usize> {
        cl_ord_id
            .strip_prefix(self.prefix.as_str())?
            .parse::<usize>()
            .ok()
            .filter(|&i| i < self.sent_at.len())
    }

    fn report(&self, msg: &MessageView<'_>) -> Option<Report> {
        let seq = msg
            .field(34)
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let poss_dup = msg.field(43) == Some(b"Y");
        let (cl_ord_id, kind) = match typed(msg) {
            Ok((_, fix44::Message::ExecutionReport(er))) => {
                let kind = match er.ord_status {
                    OrdStatus::New => ReportKind::New,
                    OrdStatus::Filled => ReportKind::Filled,
                    OrdStatus::Rejected => ReportKind::Rejected(
                        er.text.clone().unwrap_or_else(|| "order rejected".into()),
                    ),
                    _ => ReportKind::Other,
                };
                (er.cl_ord_id.clone().unwrap_or_default(), kind)
            }
            Ok((_, fix44::Message::BusinessMessageReject(r))) => (
                String::new(),
                ReportKind::Rejected(format!(
                    "BusinessMessageReject: {}",
                    r.text.clone().unwrap_or_default()
                )),
            ),
            Ok(_) => return None,
            Err(e) => (
                String::new(),
                ReportKind::Rejected(format!("undecodable message: {e}")),
            ),
        };
        let index = self.index(&cl_ord_id);
        let rtt = index.and_then(|i| {
            let sent = self.sent_at[i].load(Ordering::Relaxed);
            (sent != 0).then(|| {
                Duration::from_nanos(
                    (self.base.elapsed().as_nanos() as u64 + 1).saturating_sub(sent),
                )
            })
        });
        Some(Report {
            seq,
            poss_dup,
            cl_ord_id,
            index,
            kind,
            rtt,
        })
    }
}

impl Application for Client {
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        _out: &mut Responder,
    ) -> Result<(), AppReject> {
        if let Some(r) = self.report(msg) {
            let _ = self.tx.send(r);
        }
        Ok(())
    }
}

/// Waits for the session to log on.
pub async fn wait_logon(
    events: &mut mpsc::UnboundedReceiver<SessionEvent>,
    timeout: Duration,
) -> Result<(), String> {
    let wait = async {
        while let Some(ev) = events.recv().await {
            if ev.event == Event::LoggedOn {
                return Ok(());
            }
        }
        Err("the session stopped before logging on".to_string())
    };
    tokio::time::timeout(timeout, wait)
        .await
        .map_err(|_| format!("no logon within {timeout:?}"))?
}

/// The result of [`run_orders`].
#[derive(Debug, Clone)]
pub struct Summary {
    /// Orders sent.
    pub orders: usize,
    /// Orders filled.
    pub filled: usize,
    /// Time from the first order to the last fill.
    pub elapsed: Duration,
    /// Round-trip times, NewOrderSingle sent to its fill received, sorted.
    pub rtts: Vec<Duration>,
}

impl Summary {
    /// One line: counts, rate and round-trip percentiles in microseconds.
    pub fn line(&self) -> String {
        let p = |q: f64| percentile(&self.rtts, q).as_secs_f64() * 1e6;
        let secs = self.elapsed.as_secs_f64();
        format!(
            "orders={} filled={} rejected=0 elapsed={:.3}s rate={:.0}/s rtt_us p50={:.1} p99={:.1} p99.9={:.1} max={:.1}",
            self.orders,
            self.filled,
            secs,
            self.filled as f64 / secs.max(1e-9),
            p(0.50),
            p(0.99),
            p(0.999),
            p(1.0),
        )
    }
}

/// The `q` quantile (0..=1) of sorted `v` (nearest rank).
pub fn percentile(v: &[Duration], q: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Sends orders `0..n` on `session`, at most `window` without their fill, and waits for every
/// fill. Fails on any reject (ours or theirs), a duplicate fill, or when `timeout` passes.
/// If the session drops, sending waits for the next logon; orders already sent are
/// recovered by the session's resend.
pub async fn run_orders(
    session: &SessionHandle,
    client: &Client,
    reports: &mut mpsc::UnboundedReceiver<Report>,
    events: &mut mpsc::UnboundedReceiver<SessionEvent>,
    n: usize,
    window: usize,
    timeout: Duration,
) -> Result<Summary, String> {
    let window = window.max(1);
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut logged_on = true;
    let mut next = 0usize;
    let mut filled = vec![false; n];
    let mut n_filled = 0usize;
    let mut rtts = Vec::with_capacity(n);
    while n_filled < n {
        while logged_on && next < n && next - n_filled < window {
            client.mark_sent(next);
            match session.send(client.order(next)).await {
                Ok(_) => next += 1,
                Err(DriverError::Send(SendError::NotLoggedOn)) => logged_on = false,
                Err(e) => return Err(format!("send failed: {e}")),
            }
        }
        tokio::select! {
            r = reports.recv() => {
                let Some(r) = r else { return Err("the client stopped".into()) };
                match r.kind {
                    ReportKind::Filled => {
                        let Some(i) = r.index else { continue };
                        if std::mem::replace(&mut filled[i], true) {
                            return Err(format!("duplicate fill for {}", r.cl_ord_id));
                        }
                        n_filled += 1;
                        rtts.extend(r.rtt);
                    }
                    ReportKind::Rejected(text) => {
                        return Err(format!("rejected ({}): {text}", r.cl_ord_id));
                    }
                    ReportKind::New | ReportKind::Other => {}
                }
            }
            ev = events.recv() => match ev.map(|e| e.event) {
                Some(Event::LoggedOn) => logged_on = true,
                Some(Event::LoggedOut) => logged_on = false,
                Some(Event::Rejected { seq, text }) => {
                    return Err(format!("we rejected message {seq}: {text}"));
                }
                Some(Event::RejectReceived { bytes }) => {
                    return Err(format!(
                        "reject received: {}",
                        String::from_utf8_lossy(&bytes).replace('\x01', "|")
                    ));
                }
                Some(_) => {}
                None => return Err("the session stopped".into()),
            },
            _ = tokio::time::sleep_until(deadline) => {
                return Err(format!(
                    "timed out after {timeout:?}: {n_filled} of {n} orders filled ({} sent)",
                    next
                ));
            }
        }
    }
    let elapsed = start.elapsed();
    rtts.sort_unstable();
    Ok(Summary {
        orders: n,
        filled: n_filled,
        elapsed,
        rtts,
    })
}

/// Starts an initiator for `settings`, waits for its first session to log on, sends `orders`
/// NewOrderSingles (ClOrdIDs `prefix0`, `prefix1`, ...; at most `window` unanswered), waits
/// for every fill and stops the initiator: what the `initiator` and `demo` examples run.
pub async fn trade(
    settings: Settings,
    stores: Arc<dyn StoreFactory>,
    prefix: &str,
    orders: usize,
    window: usize,
    timeout: Duration,
) -> Result<Summary, String> {
    let (client, mut reports) = Client::new(prefix, orders);
    let (initiator, mut events) = Initiator::start(settings, stores, client.clone())
        .await
        .map_err(|e| format!("initiator: {e}"))?;
    let session = initiator
        .sessions()
        .next()
        .cloned()
        .ok_or("no initiator session")?;
    let result = async {
        wait_logon(&mut events, timeout).await?;
        run_orders(
            &session,
            &client,
            &mut reports,
            &mut events,
            orders,
            window,
            timeout,
        )
        .await
    }
    .await;
    initiator.stop().await;
    result
}

/// Checks that every ClOrdID in `ids` is distinct.
pub fn all_distinct<'a>(ids: impl IntoIterator<Item = &'a str>) -> bool {
    let mut seen = HashSet::new();
    ids.into_iter().all(|id| seen.insert(id))
}

// ----- arguments -----

/// `--name value` pairs and `--flag`s from `std::env::args`.
pub struct Args {
    pairs: Vec<(String, Option<String>)>,
}

impl Args {
    /// Parses the process arguments; `usage` is printed for `--help`.
    pub fn parse(usage: &str) -> Args {
        let mut pairs = Vec::new();
        let mut it = std::env::args().skip(1).peekable();
        while let Some(a) = it.next() {
            if a == "--help" || a == "-h" {
                println!("{usage}");
                std::process::exit(0);
            }
            let Some(name) = a.strip_prefix("--") else {
                fail(&format!("unexpected argument `{a}`\n{usage}"));
            };
            if let Some((k, v)) = name.split_once('=') {
                pairs.push((k.to_string(), Some(v.to_string())));
            } else {
                let v = it.next_if(|v| !v.starts_with("--"));
                pairs.push((name.to_string(), v));
            }
        }
        Args { pairs }
    }

    /// The value of `--name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether `--name` was given (with or without a value).
    pub fn flag(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// The value of `--name` parsed, or `default`; exits with a message when unparsable.
    pub fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.get(name) {
            None => default,
            Some(v) => v
                .parse()
                .unwrap_or_else(|_| fail(&format!("--{name}: `{v}` is not a valid number"))),
        }
    }

    /// Exits with a message naming any argument not in `known`.
    pub fn only(&self, known: &[&str], usage: &str) {
        for (k, _) in &self.pairs {
            if !known.contains(&k.as_str()) {
                fail(&format!("unknown option --{k}\n{usage}"));
            }
        }
    }
}

/// Prints `msg` to stderr and exits with status 2.
pub fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

/// The path of a sample settings file shipped beside the examples.
pub fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}
