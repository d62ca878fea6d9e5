//! # fix-interop
//!
//! Harness for the interoperability tests against QuickFIX C++ (Debian's `libquickfix-dev`,
//! QuickFIX 1.15.1): the tests in `tests/` run our engine (`fix-session`) against `qfpeer`, a
//! small QuickFIX C++ program that `build.rs` compiles from `peer/qfpeer.cpp`.
//!
//! - [`peer`]: [`QfPeer`], the QuickFIX process (killed on drop), driven through stdin and
//!   read through its machine-readable stdout lines;
//! - [`ours`]: [`OurApp`], our side's application (an exchange and a client in one), recording
//!   what it receives;
//! - [`relay`]: [`Relay`], a TCP relay between the two engines that can swallow traffic and
//!   cut connections;
//! - [`messages`]: the message bodies both sides send and the repeating-group summary both
//!   sides print, so one string compares them;
//! - [`logs`]: scanning both engines' file logs for rejects and sequence errors.
//!
//! When the QuickFIX headers were absent at build time [`PEER`] is `None` and the tests are
//! skipped (see [`peer_or_skip`]).

pub mod logs;
pub mod messages;
pub mod ours;
pub mod peer;
pub mod relay;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use ours::OurApp;
pub use peer::QfPeer;
pub use relay::Relay;

/// Errors of the harness (a test failure with a message).
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Path of the QuickFIX peer binary, when `build.rs` could build it.
#[cfg(quickfix_peer)]
pub const PEER: Option<&str> = Some(env!("FIX_INTEROP_QFPEER"));
/// Path of the QuickFIX peer binary, when `build.rs` could build it.
#[cfg(not(quickfix_peer))]
pub const PEER: Option<&str> = None;

/// The peer binary for a test, or `None` (after printing "skipped") when it was not built.
///
/// # Panics
/// When the peer was not built and the environment variable `FIX_INTEROP_REQUIRED` is `1`:
/// CI must not pass by skipping.
pub fn peer_or_skip(test: &str) -> Option<PathBuf> {
    match PEER {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            if std::env::var("FIX_INTEROP_REQUIRED").as_deref() == Ok("1") {
                panic!("{test}: libquickfix-dev not installed, and FIX_INTEROP_REQUIRED=1");
            }
            println!("{test}: skipped: libquickfix-dev not installed");
            None
        }
    }
}

/// The workspace's `dictionaries/` folder.
pub fn dictionaries() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dictionaries")
}

/// A FIX version under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// FIX.4.2.
    Fix42,
    /// FIX.4.4.
    Fix44,
    /// FIXT.1.1 with FIX.5.0SP2 as the default application version.
    Fix50Sp2,
}

impl Version {
    /// BeginString (8).
    pub fn begin_string(self) -> &'static str {
        match self {
            Version::Fix42 => "FIX.4.2",
            Version::Fix44 => "FIX.4.4",
            Version::Fix50Sp2 => "FIXT.1.1",
        }
    }

    /// Whether ExecutionReports carry NoPartyIDs (FIX.4.4 and later) besides NoContraBrokers.
    pub fn has_parties(self) -> bool {
        self != Version::Fix42
    }

    /// The version of a BeginString.
    pub fn of_begin_string(bs: &str) -> Option<Version> {
        match bs {
            "FIX.4.2" => Some(Version::Fix42),
            "FIX.4.4" => Some(Version::Fix44),
            "FIXT.1.1" => Some(Version::Fix50Sp2),
            _ => None,
        }
    }

    /// Settings lines naming the dictionaries, with validation on; the same keys work for
    /// QuickFIX and for our engine.
    pub fn dictionary_settings(self) -> String {
        let d = dictionaries();
        let dict = |name: &str| d.join(name).display().to_string();
        let mut s = String::from("UseDataDictionary=Y\n");
        match self {
            Version::Fix42 => s += &format!("DataDictionary={}\n", dict("FIX42.xml")),
            Version::Fix44 => s += &format!("DataDictionary={}\n", dict("FIX44.xml")),
            Version::Fix50Sp2 => {
                s += &format!(
                "TransportDataDictionary={}\nAppDataDictionary={}\nDefaultApplVerID=FIX.5.0SP2\n",
                dict("FIXT11.xml"),
                dict("FIX50SP2.xml")
            )
            }
        }
        s
    }
}

/// Which end of the TCP connection a side is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Connects and sends the Logon.
    Initiator,
    /// Listens.
    Acceptor,
}

impl Role {
    /// `initiator` or `acceptor`, as QuickFIX's ConnectionType spells it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Initiator => "initiator",
            Role::Acceptor => "acceptor",
        }
    }
}

/// QuickFIX-style settings text for one session, read by both engines. (ReconnectInterval
/// goes in `[DEFAULT]`: QuickFIX C++ reads it only there.)
///
/// `connect` is the port an initiator connects to, `accept` the port an acceptor listens
/// on (0: any). `dir` receives the store and log folders.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The version.
    pub version: Version,
    /// Acceptor or initiator.
    pub role: Role,
    /// SenderCompID.
    pub sender: String,
    /// TargetCompID.
    pub target: String,
    /// Port to connect to (initiator) or listen on (acceptor; 0 picks one).
    pub port: u16,
    /// HeartBtInt in seconds (initiator).
    pub heart_bt_int: u32,
    /// Folder holding `store/` and `log/`.
    pub dir: PathBuf,
    /// More `[DEFAULT]` lines (`Key=Value\n` each).
    pub extra: String,
    /// More `[SESSION]` lines (they override `[DEFAULT]`).
    pub session_extra: String,
}

impl SessionConfig {
    /// FileLogPath.
    pub fn log_dir(&self) -> PathBuf {
        self.dir.join("log")
    }

    /// The settings text.
    pub fn to_settings(&self) -> String {
        let mut s = format!(
            "[DEFAULT]\nConnectionType={}\nStartTime=00:00:00\nEndTime=00:00:00\n\
             FileStorePath={}\nFileLogPath={}\nResetOnLogon=N\nResetOnLogout=N\n\
             ResetOnDisconnect=N\nPersistMessages=Y\nCheckCompID=Y\nCheckLatency=Y\n\
             MaxLatency=120\nValidateFieldsOutOfOrder=Y\nValidateFieldsHaveValues=Y\n\
             ValidateUserDefinedFields=Y\nAllowUnknownMsgFields=N\nLogonTimeout=10\n\
             LogoutTimeout=5\nReconnectInterval=1\n",
            self.role.name(),
            self.dir.join("store").display(),
            self.log_dir().display(),
        );
        s += &self.version.dictionary_settings();
        s += &self.extra;
        s += &format!(
            "[SESSION]\nBeginString={}\nSenderCompID={}\nTargetCompID={}\n",
            self.version.begin_string(),
            self.sender,
            self.target
        );
        s += &self.session_extra;
        match self.role {
            Role::Initiator => {
                s += &format!(
                    "SocketConnectHost=127.0.0.1\nSocketConnectPort={}\n\
                     HeartBtInt={}\n",
                    self.port, self.heart_bt_int
                )
            }
            Role::Acceptor => {
                s += &format!(
                    "SocketAcceptHost=127.0.0.1\nSocketAcceptPort={}\n",
                    self.port
                )
            }
        }
        s
    }
}

/// A port that was free a moment ago (for QuickFIX, which cannot report the port it bound).
pub fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// Polls `cond` every 10 ms until it holds or `timeout` passes; the error names `what`.
pub async fn wait_until(
    what: &str,
    timeout: Duration,
    mut cond: impl FnMut() -> bool,
) -> Result<(), Error> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if cond() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
