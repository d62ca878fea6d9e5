//! A runner for QuickFIX's `.def` acceptance scripts.
//!
//! The scripts (`tests/acceptance/<version>/*.def`, format described in
//! `tests/acceptance/README.md`) drive an acceptor over TCP: `iCONNECT`, `I<message>`
//! (send), `E<message>` (expect), `iDISCONNECT`, `eDISCONNECT`, each optionally for a
//! numbered connection (`i2,CONNECT`).
//!
//! - [`script`] parses a script, expands `<TIME>`, `<TIME+N>`, `<TIME-N>` and inserts
//!   BodyLength and CheckSum where a message has none (explicit ones are kept as written).
//! - [`compare`](mod@compare) compares a received message with the expected one; see its docs for the
//!   rules (patterns from `fields.fmt`, header first, 10 last, order inside repeating groups).
//! - [`runner`] runs a script against an address with real sockets and reports the first
//!   failing step with the expected and received bytes.
//!
//! ```no_run
//! use fix_tests::acceptance::{run_file, RunOptions};
//! let addr = "127.0.0.1:5001".parse().unwrap();
//! match run_file("1a_ValidLogonWithCorrectMsgSeqNum.def".as_ref(), addr, &RunOptions::default()) {
//!     Ok(summary) => println!("passed: {} steps", summary.steps),
//!     Err(failure) => println!("failed at {failure}"),
//! }
//! ```

pub mod compare;
pub mod field_order;
pub mod runner;
pub mod script;

pub use compare::{compare, CompareMode, FieldPatterns, Mismatch};
pub use runner::{run_file, run_script, Failure, RunOptions, RunSummary};
pub use script::{complete_message, expand_macros, prepare_message, Action, Script, Step};
