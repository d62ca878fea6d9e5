//! The examples' and the loopback bench's command lines (clap), and their shared helpers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};

/// clap's parsing trait, for `DemoArgs::parse()` and the like.
pub use clap::Parser;

/// How many orders to send and how: the options of `initiator` and `demo`.
#[derive(Debug, Clone, Args)]
pub struct OrderArgs {
    /// NewOrderSingles to send.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub orders: usize,
    /// Orders in flight at most (1: each order waits for the previous fill, so the
    /// percentiles are pure round trips).
    #[arg(long, value_name = "W", default_value_t = 1)]
    pub window: usize,
    /// Seconds to wait for logon and for every fill.
    #[arg(long = "timeout", value_name = "SECS", default_value_t = 60)]
    pub timeout_secs: u64,
}

impl OrderArgs {
    /// `--timeout` as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

/// The `demo` example's command line.
#[derive(Debug, Parser)]
#[command(
    name = "demo",
    about = "Runs the acceptor and initiator examples together on a free loopback port."
)]
pub struct DemoArgs {
    /// The orders.
    #[command(flatten)]
    pub orders: OrderArgs,
}

/// The `acceptor` example's command line.
#[derive(Debug, Parser)]
#[command(
    name = "acceptor",
    about = "Serves the acceptor sessions of a settings file as a small exchange."
)]
pub struct AcceptorArgs {
    /// QuickFIX-style settings file [default: fix-session/examples/acceptor.cfg].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Overrides SocketAcceptPort of every acceptor session.
    #[arg(long)]
    pub port: Option<u16>,
    /// Keeps sequence numbers and messages in memory instead of the settings' store.
    #[arg(long)]
    pub memory: bool,
}

impl AcceptorArgs {
    /// `--config`, or the sample `acceptor.cfg`.
    pub fn config(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| sample("acceptor.cfg"))
    }
}

/// The `initiator` example's command line.
#[derive(Debug, Parser)]
#[command(
    name = "initiator",
    about = "Sends NewOrderSingles on the first initiator session of a settings file and prints \
             one summary line; exits non-zero on any loss, reject or timeout."
)]
pub struct InitiatorArgs {
    /// QuickFIX-style settings file [default: fix-session/examples/initiator.cfg].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Overrides SocketConnectPort.
    #[arg(long)]
    pub port: Option<u16>,
    /// The orders.
    #[command(flatten)]
    pub orders: OrderArgs,
    /// Keeps sequence numbers and messages in memory instead of the settings' store.
    #[arg(long)]
    pub memory: bool,
}

impl InitiatorArgs {
    /// `--config`, or the sample `initiator.cfg`.
    pub fn config(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| sample("initiator.cfg"))
    }
}

/// Which measurements the loopback bench makes (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Only {
    /// Throughput, one way.
    OneWay,
    /// Round trips, one order at a time.
    RoundTrip,
}

/// The store the loopback bench uses (`--store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// `MemoryStoreFactory`.
    Memory,
    /// `FileStoreFactory`.
    File,
}

/// How the loopback bench sends one way (`--send`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SendMode {
    /// `SessionHandle::enqueue`, one message at a time.
    Queued,
    /// `SessionHandle::enqueue_all` over the sender's orders.
    Batch,
    /// `SessionHandle::send`, awaiting each message's MsgSeqNum.
    Awaited,
}

/// Where the loopback bench's tasks run (`--runtime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum RuntimeFlavour {
    /// One 2-worker multi-thread runtime for everything.
    #[default]
    Multi,
    /// One current-thread runtime for everything.
    Current,
    /// A current-thread runtime per side: the initiator, its senders and the bench on the
    /// main thread, the acceptor on a thread of its own.
    PerSide,
}

/// The loopback bench's command line.
#[derive(Debug, Parser)]
#[command(name = "loopback", about = "Loopback bench of the session engine")]
pub struct LoopbackArgs {
    /// Orders sent one way per measurement.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub orders: usize,
    /// Round trips per measurement.
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub round_trips: usize,
    /// Only one kind of measurement.
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// Only one store.
    #[arg(long, value_enum)]
    pub store: Option<StoreKind>,
    /// Sending tasks one way [default: 1, then 4].
    #[arg(long, value_name = "N")]
    pub senders: Option<usize>,
    /// Only one way of sending.
    #[arg(long, value_enum)]
    pub send: Option<SendMode>,
    /// Over TLS 1.3 (rustls).
    #[arg(long)]
    pub tls: bool,
    /// Orders built in the timed loop and read through their typed view by the counting
    /// application.
    #[arg(long)]
    pub app_work: bool,
    /// Where the tasks run.
    #[arg(long, value_enum, default_value_t)]
    pub runtime: RuntimeFlavour,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
}

/// Prints `msg` to stderr and exits with status 2.
pub fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

/// The path of a sample settings file shipped beside the examples (`fix-session/examples`).
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fix-session/examples")
        .join(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_lines_are_consistent() {
        for cmd in [
            DemoArgs::command(),
            AcceptorArgs::command(),
            InitiatorArgs::command(),
            LoopbackArgs::command(),
        ] {
            cmd.debug_assert();
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let a = InitiatorArgs::parse_from(["initiator"]);
        assert_eq!((a.orders.orders, a.orders.window), (1000, 1));
        assert_eq!(a.orders.timeout(), Duration::from_secs(60));
        assert!(!a.memory && a.port.is_none());
        assert!(a.config().ends_with("initiator.cfg") && a.config().exists());
        let b = LoopbackArgs::parse_from(["loopback", "--bench"]);
        assert_eq!((b.orders, b.round_trips), (100_000, 20_000));
        assert_eq!(b.runtime, RuntimeFlavour::Multi);
        assert!(b.only.is_none() && b.store.is_none() && b.send.is_none());
    }

    #[test]
    fn options_parse_in_both_spellings() {
        let a = AcceptorArgs::parse_from(["acceptor", "--port=9000", "--memory"]);
        assert_eq!(a.port, Some(9000));
        assert!(a.memory);
        let b = LoopbackArgs::parse_from([
            "loopback",
            "--only",
            "one-way",
            "--send",
            "batch",
            "--runtime",
            "per-side",
            "--senders",
            "4",
        ]);
        assert_eq!(b.only, Some(Only::OneWay));
        assert_eq!(b.send, Some(SendMode::Batch));
        assert_eq!(b.runtime, RuntimeFlavour::PerSide);
        assert_eq!(b.senders, Some(4));
        assert!(DemoArgs::try_parse_from(["demo", "--orders", "x"]).is_err());
        assert!(DemoArgs::try_parse_from(["demo", "--unknown"]).is_err());
    }
}
