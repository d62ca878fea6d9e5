//! # fix44
//!
//! Typed FIX.4.4 messages, generated at build time from the QuickFIX FIX44 data dictionary
//! (`dictionaries/FIX44.xml`).
//!
//! Required fields and components are arguments of `new`, optional ones are set with `with_*`:
//!
//! ```
//! use fix44::components::{Instrument, OrderQtyData};
//! use fix44::fields::{OrdType, Side};
//! use fix_core::value::{Precision, UtcTimestamp};
//! use rust_decimal_macros::dec;
//!
//! let now = UtcTimestamp::from_unix_nanos(1_700_000_000_000_000_000, Precision::Millis).unwrap();
//! let order = fix44::NewOrderSingle::new(
//!     "ORD-1",
//!     Instrument::new().with_symbol("AAPL"),
//!     Side::Buy,
//!     now,
//!     OrderQtyData::new().with_order_qty(dec!(100)),
//!     OrdType::Limit,
//! )
//! .with_price(dec!(187.25));
//! let header = fix44::Header::new("BUYER", "SELLER", 1u64, now);
//! let mut buf = Vec::new();
//! order.encode(&header, &mut buf).unwrap();
//! match fix44::Message::decode(&buf).unwrap() {
//!     fix44::Message::NewOrderSingle(o) => {
//!         assert_eq!(o.price, Some(dec!(187.25)));
//!         assert_eq!(o.instrument.symbol.as_deref(), Some("AAPL"));
//!     }
//!     other => panic!("decoded {other:?}"),
//! }
//! ```
#![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]

include!(concat!(env!("OUT_DIR"), "/fix44.rs"));
