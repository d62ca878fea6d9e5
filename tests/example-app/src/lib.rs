//! The example application of `fix-session`: the code its examples (`acceptor`, `initiator`,
//! `demo`), its end-to-end tests and its loopback bench share: a small exchange, the
//! order-sending client, the order loop, argument parsing and percentiles.
//!
//! Everything here uses standard FIX.4.4 messages only (typed with the `fix44` crate), so both
//! sides work against any other FIX engine.

use std::cell::Cell;

use fix_core::value::{Precision, UtcTimestamp};
use fix_core::{Dictionary, MessageView, ValidationOptions};

pub mod cli;
pub mod client;
pub mod exchange;
pub mod report;
pub mod trade;

pub use client::{Client, Report, ReportKind};
pub use exchange::{Exchange, Received, MARKET_PRICE};
pub use report::{percentile, Summary};
pub use trade::{run_orders, trade, wait_logon};

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
