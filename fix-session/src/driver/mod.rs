//! tokio drivers: an [`Acceptor`] serving many sessions on one port and an [`Initiator`]
//! that connects (with ReconnectInterval and failover hosts).
//!
//! With SocketUseSSL=Y connections run over TLS (see [`tls`] and the
//! [settings docs](crate::settings#tls)): the acceptor completes the handshake (in the
//! connection's own task, within [`tls::HANDSHAKE_TIMEOUT`]) before it reads the Logon that
//! routes the connection to its session; a failed handshake is logged and closes that
//! connection only. An initiator's failed handshake is a failed connection attempt: it is
//! reported as an [`Event::Disconnected`] whose reason starts with `TLS handshake`, and the
//! session tries again after ReconnectInterval (next failover host first).
//!
//! Each session runs in its own task that owns the sans-IO [`Session`](crate::core::Session)
//! and its store, and applies the core's outputs in order: persist (store) then write
//! (socket). The tasks run on the engine's event loops (one single-threaded runtime per core,
//! whatever runtime calls `start`; [`THREADS_ENV`] sets their number): a session's socket,
//! timers and the application's callbacks all run on its loop's thread, so callbacks must not
//! block. With
//! `SocketBusyPoll=Y` (see the [settings docs](crate::settings#socket)) that task polls its
//! socket and send queue for `SocketBusyPollTime` before parking, yielding to the runtime's
//! other tasks and to the kernel between polls: lower latency with a core to spare, worse on
//! a machine whose cores are all busy. Events go to the
//! [`Application`](crate::app::Application) callbacks (called by the core) and, as [`SessionEvent`]s, to the channel
//! returned by `start`; dropping that receiver is fine.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use fix_session::{driver::Acceptor, settings::Settings, store::MemoryStoreFactory, app::NullApplication};
//! let settings = Settings::from_file("acceptor.cfg")?;
//! let (handle, mut events) = Acceptor::start(settings, Arc::new(MemoryStoreFactory), Arc::new(NullApplication)).await?;
//! while let Some(ev) = events.recv().await {
//!     println!("{}: {:?}", ev.session, ev.event);
//! }
//! handle.stop().await;
//! # Ok(()) }
//! ```

use thiserror::Error;

use crate::core::{Event, SendError};
use crate::settings::{SessionId, SettingsError};
use crate::store::StoreError;

mod acceptor;
mod busy_poll;
mod connection;
mod dynamic;
mod handle;
mod initiator;
mod log;
mod loops;
mod socket;
mod stream;
#[cfg_attr(not(feature = "tls"), path = "tls_off.rs")]
pub mod tls;

pub use acceptor::{Acceptor, AcceptorHandle};
pub use handle::SessionHandle;
pub use initiator::{Initiator, InitiatorHandle};
pub use loops::THREADS_ENV;

/// An event of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEvent {
    /// Which session.
    pub session: SessionId,
    /// What happened.
    pub event: Event,
}

/// Why a driver could not start or a send failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DriverError {
    /// Settings or a dictionary could not be loaded.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Socket error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// No session with this id.
    #[error("unknown session {0}")]
    UnknownSession(String),
    /// The session refused the message.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The session task has stopped.
    #[error("session stopped")]
    Stopped,
    /// Nothing to run.
    #[error("no {0} session in the settings")]
    NoSessions(&'static str),
    /// A TLS configuration could not be built (SocketUseSSL=Y).
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// A message the session accepted was not persisted, so it was not sent: the store (or
    /// the socket) failed first, and the connection is closed.
    #[error("message {seq} not persisted")]
    NotPersisted {
        /// Its MsgSeqNum.
        seq: u64,
        /// The failure, shared by every message of the batch.
        #[source]
        source: std::sync::Arc<DriverError>,
    },
}

/// How many messages a session's send queue holds: [`SessionHandle::send`] and
/// [`SessionHandle::enqueue`] wait for room when it is full (backpressure).
pub const SEND_QUEUE_CAPACITY: usize = 4096;

/// At most this many queued commands are taken into one batch (one store call, one socket
/// write) ...
pub(crate) const MAX_BATCH_COMMANDS: usize = 256;
/// ... or until this many bytes are waiting to be written.
pub(crate) const MAX_BATCH_BYTES: usize = 64 * 1024;
