//! Snapshot of the generated code: `tests/fixtures/snapshot.xml` (a small dictionary with
//! every construct the generator emits) must generate exactly `tests/fixtures/snapshot.rs`, so
//! a change to the emitter shows in review as a diff of that file.
//!
//! After an intended change, rewrite the snapshot with
//! `UPDATE_SNAPSHOTS=1 cargo test -p fix-codegen --test snapshot` and review its diff
//! (`tests/snapshot_compiles.rs` then checks that the new snapshot compiles and works).

use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The first differing line of two texts, with a few lines of context from each.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let window = |lines: &[&str]| {
        lines
            .iter()
            .enumerate()
            .skip(at.saturating_sub(2))
            .take(6)
            .map(|(i, l)| format!("{:>6} | {l}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "first difference at line {} ({} lines expected, {} generated)\n--- snapshot\n{}\n+++ generated\n{}",
        at + 1,
        e.len(),
        a.len(),
        window(&e),
        window(&a)
    )
}

#[test]
fn generated_code_matches_the_snapshot() {
    let generated = fix_codegen::Config::new()
        .dictionary(fixture("snapshot.xml"))
        .generate()
        .expect("the snapshot dictionary generates");
    let path = fixture("snapshot.rs");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &generated).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .expect("tests/fixtures/snapshot.rs exists (UPDATE_SNAPSHOTS=1 writes it)");
    assert!(
        expected == generated,
        "the generated code differs from tests/fixtures/snapshot.rs; if the change is intended, \
         rerun with UPDATE_SNAPSHOTS=1 and review the diff\n{}",
        first_difference(&expected, &generated)
    );
}

#[test]
fn the_difference_report_names_the_first_changed_line() {
    let report = first_difference("a\nb\nc\n", "a\nB\nc\n");
    assert!(report.starts_with("first difference at line 2"), "{report}");
    assert!(
        report.contains("2 | b") && report.contains("2 | B"),
        "{report}"
    );
}
