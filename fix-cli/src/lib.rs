//! # fix-cli
//!
//! The library behind the `fix` command-line tool. `fix decode` reads FIX messages from logs
//! or stdin and prints each with field names, enum meanings and indented repeating groups, or
//! as one JSON object per line:
//!
//! ```text
//! $ echo '8=FIX.4.4|9=..|35=D|...|54=1|...|10=123|' | fix decode
//! <stdin>:1 NewOrderSingle (35=D) [FIX.4.4]
//!   8 BeginString = FIX.4.4
//!   ...
//!   54 Side = 1 (BUY)
//! ```
//!
//! - [`scan`]: finds messages in log lines (SOH, `|` or `^A` separators; text around them),
//!   repairs a wrong BodyLength or CheckSum;
//! - [`dicts`]: picks the built-in dictionary from BeginString and ApplVerID (or a custom one);
//! - [`render`]: the field tree, human and JSON output;
//! - [`decode`]: the loop over inputs, with the exit status;
//! - [`validate`]: `fix validate`, every message checked as a session would, the reject
//!   reason and tag per failing message;
//! - [`encode`]: `fix encode`, the JSON `fix decode --json` prints back to FIX messages;
//! - [`lookup`]: `fix dict`, a field, component or message of a dictionary;
//! - [`store`]: `fix store`, the sessions and messages of an engine's store (read-only), and
//!   resetting sequence numbers.
#![warn(unreachable_pub)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod decode;
pub mod dicts;
pub mod encode;
pub mod input;
pub mod lookup;
pub mod render;
pub mod scan;
pub mod store;
pub mod validate;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit status: every message decoded and validated.
pub const EXIT_OK: i32 = 0;
/// Exit status: some message failed validation or could not be parsed.
pub const EXIT_INVALID: i32 = 1;
/// Exit status: bad arguments, an unreadable file or dictionary.
pub const EXIT_USAGE: i32 = 2;

/// The `fix` command line.
#[derive(Debug, Parser)]
#[command(name = "fix", version, about = "Tools for FIX protocol messages")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode FIX messages from log files or stdin, with field names, enum meanings and groups.
    Decode(DecodeArgs),
    /// Check every message against its dictionary; print the reject reason and tag of each
    /// failing one. Exit status 0 when all pass, 1 when any fails.
    Validate(ValidateArgs),
    /// Write FIX messages (BodyLength and CheckSum computed) from the JSON objects
    /// `fix decode --json` prints, one per line.
    Encode(EncodeArgs),
    /// Show a field (by name or tag), a component, or a message (by name or MsgType) of a
    /// dictionary: tag, type and enum values; fields, components and groups as a tree.
    Dict(DictArgs),
    /// Read an engine's store through its settings file: `sessions`, `messages`; `reset`
    /// sequence numbers (the only subcommand that writes, with --yes).
    Store(store::StoreArgs),
}

/// Which dictionary to use: a custom one, or the built-in one the message names.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DictionaryArgs {
    /// Use this QuickFIX XML dictionary instead of the built-in ones.
    #[arg(long, value_name = "XML")]
    pub dictionary: Option<PathBuf>,
    /// The transport dictionary (FIXT11.xml) for a FIX 5.0+ --dictionary.
    #[arg(long, value_name = "XML", requires = "dictionary")]
    pub transport: Option<PathBuf>,
    /// Application version of FIXT.1.1 messages without ApplVerID (1128): a code (2..9) or a
    /// name (FIX44, FIX50SP2). Default: 9 (FIX.5.0SP2).
    #[arg(long, value_name = "ID")]
    pub appl_ver_id: Option<String>,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `fix decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Print one JSON object per message, one per line.
    #[arg(long)]
    pub json: bool,
    /// The dictionary.
    #[command(flatten)]
    pub dicts: DictionaryArgs,
    /// Colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Skip lines that hold no FIX message instead of reporting them as errors.
    #[arg(long)]
    pub skip_non_fix: bool,
    /// Files to read (`-` for stdin); stdin when none is given.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Arguments of `fix validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The dictionary.
    #[command(flatten)]
    pub dicts: DictionaryArgs,
    /// Also print a line for every message that passes.
    #[arg(long, short)]
    pub verbose: bool,
    /// Files to read (`-` for stdin); stdin when none is given.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Arguments of `fix encode`.
#[derive(Debug, clap::Args)]
pub struct EncodeArgs {
    /// Separate fields with `|` instead of SOH.
    #[arg(long)]
    pub pipe: bool,
    /// Write the messages back to back, without a newline after each.
    #[arg(long)]
    pub no_newline: bool,
    /// Files of JSON lines to read (`-` for stdin); stdin when none is given.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Arguments of `fix dict`.
#[derive(Debug, clap::Args)]
pub struct DictArgs {
    /// Look up in this QuickFIX XML dictionary instead of a built-in one.
    #[arg(long, value_name = "XML")]
    pub dictionary: Option<PathBuf>,
    /// The transport dictionary (FIXT11.xml) for a FIX 5.0+ --dictionary.
    #[arg(long, value_name = "XML", requires = "dictionary")]
    pub transport: Option<PathBuf>,
    /// The built-in dictionary to look in (FIX.4.0 ... FIX.5.0SP2, or an ApplVerID code).
    #[arg(long = "fix", value_name = "VERSION", default_value = "FIX.4.4")]
    pub version: String,
    /// A field name or tag, a component name, a message name or MsgType.
    #[arg(value_name = "NAME|TAG|MSGTYPE")]
    pub query: String,
}

/// Runs the command line and returns the exit status.
pub fn main_with(cli: Cli) -> i32 {
    match cli.command {
        Command::Decode(args) => decode::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::Dict(args) => lookup::run(&args),
        Command::Store(args) => store::run(&args),
    }
}
