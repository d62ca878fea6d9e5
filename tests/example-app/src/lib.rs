//! The example application of `fix-session`: the code its examples (`acceptor`, `initiator`,
//! `demo`), its end-to-end tests and its loopback bench share. A small exchange
//! ([`Exchange`]), the order-sending side ([`Blotter`] and its [`Client`] application), the
//! order loop ([`run_orders`], [`trade()`]), the command lines ([`cli`]) and percentiles.
//!
//! Both applications are [`TypedApplication`](fix_session::typed::TypedApplication)s run
//! through [`Typed`](fix_session::typed::Typed): they read orders and fills through the
//! zero-copy `fix44` views (`order.cl_ord_id()`, `er.ord_status()`, ...) on the session's own
//! decoded message, with no second parse and no owned decode on the receive path. What they
//! share with the code that drives them is lock-free: counters and per-order slots of
//! atomics, and a [`tokio::sync::Notify`] instead of one channel message per report.
//!
//! Everything here uses standard FIX.4.4 messages only (typed with the `fix44` crate), so both
//! sides work against any other FIX engine.

use std::cell::RefCell;

use fix_core::value::{Precision, UtcTimestamp};
use fix_core::{Decoder, ValidationOptions};

pub mod blotter;
pub mod cli;
pub mod client;
pub mod exchange;
pub mod raw;
pub mod report;
pub mod run;

pub use blotter::{Blotter, Report, ReportKind};
pub use client::Client;
pub use exchange::{Exchange, ExchangeOptions, ExchangeStats, Received, MARKET_PRICE};
pub use report::{percentile, Summary};
pub use run::{run_orders, trade, wait_logon};

/// Now, to the millisecond.
fn now() -> UtcTimestamp {
    UtcTimestamp::now(Precision::Millis).unwrap_or_else(|| {
        UtcTimestamp::from_unix_nanos(0, Precision::Millis).unwrap_or_else(|| unreachable!())
    })
}

/// Calls `f` with `msg` as a `fix44` typed view.
///
/// When the session validated with a FIX.4.4 dictionary (UseDataDictionary=Y, the default),
/// `msg` is already typed and is passed on as it is. A message the session decoded with
/// another layout (UseDataDictionary=N) arrives as `Unknown`: it is decoded again, zero-copy,
/// with `fix44`'s dictionary into a decoder kept per thread (its buffers are reused, so
/// nothing is allocated once warm).
fn with_fix44<R>(
    msg: fix44::MessageRef<'_>,
    f: impl for<'b> FnOnce(fix44::MessageRef<'b>) -> R,
) -> R {
    thread_local! {
        static DECODER: RefCell<Decoder> = RefCell::new(Decoder::new());
    }
    let fix44::MessageRef::Unknown(view) = msg else {
        return f(msg);
    };
    DECODER.with(|decoder| match decoder.try_borrow_mut() {
        Ok(mut decoder) => {
            match fix44::MessageRef::decode(
                &mut decoder,
                view.bytes(),
                &ValidationOptions::relaxed(),
            ) {
                Ok(again) => f(again),
                Err(_) => f(fix44::MessageRef::Unknown(view)),
            }
        }
        Err(_) => f(fix44::MessageRef::Unknown(view)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fix_core::MessageView;

    const ORDER: &str = "8=FIX.4.4|9=0|35=D|34=7|49=BANK|52=20240101-00:00:00.000|56=EXCH|\
                         11=ORD-1|21=1|38=100|40=2|44=100.5|54=1|55=SYM|60=20240101-00:00:00|10=000|";

    /// A framed message from `|`-separated text (BodyLength and CheckSum computed).
    pub(crate) fn frame(text: &str) -> Vec<u8> {
        let text = text.replace('|', "\x01");
        let body_start = text.find("35=").unwrap_or(0);
        let body_end = text.rfind("10=").unwrap_or(text.len());
        let head = &text[..text.find("9=").unwrap_or(0)];
        let body = &text[body_start..body_end];
        let mut out = format!("{head}9={}\x01{body}", body.len()).into_bytes();
        let sum = out.iter().map(|&b| b as u32).sum::<u32>() % 256;
        out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        out
    }

    #[test]
    fn a_view_of_another_layout_is_read_through_fix44() {
        let bytes = frame(ORDER);
        // A dictionary without messages: the session's view when UseDataDictionary=N.
        let empty = fix_core::Dictionary::new(
            "".into(),
            None,
            Vec::new().into(),
            fix_core::dict::Layout::EMPTY,
            fix_core::dict::Layout::EMPTY,
            Vec::new().into(),
        );
        let mut decoder = Decoder::new();
        let view: MessageView<'_> = decoder
            .decode(&bytes, &empty, &ValidationOptions::relaxed())
            .unwrap();
        let msg = fix44::MessageRef::from_view(view);
        assert!(matches!(msg, fix44::MessageRef::Unknown(_)));
        let cl_ord_id = with_fix44(msg, |m| match m {
            fix44::MessageRef::NewOrderSingle(o) => Some(o.cl_ord_id().to_string()),
            _ => None,
        });
        assert_eq!(cl_ord_id.as_deref(), Some("ORD-1"));
    }
}
