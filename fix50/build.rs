//! Generates the typed messages from the dictionaries the crate carries
//! (`dictionaries/FIX50SP2.xml` and `FIXT11.xml`, QuickFIX's, under its licence in
//! `dictionaries/LICENSE`).

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dictionaries");
    if let Err(e) = fix_codegen::Config::new()
        .dictionary(dir.join("FIX50SP2.xml"))
        .transport(dir.join("FIXT11.xml"))
        .compile("fix50.rs")
    {
        eprintln!("fix50: code generation failed: {e}");
        std::process::exit(1);
    }
}
