//! Every dictionary in `dictionaries/` generates code that compiles and round-trips every
//! message type. FIX44 and FIX50SP2 are covered by the `fix44` and `fix50` crates; this test
//! generates one crate holding FIX40, FIX41, FIX42, FIX43, FIX50 and FIX50SP1 as modules,
//! builds it and runs its round-trip test.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_dictionary_generates_code_that_compiles_and_round_trips() {
    let dicts = workspace().join("dictionaries");
    let versions: &[(&str, &str, bool)] = &[
        ("fix40", "FIX40.xml", false),
        ("fix41", "FIX41.xml", false),
        ("fix42", "FIX42.xml", false),
        ("fix43", "FIX43.xml", false),
        ("fix50", "FIX50.xml", true),
        ("fix50sp1", "FIX50SP1.xml", true),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("src dir");
    let mut lib = String::from(
        "//! All QuickFIX dictionaries, generated.\n#![allow(missing_docs, clippy::all)]\n",
    );
    let mut test = String::from("#[test]\nfn all_messages_round_trip() {\n");
    for (module, file, fixt) in versions {
        let mut config = fix_codegen::Config::new();
        config.dictionary(dicts.join(file));
        if *fixt {
            config.transport(dicts.join("FIXT11.xml"));
        }
        let code = config.generate().unwrap_or_else(|e| panic!("{file}: {e}"));
        std::fs::write(src.join(format!("{module}.rs")), code).expect("write module");
        writeln!(lib, "pub mod {module} {{ include!(\"{module}.rs\"); }}").expect("fmt");
        let model = config.model().expect("model");
        writeln!(
            test,
            "    assert_eq!(fix_core::sample::check_round_trips::<all_dicts::{module}::Message>(|_| Ok(())), Ok({n}), \"{module}\");",
            n = model.messages.len()
        )
        .expect("fmt");
    }
    test.push_str("}\n");
    std::fs::write(src.join("lib.rs"), lib).expect("lib.rs");
    std::fs::create_dir_all(dir.path().join("tests")).expect("tests dir");
    std::fs::write(dir.path().join("tests/round_trip.rs"), test).expect("test");
    let core = workspace()
        .join("fix-core")
        .canonicalize()
        .expect("fix-core");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"all-dicts\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nfix-core = {{ path = {:?} }}\n\n\
             [features]\nserde = []\n\n[workspace]\n",
            core.display().to_string()
        ),
    )
    .expect("Cargo.toml");
    let status = Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .env(
            "CARGO_TARGET_DIR",
            workspace().join("target/xtask-generated"),
        )
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "generated crate with all dictionaries builds and round-trips"
    );
}
