//! What the core hands to the driver and the user: outputs, events, states, errors.

use std::time::SystemTime;

use thiserror::Error;

/// A message to write, already sequenced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transmit {
    /// MsgSeqNum (34) of the message.
    pub seq: u64,
    /// The whole message.
    pub bytes: Vec<u8>,
    /// A new message: save it under `seq` and set the next sender sequence number to
    /// `seq + 1` before writing (`MessageStore::save_and_increment`). False for resent
    /// messages and gap fills.
    pub store: bool,
}

/// Something the driver must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Persist (if [`Transmit::store`]), then write.
    Send(Transmit),
    /// Reset the store (both sequence numbers to 1, messages dropped, creation time `now`).
    ResetStore {
        /// The new creation time.
        now: SystemTime,
    },
    /// Load stored messages `begin..=end` and hand them to
    /// [`Session::provide_resend`](super::Session::provide_resend).
    FetchResend {
        /// First sequence number.
        begin: u64,
        /// Last sequence number.
        end: u64,
    },
    /// Close the connection (after writing what came before).
    Disconnect,
}

/// What happened, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The session is logged on.
    LoggedOn,
    /// The session logged out or lost its connection after logon.
    LoggedOut,
    /// An application message was received (in sequence, valid).
    App {
        /// MsgType (35).
        msg_type: String,
        /// MsgSeqNum (34).
        seq: u64,
        /// The whole message.
        bytes: Vec<u8>,
    },
    /// We rejected a received message (Reject or BusinessMessageReject).
    Rejected {
        /// MsgSeqNum of the rejected message.
        seq: u64,
        /// The text sent.
        text: String,
    },
    /// A Reject (35=3) was received.
    RejectReceived {
        /// The whole message.
        bytes: Vec<u8>,
    },
    /// The connection is to be closed.
    Disconnected {
        /// Why.
        reason: String,
    },
}

/// Why [`Session::send`](super::Session::send) refused a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SendError {
    /// The session is not logged on.
    #[error("session is not logged on")]
    NotLoggedOn,
    /// The application's `to_app` vetoed the message.
    #[error("message vetoed by the application")]
    Vetoed,
    /// A value contained SOH.
    #[error("message could not be encoded: {0}")]
    Encode(#[from] fix_core::EncodeError),
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// No connection.
    Disconnected,
    /// Connected; waiting for the Logon (acceptor) or its answer (initiator).
    AwaitingLogon,
    /// Logged on.
    Active,
    /// We sent a Logout and wait for the answer.
    LogoutSent,
}
