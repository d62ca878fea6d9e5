//! # fix-core
//!
//! The runtime shared by generated FIX message crates (`fix44`, `fix50`, crates made by
//! `cargo xtask codegen`) and the session engine:
//!
//! - [`frame`]: find a message in a byte stream, check BodyLength and CheckSum;
//! - [`view`]: a zero-copy, group-aware view of a message checked against a dictionary;
//! - [`encode`]: write a message into a reused buffer;
//! - [`value`]: codecs for every FIX field type (decimals exact, timestamps at any precision);
//! - [`dict`]: dictionary tables, generated as static data or loaded at run time;
//! - [`error`]: errors that carry their SessionRejectReason and tag.
//!
//! No I/O, no async, no XML: this crate is what every FIX message needs at run time.
#![warn(unreachable_pub)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod dict;
pub mod encode;
pub mod error;
pub mod field_type;
pub mod frame;
pub mod message;
pub mod raw;
#[doc(hidden)]
pub mod sample;
mod scan;
#[doc(hidden)]
pub mod spec;
pub mod tag;
mod tag_text;
pub mod value;
pub mod view;

pub use dict::{DataDictionary, Dictionary};
pub use encode::Writer;
pub use error::{DecodeError, EncodeError, Invalid, SessionRejectReason};
pub use field_type::FieldType;
pub use message::{
    AnyMessage, EncodedBody, EncodedFields, EncodedParts, Fields, Message, OutgoingMessage,
};
pub use tag::Tag;
pub use value::{FixValue, ValueError};
pub use view::{AnyMessageRef, Decoder, Level, MessageView, ValidationOptions, ViewValue};

/// Re-exports used by generated code, so generated crates need no other dependencies.
#[doc(hidden)]
pub mod __private {
    pub use rust_decimal::Decimal;
    pub use serde;
}

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
