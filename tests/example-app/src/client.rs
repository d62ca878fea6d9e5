//! The order-sending client: builds NewOrderSingles and turns ExecutionReports into reports.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fix44::components::{Instrument, OrderQtyData};
use fix44::fields::{HandlInst, OrdStatus, OrdType, Side};
use fix_core::MessageView;
use fix_session::app::{AppReject, Application, Responder};
use fix_session::settings::SessionId;
use rust_decimal::Decimal;
use tokio::sync::mpsc;

use crate::{now, typed};

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
