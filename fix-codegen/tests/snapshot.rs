//! Snapshot of the generated code: `tests/fixtures/snapshot.xml` (a small dictionary with
//! every construct the generator emits) must generate exactly `tests/fixtures/snapshot.rs`, so
//! a change to the emitter shows in review as a diff of that file.
//!
//! After an intended change, rewrite the snapshot with
//! `UPDATE_SNAPSHOTS=1 cargo test -p fix-codegen --test snapshot` and review its diff.

// The generated code puts serde derives behind a `serde` feature, which this crate does not
// have: the snapshot is compiled without them.
#![allow(unexpected_cfgs)]

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

/// The snapshot is Rust that compiles (and its round trip works), not only text.
#[allow(dead_code, missing_docs, unexpected_cfgs, clippy::all)]
mod compiled {
    include!("fixtures/snapshot.rs");
}

#[test]
fn the_snapshot_crate_round_trips_a_message_with_a_nested_group() {
    use compiled::{components, fields, groups};
    use fix_core::value::FixValue;
    let now = fix_core::value::UtcTimestamp::parse(b"20261207-10:00:00.000").expect("timestamp");
    let party = groups::NoPartyIDs::new("P1")
        .with_party_role(fields::PartyRole::ClientId)
        .with_ptys_sub_grp(components::PtysSubGrp::new().with_no_party_sub_ids([
            groups::NoPartySubIDs::new("S1"),
            groups::NoPartySubIDs::new("S2").with_party_sub_id_type(4),
        ]));
    let order = compiled::NewOrderSingle::new(
        "ORD1",
        components::Instrument::new("AAPL"),
        fields::Side::Buy,
        now,
        rust_decimal::Decimal::new(100, 0),
        fields::OrdType::Limit,
    )
    .with_parties(components::Parties::new().with_no_party_ids([party]))
    .with_raw_data(b"a\x01b".to_vec())
    .with_venue_tag(fields::VenueTag::Bravo);
    let mut buf = Vec::new();
    order
        .encode(&compiled::Header::new("A", "B", 2u64, now), &mut buf)
        .expect("encodes");
    let text = String::from_utf8_lossy(&buf).replace('\x01', "|");
    assert!(
        text.contains("|453=1|448=P1|452=3|802=2|523=S1|523=S2|803=4|55=AAPL|"),
        "{text}"
    );
    assert!(text.contains("|95=3|96=a|b|"), "{text}");
    match compiled::Message::decode(&buf).expect("decodes") {
        compiled::Message::NewOrderSingle(back) => assert_eq!(*back, order),
        other => panic!("decoded as {other:?}"),
    }
}
