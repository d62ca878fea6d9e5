//! The quick start: the `acceptor` and `initiator` examples in one process, on a free
//! loopback port. Starts the exchange from `acceptor.cfg`, connects the order sender from
//! `initiator.cfg` to it, sends `--orders N` NewOrderSingles (default 1000), prints the
//! initiator's summary line and exits 0 when every order was filled (1 on any loss, reject or
//! timeout).
//!
//! ```text
//! cargo run --release -p fix-session --example demo [-- --orders 1000 --window 1]
//! ```
//!
//! The sample settings are used as they are except for the port (bound to 0, so any free
//! port) and the store and log folders, which go to a temporary folder removed at exit.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use fix_example_app::cli::{fail, sample, DemoArgs, Parser as _};
use fix_example_app::{trade, Exchange};
use fix_session::driver::Acceptor;
use fix_session::settings::Settings;
use fix_session::store::{SettingsStoreFactory, StoreFactory};
use fix_session::typed::Typed;

#[tokio::main]
async fn main() -> ExitCode {
    let args = DemoArgs::parse().orders;
    match run(args.orders, args.window, args.timeout()).await {
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

async fn run(orders: usize, window: usize, timeout: Duration) -> Result<String, String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
    let load = |name: &str| {
        let path = sample(name);
        Settings::from_file(&path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())))
    };
    let mut acc_settings = load("acceptor.cfg");
    for s in &mut acc_settings.sessions {
        s.socket_accept_host = Some("127.0.0.1".into());
        s.socket_accept_port = Some(0);
        s.file_store_path = Some(tmp.path().join("store/acceptor"));
        s.file_log_path = Some(tmp.path().join("log/acceptor"));
    }
    // The store each session's settings ask for: the embedded default, SQLite (one
    // `store.sqlite3` per engine in its FileStorePath), unless StoreType says otherwise.
    let stores: Arc<dyn StoreFactory> = Arc::new(SettingsStoreFactory::new());
    let (acceptor, _acc_events) = Acceptor::start(
        acc_settings,
        stores.clone(),
        Arc::new(Typed(Exchange::default())),
    )
    .await
    .map_err(|e| format!("acceptor: {e}"))?;
    let port = acceptor
        .local_addr()
        .ok_or("the acceptor listens nowhere")?
        .port();

    let mut ini_settings = load("initiator.cfg");
    for s in &mut ini_settings.sessions {
        s.socket_connect = vec![("127.0.0.1".into(), port)];
        s.file_store_path = Some(tmp.path().join("store/initiator"));
        s.file_log_path = Some(tmp.path().join("log/initiator"));
    }
    let result = trade(ini_settings, stores, "DEMO-", orders, window, timeout).await;
    acceptor.stop().await;
    result.map(|s| s.line())
}
