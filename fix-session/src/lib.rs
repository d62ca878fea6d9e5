//! # fix-session
//!
//! A version-agnostic FIX session engine (FIX.4.0 to FIX.4.4 and FIXT.1.1):
//!
//! - [`settings`]: QuickFIX-style settings files (and TOML) into typed [`SessionSettings`];
//! - [`store`]: the [`MessageStore`] trait with in-memory and file stores;
//! - [`core`]: the sans-IO session state machine (bytes and clock ticks in; bytes, timers and
//!   events out);
//! - [`driver`]: tokio acceptor and initiator built on the core;
//! - [`metrics`]: per-session metrics, and the `/metrics` and `/health` endpoint
//!   (`HttpAcceptPort`).
#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod core;
pub mod driver;
pub mod ids;
pub mod metrics;
pub mod settings;
pub mod store;
pub mod typed;

pub use crate::core::{Event, Output, Session, Transmit};
pub use app::{AppReject, Application, RawBody, RejectLogon, Responder};
pub use driver::{
    Acceptor, AcceptorHandle, Initiator, InitiatorHandle, SessionEvent, SessionHandle,
};
pub use settings::{ConnectionType, SessionId, SessionSettings, Settings, SettingsError};
pub use store::{FileStore, MemoryStore, MessageStore, StoreError, StoreFactory};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
