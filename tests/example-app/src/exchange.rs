//! The exchange: answers each NewOrderSingle with ExecutionReports New and Filled.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use fix44::fields::{ExecType, OrdRejReason, OrdStatus, OrdType};
use fix_core::MessageView;
use fix_session::app::{AppReject, Application, Responder};
use fix_session::settings::SessionId;
use rust_decimal::Decimal;

use crate::{now, typed};

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
