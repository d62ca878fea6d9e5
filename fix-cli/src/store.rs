//! `fix store`: read the store an engine writes (SQLite, PostgreSQL, file) through the
//! settings file that configures it: list its sessions, show stored messages decoded as
//! `fix decode` does, and reset sequence numbers.
//!
//! `sessions` and `messages` open stores read-only ([`fix_session::store::open_read_only`]):
//! they never write, whether the engine runs or not. Only `reset --yes` opens a store for
//! writing, as the engine does (for PostgreSQL it takes the session's lease, so it waits
//! while an engine holds the session).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use anyhow::{anyhow, bail, Context as _};
use fix_core::value::{Precision, UtcTimestamp};
use fix_core::FixValue as _;
use fix_session::settings::{SessionSettings, Settings};
use fix_session::store::{open_read_only, SettingsStoreFactory, StoreFactory as _, StoredSession};
use serde::Serialize;

use crate::decode::{dictionaries, Item, LineDecoder};
use crate::render::{self, Style};
use crate::{DictionaryArgs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// Arguments of `fix store`.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: StoreCommand,
}

/// The `fix store` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum StoreCommand {
    /// Each session of the settings file: next sequence numbers, creation time, message
    /// count (read-only).
    Sessions {
        /// The engine's settings file (QuickFIX style or TOML).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// One JSON object per session, one per line.
        #[arg(long)]
        json: bool,
    },
    /// The messages a session sent, as stored, decoded like `fix decode` (read-only). The
    /// line number printed is the MsgSeqNum. Exit status 1 when `--clordid` matches nothing.
    Messages {
        /// The engine's settings file.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The session, as `fix store sessions` names it (`FIX.4.4:SENDER->TARGET`).
        #[arg(long, value_name = "ID")]
        session: String,
        /// MsgSeqNums `FROM..TO` (either end may be left out), or one number.
        #[arg(long, value_name = "FROM..TO")]
        seq: Option<String>,
        /// Only messages whose ClOrdID (11) is this.
        #[arg(long, value_name = "X")]
        clordid: Option<String>,
        /// One JSON object per message, as `fix decode --json` prints.
        #[arg(long)]
        json: bool,
        /// The dictionary to decode with.
        #[command(flatten)]
        dicts: DictionaryArgs,
    },
    /// Sets a session's next sender and target sequence numbers (the fix for a sequence
    /// mismatch agreed with the counterparty). Stop the engine first. Refuses without --yes.
    Reset {
        /// The engine's settings file.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The session, as `fix store sessions` names it.
        #[arg(long, value_name = "ID")]
        session: String,
        /// The next MsgSeqNum the session will send.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        sender_seq: u64,
        /// The next MsgSeqNum the session will expect.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        target_seq: u64,
        /// Confirms the reset: without it nothing is written.
        #[arg(long)]
        yes: bool,
    },
}

/// Runs `fix store` and returns the exit status.
pub fn run(args: &StoreArgs) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fix: cannot start the runtime: {e}");
            return EXIT_USAGE;
        }
    };
    match runtime.block_on(command(&args.command)) {
        Ok(status) => status,
        Err(e) => {
            eprintln!("fix: {e:#}");
            EXIT_USAGE
        }
    }
}

async fn command(cmd: &StoreCommand) -> anyhow::Result<i32> {
    match cmd {
        StoreCommand::Sessions { config, json } => sessions(&load(config)?, *json).await,
        StoreCommand::Messages {
            config,
            session,
            seq,
            clordid,
            json,
            dicts,
        } => {
            let settings = load(config)?;
            let s = find(&settings, session)?;
            let (from, to) = match seq {
                Some(r) => parse_range(r)?,
                None => (1, u64::MAX),
            };
            messages(s, from, to, clordid.as_deref(), *json, dicts).await
        }
        StoreCommand::Reset {
            config,
            session,
            sender_seq,
            target_seq,
            yes,
        } => {
            let settings = load(config)?;
            reset(find(&settings, session)?, *sender_seq, *target_seq, *yes).await
        }
    }
}

fn load(config: &PathBuf) -> anyhow::Result<Settings> {
    Settings::from_file(config).with_context(|| format!("{}", config.display()))
}

/// The session named `id` (as its `Display` writes it).
fn find<'s>(settings: &'s Settings, id: &str) -> anyhow::Result<&'s SessionSettings> {
    settings
        .sessions
        .iter()
        .find(|s| s.id.to_string() == id)
        .ok_or_else(|| {
            let known: Vec<String> = settings.sessions.iter().map(|s| s.id.to_string()).collect();
            anyhow!(
                "no session {id} in the settings; sessions: {}",
                known.join(", ")
            )
        })
}

/// `FROM..TO`, `FROM..`, `..TO` or `N`.
pub fn parse_range(text: &str) -> anyhow::Result<(u64, u64)> {
    let num = |s: &str, default: u64| -> anyhow::Result<u64> {
        if s.is_empty() {
            return Ok(default);
        }
        s.trim()
            .parse()
            .with_context(|| format!("--seq {text}: `{s}` is not a sequence number"))
    };
    let (from, to) = match text.split_once("..") {
        Some((a, b)) => (num(a, 1)?, num(b, u64::MAX)?),
        None => {
            let n = num(text, 0)?;
            (n, n)
        }
    };
    if from > to {
        bail!("--seq {text}: the range is empty");
    }
    Ok((from, to))
}

fn timestamp(t: SystemTime) -> String {
    let mut out = Vec::new();
    if let Some(ts) = UtcTimestamp::from_system_time(t, Precision::Seconds) {
        ts.write(&mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One line of `fix store sessions --json`.
#[derive(Debug, Serialize)]
struct SessionLine {
    session: String,
    store: String,
    stored: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_sender_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_target_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_count: Option<u64>,
}

async fn sessions(settings: &Settings, json: bool) -> anyhow::Result<i32> {
    let mut out = BufWriter::new(io::stdout().lock());
    if !json {
        writeln!(
            out,
            "{:<40} {:>11} {:>11} {:<17} {:>8}  STORE",
            "SESSION", "NEXT-SENDER", "NEXT-TARGET", "CREATED", "MESSAGES"
        )?;
    }
    for s in &settings.sessions {
        let found: Option<StoredSession> = open_read_only(s)
            .await
            .with_context(|| format!("session {}", s.id))?
            .session()
            .await
            .with_context(|| format!("session {}", s.id))?;
        let store = format!("{:?}", s.store_type).to_lowercase();
        if json {
            let line = SessionLine {
                session: s.id.to_string(),
                store,
                stored: found.is_some(),
                next_sender_seq: found.as_ref().map(|f| f.next_sender_seq),
                next_target_seq: found.as_ref().map(|f| f.next_target_seq),
                creation_time: found.as_ref().map(|f| timestamp(f.creation_time)),
                message_count: found.as_ref().map(|f| f.message_count),
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
            continue;
        }
        match found {
            Some(f) => writeln!(
                out,
                "{:<40} {:>11} {:>11} {:<17} {:>8}  {store}",
                s.id.to_string(),
                f.next_sender_seq,
                f.next_target_seq,
                timestamp(f.creation_time),
                f.message_count
            )?,
            None => writeln!(
                out,
                "{:<40} {:>11} {:>11} {:<17} {:>8}  {store} (nothing stored)",
                s.id.to_string(),
                "-",
                "-",
                "-",
                "-"
            )?,
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}

async fn messages(
    s: &SessionSettings,
    from: u64,
    to: u64,
    clordid: Option<&str>,
    json: bool,
    dicts: &DictionaryArgs,
) -> anyhow::Result<i32> {
    let mut reader = open_read_only(s)
        .await
        .with_context(|| format!("session {}", s.id))?;
    let stored = reader
        .messages(from, to)
        .await
        .with_context(|| format!("session {}", s.id))?;
    let mut decoder = LineDecoder::new(dictionaries(dicts)?, false);
    let stdout = io::stdout();
    let style = Style::new(!json && stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let mut out = BufWriter::new(stdout.lock());
    let source = s.id.to_string();
    let mut shown = 0usize;
    for (seq, bytes) in &stored {
        if let Some(want) = clordid {
            if crate::scan::raw_field(bytes, 11) != Some(want.as_bytes()) {
                continue;
            }
        }
        shown += 1;
        let line = usize::try_from(*seq).unwrap_or(usize::MAX);
        for item in decoder.line(bytes, &source, line) {
            let text = match (&item, json) {
                (Item::Message(m), true) => serde_json::to_string(m)?,
                (Item::Error(e), true) => serde_json::to_string(e)?,
                (Item::Message(m), false) => render::human(m, style),
                (Item::Error(e), false) => render::human_error(e, style),
            };
            writeln!(out, "{text}")?;
        }
    }
    out.flush()?;
    Ok(if clordid.is_some() && shown == 0 {
        EXIT_INVALID
    } else {
        EXIT_OK
    })
}

async fn reset(s: &SessionSettings, sender: u64, target: u64, yes: bool) -> anyhow::Result<i32> {
    if !yes {
        eprintln!(
            "fix: would set session {} to next sender {sender}, next target {target}; \
             nothing written: add --yes to confirm",
            s.id
        );
        return Ok(EXIT_USAGE);
    }
    // As the engine opens it; a PostgreSQL store waits for the session's lease.
    let open = SettingsStoreFactory::new().create(s);
    let mut store = tokio::time::timeout(Duration::from_secs(60), open)
        .await
        .map_err(|_| {
            anyhow!(
                "session {}: the store did not open within 60 s (is an engine running it?)",
                s.id
            )
        })?
        .with_context(|| format!("session {}", s.id))?;
    store.set_next_sender_seq(sender).await?;
    store.set_next_target_seq(target).await?;
    println!(
        "{}: next sender {}, next target {}",
        s.id,
        store.next_sender_seq(),
        store.next_target_seq()
    );
    Ok(EXIT_OK)
}
