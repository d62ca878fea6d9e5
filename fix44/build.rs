//! Generates the typed messages from the dictionary the crate carries (`dictionaries/FIX44.xml`,
//! QuickFIX's, under its licence in `dictionaries/LICENSE`).

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dictionaries");
    if let Err(e) = fix_codegen::Config::new()
        .dictionary(dir.join("FIX44.xml"))
        .compile("fix44.rs")
    {
        eprintln!("fix44: code generation failed: {e}");
        std::process::exit(1);
    }
}
