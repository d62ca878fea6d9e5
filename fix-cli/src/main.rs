//! `fix`: command-line tools for FIX messages. See `fix --help` and `fix decode --help`.

use clap::Parser;

fn main() {
    let cli = fix_cli::Cli::parse();
    std::process::exit(fix_cli::main_with(cli));
}
