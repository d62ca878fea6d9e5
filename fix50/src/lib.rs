//! # fix50
//!
//! Typed FIX.5.0SP2 messages over the FIXT.1.1 session layer, generated at build time from the
//! QuickFIX FIX50SP2 and FIXT11 data dictionaries (`dictionaries/`). Session-level messages
//! (Logon, Heartbeat, ...) and the standard header come from FIXT11, application messages
//! from FIX50SP2.
#![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]

include!(concat!(env!("OUT_DIR"), "/fix50.rs"));
