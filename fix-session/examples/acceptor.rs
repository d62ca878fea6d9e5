//! A small FIX.4.4 exchange: answers every NewOrderSingle with two ExecutionReports, New
//! (39=0/150=0) then Filled (39=2/150=F with LastQty, LastPx, CumQty and AvgPx), typed with
//! the `fix44` crate. Standard messages and session behaviour only, so any FIX.4.4 initiator
//! (QuickFIX, QuickFIX/J's Banzai, the `initiator` example) can trade with it.
//!
//! The application is `fix_example_app::Exchange` (tests/example-app), a
//! `fix_session::typed::TypedApplication` run through `Typed`: it reads each order through
//! the zero-copy `fix44::NewOrderSingleRef` view of the session's decoded message.
//!
//! ```text
//! cargo run --release -p fix-session --example acceptor -- --config fix-session/examples/acceptor.cfg [--port 9878] [--memory]
//! ```
//!
//! `--config` names a QuickFIX-style settings file (default: `acceptor.cfg` beside this
//! example); `--port` overrides SocketAcceptPort of every session; `--memory` keeps sequence
//! numbers and messages in memory instead of the settings' store (SQLite in FileStorePath by
//! default). Runs until Ctrl-C, then logs every session out.

use std::sync::Arc;

use fix_example_app::cli::{fail, AcceptorArgs, Parser as _};
use fix_example_app::{Exchange, ExchangeOptions};
use fix_session::driver::Acceptor;
use fix_session::settings::{ConnectionType, Settings};
use fix_session::store::{MemoryStoreFactory, SettingsStoreFactory, StoreFactory};
use fix_session::typed::Typed;

#[tokio::main]
async fn main() {
    let args = AcceptorArgs::parse();
    let config = args.config();
    let mut settings = Settings::from_file(&config)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", config.display())));
    if let Some(port) = args.port {
        for s in &mut settings.sessions {
            if s.connection_type == ConnectionType::Acceptor {
                s.socket_accept_port = Some(port);
            }
        }
    }
    let stores: Arc<dyn StoreFactory> = if args.memory {
        Arc::new(MemoryStoreFactory)
    } else {
        Arc::new(SettingsStoreFactory::new())
    };
    let exchange = Exchange::new(ExchangeOptions {
        verbose: true,
        ..ExchangeOptions::default()
    });
    let stats = exchange.stats();
    let (acceptor, mut events) = Acceptor::start(settings, stores, Arc::new(Typed(exchange)))
        .await
        .unwrap_or_else(|e| fail(&e.to_string()));
    for addr in acceptor.local_addrs() {
        println!("listening on {addr}");
    }
    for s in acceptor.sessions() {
        println!("session {}", s.id());
    }
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Some(ev) => {
                    if let fix_session::core::Event::Disconnected { reason } = &ev.event {
                        println!("{}: disconnected ({reason})", ev.session);
                    }
                }
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    println!("stopping: {} orders received", stats.orders());
    acceptor.stop().await;
}
