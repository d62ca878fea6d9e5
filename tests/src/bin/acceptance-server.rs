//! The acceptor under test for the QuickFIX acceptance suite (`../shared/acceptance/`).
//!
//! `cargo run --release --bin acceptance-server -- --config FILE` serves every `[SESSION]` of
//! a QuickFIX-style settings file with the echo application of the suite's README.
//!
//! Until the session engine (`fix-session`) has an acceptor, this binary only says so and
//! exits with [`NOT_FUNCTIONAL`], which the integration test treats as "skip".

use std::process::ExitCode;

/// Exit status meaning "this build has no working acceptor".
const NOT_FUNCTIONAL: u8 = 3;

fn main() -> ExitCode {
    eprintln!("acceptance-server: not functional: fix-session has no acceptor yet");
    ExitCode::from(NOT_FUNCTIONAL)
}
