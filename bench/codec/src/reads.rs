//! The five typed reads of issue 15's targets, through the zero-copy typed view and through
//! the owned decode: Symbol, ClOrdID, Side, OrderQty and Price of a NewOrderSingle; Symbol,
//! ExecID, Side, CumQty and AvgPx of an ExecutionReport. Each returns a digest of the values
//! read, so the benches cannot drop the reads.

use fix44::{Message, MessageRef};
use rust_decimal::Decimal;

/// A digest of five values: their lengths, side and mantissas mixed.
fn digest(symbol: &str, id: &str, side: &fix44::fields::Side, qty: Decimal, px: Decimal) -> u64 {
    let side = side.as_str().bytes().next().map_or(0, u64::from);
    (symbol.len() as u64)
        ^ (id.len() as u64) << 8
        ^ side << 16
        ^ (qty.mantissa() as u64).rotate_left(24)
        ^ (px.mantissa() as u64).rotate_left(40)
}

/// The five reads through the typed view; `None` for another MsgType.
pub fn view_reads(msg: &MessageRef<'_>) -> Option<u64> {
    match msg {
        MessageRef::NewOrderSingle(o) => Some(digest(
            o.instrument().symbol().unwrap_or_default(),
            o.cl_ord_id(),
            &o.side(),
            o.order_qty_data().order_qty().unwrap_or_default(),
            o.price().unwrap_or_default(),
        )),
        MessageRef::ExecutionReport(e) => Some(digest(
            e.instrument().symbol().unwrap_or_default(),
            e.exec_id(),
            &e.side(),
            e.cum_qty(),
            e.avg_px(),
        )),
        _ => None,
    }
}

/// The same five reads on the owned decode.
pub fn owned_reads(msg: &Message) -> Option<u64> {
    match msg {
        Message::NewOrderSingle(o) => Some(digest(
            o.instrument.symbol.as_deref().unwrap_or_default(),
            &o.cl_ord_id,
            &o.side,
            o.order_qty_data.order_qty.unwrap_or_default(),
            o.price.unwrap_or_default(),
        )),
        Message::ExecutionReport(e) => Some(digest(
            e.instrument.symbol.as_deref().unwrap_or_default(),
            &e.exec_id,
            &e.side,
            e.cum_qty,
            e.avg_px,
        )),
        _ => None,
    }
}
