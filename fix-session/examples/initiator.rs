//! A FIX.4.4 order sender: logs on, sends `--orders N` NewOrderSingles (typed with the `fix44`
//! crate; limit buy orders, ClOrdIDs unique to the run), waits until every one is filled
//! (an ExecutionReport with OrdStatus 39=2), logs out and prints one summary line with the
//! count and the round-trip percentiles (NewOrderSingle sent to its fill received, in
//! microseconds). Exits with status 1 on any loss (an order not filled in time), reject
//! (an ExecutionReport 39=8, a BusinessMessageReject or a session Reject, either way) or
//! timeout. Standard messages and session behaviour only: it trades with any FIX.4.4
//! acceptor that fills orders (the `acceptor` example, QuickFIX's or QuickFIX/J's Executor).
//!
//! ```text
//! cargo run --release -p fix-session --example initiator -- --config fix-session/examples/initiator.cfg \
//!     [--port 9878] [--orders 1000] [--window 1] [--timeout 60] [--memory]
//! ```
//!
//! `--window W` keeps up to W orders in flight (1: each order waits for the previous fill, so
//! the percentiles are pure round trips); `--port` overrides SocketConnectPort; `--memory`
//! keeps sequence numbers in memory instead of the settings' store (SQLite by default).
//!
//! The application is `fix_example_app::Client` (tests/example-app), a
//! `fix_session::typed::TypedApplication` reading each ExecutionReport through the zero-copy
//! `fix44::ExecutionReportRef` view into a lock-free `Blotter` of the orders.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use fix_example_app::cli::{fail, InitiatorArgs, Parser as _};
use fix_example_app::trade;
use fix_session::settings::{ConnectionType, Settings};
use fix_session::store::{MemoryStoreFactory, SettingsStoreFactory, StoreFactory};

#[tokio::main]
async fn main() -> ExitCode {
    let args = InitiatorArgs::parse();
    let config = args.config();
    let (orders, window, timeout) = (
        args.orders.orders,
        args.orders.window,
        args.orders.timeout(),
    );
    let mut settings = Settings::from_file(&config)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", config.display())));
    settings
        .sessions
        .retain(|s| s.connection_type == ConnectionType::Initiator);
    settings.sessions.truncate(1);
    if settings.sessions.is_empty() {
        fail(&format!("{}: no initiator session", config.display()));
    }
    if let Some(port) = args.port {
        for (_, p) in &mut settings.sessions[0].socket_connect {
            *p = port;
        }
    }
    let stores: Arc<dyn StoreFactory> = if args.memory {
        Arc::new(MemoryStoreFactory)
    } else {
        Arc::new(SettingsStoreFactory::new())
    };
    match run(settings, stores, orders, window, timeout).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the orders; returns the summary line.
async fn run(
    settings: Settings,
    stores: Arc<dyn StoreFactory>,
    orders: usize,
    window: usize,
    timeout: Duration,
) -> Result<String, String> {
    // ClOrdIDs unique to this run: the session (and its store) outlives it.
    let run_id = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let prefix = format!("C{run_id}-");
    trade(settings, stores, &prefix, orders, window, timeout)
        .await
        .map(|s| s.line())
}
