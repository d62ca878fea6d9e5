//! An engine process for the store crash and failover tests (`tests/tests/store_crash.rs`,
//! `tests/tests/store_failover.rs`): real processes that the tests kill with SIGKILL or pause
//! with SIGSTOP.
//!
//! ```text
//! store-engine sender   --settings FILE --orders N [--window W] [--owner NAME]
//! store-engine exchange --settings FILE --name NAME [--owner NAME]
//! ```
//!
//! Both open their store from the settings file's `StoreType` keys with
//! [`SettingsStoreFactory`].
//!
//! - `sender`: an initiator sending NewOrderSingles with ClOrdIDs `ORD-1` to `ORD-N`, `W` at
//!   a time (enqueued, then flushed: persisted and written). On start it finds where an
//!   earlier run of it stopped from its own store: the last order the store holds below the
//!   next sender sequence number was handed to the session (it will be resent on request if
//!   it never reached the wire), so sending resumes after it. Prints `LOGGED_ON`, `SENT n`
//!   after each window and `SENT_ALL`, then keeps the session up until killed.
//! - `exchange`: an acceptor answering each NewOrderSingle with a filled ExecutionReport
//!   whose ExecID is `NAME-<ClOrdID>`. Prints `STARTING` (it may wait for the session's
//!   PostgreSQL lease), `LISTENING` once it serves, and `ORDER <ClOrdID> <PossDupFlag>` per
//!   order its application receives and `DISCONNECTED <reason>` when a connection ends. Runs
//!   until killed.
//!
//! `--owner` names the PostgreSQL lease owner (default: made from the process id).

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use fix_core::MessageView;
use fix_session::store::{MessageStore, SettingsStoreFactory, StoreFactory};
use fix_session::{
    Acceptor, AppReject, Application, Event, Initiator, RawBody, Responder, SessionId, Settings,
};
use fix_tests::engine::order;

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "Engine process for the store crash and failover tests")]
struct Args {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// An initiator sending ORD-1..ORD-N, resuming after a crash.
    Sender {
        /// QuickFIX-style settings file (one initiator session).
        #[arg(long)]
        settings: String,
        /// Orders to send in all.
        #[arg(long)]
        orders: u64,
        /// Orders per flush.
        #[arg(long, default_value_t = 50)]
        window: u64,
        /// PostgreSQL lease owner name.
        #[arg(long)]
        owner: Option<String>,
    },
    /// An acceptor answering each order with an ExecutionReport.
    Exchange {
        /// QuickFIX-style settings file (acceptor sessions).
        #[arg(long)]
        settings: String,
        /// Prefix of the ExecIDs this process gives.
        #[arg(long)]
        name: String,
        /// PostgreSQL lease owner name.
        #[arg(long)]
        owner: Option<String>,
    },
}

fn factory(owner: Option<&str>) -> Arc<SettingsStoreFactory> {
    Arc::new(match owner {
        Some(o) => SettingsStoreFactory::with_postgres_owner(o),
        None => SettingsStoreFactory::new(),
    })
}

fn say(line: &str) {
    // stdout is line-buffered: each line reaches the test as it is printed.
    println!("{line}");
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let r = match args.mode {
        Mode::Sender {
            settings,
            orders,
            window,
            owner,
        } => sender(&settings, orders, window.max(1), owner.as_deref()).await,
        Mode::Exchange {
            settings,
            name,
            owner,
        } => exchange(&settings, &name, owner.as_deref()).await,
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("store-engine: {e}");
            ExitCode::FAILURE
        }
    }
}

fn load(path: &str) -> Result<Settings, String> {
    Settings::from_file(path).map_err(|e| format!("{path}: {e}"))
}

/// The ClOrdID number of a stored NewOrderSingle, if `msg` is one of ours.
fn order_number(msg: &[u8]) -> Option<u64> {
    let fields = || msg.split(|&b| b == 1);
    fields().find(|f| *f == b"35=D")?;
    let id = fields().find_map(|f| f.strip_prefix(b"11=ORD-"))?;
    std::str::from_utf8(id).ok()?.parse().ok()
}

/// Where an earlier run stopped: the highest order number in the store below the next
/// sender sequence number.
async fn resume_point(store: &mut dyn MessageStore) -> Result<u64, String> {
    let next = store.next_sender_seq();
    let saved = store
        .get(1, next.saturating_sub(1))
        .await
        .map_err(|e| e.to_string())?;
    Ok(saved
        .iter()
        .rev()
        .find_map(|(_, m)| order_number(m))
        .unwrap_or(0))
}

async fn sender(path: &str, orders: u64, window: u64, owner: Option<&str>) -> Result<(), String> {
    let settings = load(path)?;
    let session = settings
        .sessions
        .first()
        .ok_or("the settings have no session")?
        .clone();
    let stores = factory(owner);
    let mut done = {
        let mut store = stores
            .create(&session)
            .await
            .map_err(|e| format!("store: {e}"))?;
        resume_point(store.as_mut()).await?
    };
    say(&format!("RESUME {done}"));
    let (handle, mut events) = Initiator::start(settings, stores, Arc::new(Quiet))
        .await
        .map_err(|e| e.to_string())?;
    let session = handle
        .session(&session.id)
        .ok_or("the initiator has no such session")?
        .clone();
    let (logged_on_tx, mut logged_on) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            match ev.event {
                Event::LoggedOn => {
                    say("LOGGED_ON");
                    let _ = logged_on_tx.send(true);
                }
                Event::LoggedOut | Event::Disconnected { .. } => {
                    let _ = logged_on_tx.send(false);
                }
                _ => {}
            }
        }
    });
    while done < orders {
        logged_on
            .wait_for(|on| *on)
            .await
            .map_err(|_| "the session ended")?;
        let last = (done + window).min(orders);
        let refused = session.refused();
        session
            .enqueue_all((done + 1..=last).map(order))
            .await
            .map_err(|e| e.to_string())?;
        session.flush().await.map_err(|e| e.to_string())?;
        if session.refused() != refused {
            // Logged out meanwhile: send the window again once logged on.
            continue;
        }
        done = last;
        say(&format!("SENT {done}"));
    }
    say("SENT_ALL");
    // Keep the session up (heartbeats, resend requests) until killed.
    std::future::pending::<()>().await;
    Ok(())
}

/// An application that answers nothing.
struct Quiet;
impl Application for Quiet {}

/// Answers orders with filled ExecutionReports.
struct Fills {
    name: String,
}

fn field<'a>(msg: &MessageView<'a>, tag: fix_core::Tag) -> &'a [u8] {
    msg.field(tag).unwrap_or(b"")
}

impl Application for Fills {
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        if msg.msg_type() != b"D" {
            return Err(AppReject::UnsupportedMessageType);
        }
        let cl = String::from_utf8_lossy(field(msg, 11)).into_owned();
        let poss_dup = if field(msg, 43) == b"Y" { "Y" } else { "N" };
        say(&format!("ORDER {cl} {poss_dup}"));
        out.reply(
            RawBody::new("8")
                .with(37, format!("O-{cl}"))
                .with(11, cl.as_bytes())
                .with(17, format!("{}-{cl}", self.name))
                .with(150, "F")
                .with(39, "2")
                .with(55, field(msg, 55))
                .with(54, field(msg, 54))
                .with(151, "0")
                .with(14, field(msg, 38))
                .with(6, "1"),
        );
        Ok(())
    }
}

async fn exchange(path: &str, name: &str, owner: Option<&str>) -> Result<(), String> {
    let settings = load(path)?;
    say("STARTING");
    let app = Arc::new(Fills {
        name: name.to_string(),
    });
    let (_acceptor, mut events) = Acceptor::start(settings, factory(owner), app)
        .await
        .map_err(|e| e.to_string())?;
    say("LISTENING");
    while let Some(ev) = events.recv().await {
        if let Event::Disconnected { reason } = ev.event {
            say(&format!("DISCONNECTED {reason}"));
        }
    }
    std::future::pending::<()>().await;
    Ok(())
}
