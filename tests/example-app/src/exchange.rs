//! The exchange: answers each NewOrderSingle with ExecutionReports New and Filled.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use fix44::components::Instrument;
use fix44::fields::{ExecType, OrdRejReason, OrdStatus, OrdType};
use fix_session::app::{AppReject, Responder};
use fix_session::settings::SessionId;
use fix_session::typed::TypedApplication;
use rust_decimal::Decimal;
use tokio::sync::Notify;

use crate::{now, with_fix44};

/// The price market orders are filled at.
pub const MARKET_PRICE: Decimal = Decimal::from_parts(10_000, 0, 0, false, 2); // 100.00

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

/// How an [`Exchange`] behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExchangeOptions {
    /// Keep every order received, in order ([`ExchangeStats::received`], for the tests).
    pub record: bool,
    /// Only count orders, do not answer them (the one-way bench).
    pub silent: bool,
    /// With `silent`: count NewOrderSingles by MsgType alone, reading none of their fields
    /// (the one-way bench measures the engine, whose decode and FIX44 validation still run
    /// on every message, not the application's own work).
    pub count_only: bool,
    /// Print logons and logouts.
    pub verbose: bool,
}

/// What an [`Exchange`] counted, shared with whoever watches it: atomics, read without
/// stopping the exchange.
#[derive(Debug, Default)]
pub struct ExchangeStats {
    /// NewOrderSingles received.
    pub orders: AtomicU64,
    /// Of which with PossDupFlag=Y (not counted with `count_only`).
    pub resent: AtomicU64,
    /// Woken at every order (one atomic operation while nobody waits).
    arrivals: Notify,
    /// Every order received, in order, when recording.
    record: Option<Mutex<Vec<Received>>>,
}

impl ExchangeStats {
    /// NewOrderSingles received so far.
    pub fn orders(&self) -> u64 {
        self.orders.load(Ordering::Acquire)
    }

    /// Waits for the next order (or returns at once if one came since the last wait).
    pub async fn arrival(&self) {
        self.arrivals.notified().await
    }

    /// What was recorded (empty unless [`ExchangeOptions::record`]).
    pub fn received(&self) -> Vec<Received> {
        self.record
            .as_ref()
            .map(|r| r.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default()
    }
}

/// A small exchange: every NewOrderSingle gets two ExecutionReports, New (39=0/150=0) then
/// Filled (39=2/150=F, with LastQty/LastPx/CumQty/AvgPx). Limit orders fill at their price,
/// market orders at [`MARKET_PRICE`]; orders without a positive quantity get a Rejected
/// report (39=8/150=8). Other application messages get a BusinessMessageReject.
///
/// A [`TypedApplication`]: run it with `Typed(exchange)`. It reads each order through the
/// zero-copy `fix44::NewOrderSingleRef` and holds no lock (unless recording); OrderIDs are
/// numbers from one atomic counter.
#[derive(Debug)]
pub struct Exchange {
    options: ExchangeOptions,
    next_id: AtomicU64,
    stats: Arc<ExchangeStats>,
}

impl Default for Exchange {
    fn default() -> Exchange {
        Exchange::new(ExchangeOptions::default())
    }
}

impl Exchange {
    /// An exchange behaving as `options` say.
    pub fn new(options: ExchangeOptions) -> Exchange {
        let stats = ExchangeStats {
            record: options.record.then(Mutex::default),
            ..ExchangeStats::default()
        };
        Exchange {
            options,
            next_id: AtomicU64::new(0),
            stats: Arc::new(stats),
        }
    }

    /// Its counters, to watch it once it runs in an engine.
    pub fn stats(&self) -> Arc<ExchangeStats> {
        self.stats.clone()
    }

    /// Counts (and records) one order; true when it is to be answered.
    fn take(&self, order: &fix44::NewOrderSingleRef<'_>) -> bool {
        let header = order.header();
        let poss_dup = header.poss_dup_flag() == Some(true);
        if poss_dup {
            self.stats.resent.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(r) = &self.stats.record {
            r.lock().unwrap_or_else(|e| e.into_inner()).push(Received {
                seq: header.msg_seq_num(),
                cl_ord_id: order.cl_ord_id().to_string(),
                poss_dup,
            });
        }
        self.arrived();
        !self.options.silent
    }

    fn arrived(&self) {
        self.stats.orders.fetch_add(1, Ordering::Release);
        self.stats.arrivals.notify_one();
    }

    /// The ExecutionReports answering `order`.
    fn answer(&self, order: &fix44::NewOrderSingleRef<'_>, out: &mut Responder) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let qty = order.order_qty_data().order_qty().unwrap_or(Decimal::ZERO);
        let price = order.price();
        let fill_px = match (order.ord_type(), price) {
            (OrdType::Limit, Some(p)) => p,
            _ => MARKET_PRICE,
        };
        let instrument: Instrument = order.instrument().to_owned();
        let report = |exec: u8, exec_type, status, leaves, cum, avg| {
            fix44::ExecutionReport::new(
                format!("O{id}"),
                format!("O{id}-{}", exec as char),
                exec_type,
                status,
                instrument.clone(),
                order.side(),
                leaves,
                cum,
                avg,
            )
            .with_cl_ord_id(order.cl_ord_id())
            .with_order_qty_data(order.order_qty_data().to_owned())
            .with_ord_type(order.ord_type())
            .with_transact_time(now())
        };
        if qty <= Decimal::ZERO {
            let zero = Decimal::ZERO;
            let rejected = report(
                b'R',
                ExecType::Rejected,
                OrdStatus::Rejected,
                zero,
                zero,
                zero,
            )
            .with_ord_rej_reason(OrdRejReason::IncorrectQuantity)
            .with_text("OrderQty must be positive");
            out.reply(rejected);
            return;
        }
        let mut new = report(
            b'0',
            ExecType::New,
            OrdStatus::New,
            qty,
            Decimal::ZERO,
            Decimal::ZERO,
        );
        new.price = price;
        out.reply(new);
        let filled = report(
            b'1',
            ExecType::Trade,
            OrdStatus::Filled,
            Decimal::ZERO,
            qty,
            fill_px,
        )
        .with_last_qty(qty)
        .with_last_px(fill_px);
        out.reply(filled);
    }
}

impl TypedApplication for Exchange {
    type Version = fix44::Message;

    fn on_logon(&self, id: &SessionId) {
        if self.options.verbose {
            println!("logon: {id}");
        }
    }

    fn on_logout(&self, id: &SessionId) {
        if self.options.verbose {
            println!("logout: {id}");
        }
    }

    fn on_message(
        &self,
        msg: fix44::MessageRef<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        if self.options.silent && self.options.count_only && self.stats.record.is_none() {
            if msg.view().msg_type() != b"D" {
                return Err(AppReject::UnsupportedMessageType);
            }
            self.arrived();
            return Ok(());
        }
        with_fix44(msg, |msg| {
            let fix44::MessageRef::NewOrderSingle(order) = msg else {
                return Err(AppReject::UnsupportedMessageType);
            };
            if self.take(&order) {
                self.answer(&order, out);
            }
            Ok(())
        })
    }
}
