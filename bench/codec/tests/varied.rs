//! The varied workload: deterministic, at least 10,000 valid FIX.4.4 orders and fills whose
//! optional fields and group sizes vary, on which the typed views agree with the owned
//! decode field by field.

use std::collections::HashSet;

use fix_bench_codec::{reads, varied};
use fix_core::{Decoder, ValidationOptions};

#[test]
fn the_workload_is_deterministic_and_valid_against_fix44() {
    let msgs = varied::workload();
    assert!(msgs.len() >= 10_000);
    assert_eq!(msgs, varied::generate(varied::SEED, varied::COUNT));
    assert_ne!(msgs, varied::generate(varied::SEED + 1, varied::COUNT));
    let mut decoder = Decoder::new();
    decoder.set_remember_shapes(false);
    let opts = ValidationOptions::default();
    let mut types = HashSet::new();
    let mut party_counts = HashSet::new();
    let (mut allocs, mut contra, mut on_behalf, mut poss_dup) = (0, 0, 0, 0);
    let mut shapes = HashSet::new();
    for (i, raw) in msgs.iter().enumerate() {
        let view = decoder.decode(raw, &fix44::DICTIONARY, &opts).unwrap();
        assert_eq!(view.problem(), None, "message {i} is invalid");
        types.insert(view.msg_type().to_vec());
        let tags: Vec<_> = view.fields().map(|(t, _)| t).collect();
        party_counts.insert(view.field(453).map(<[u8]>::to_vec));
        allocs += usize::from(tags.contains(&78));
        contra += usize::from(tags.contains(&382));
        on_behalf += usize::from(tags.contains(&115));
        if tags.contains(&43) {
            assert!(
                tags.contains(&122),
                "PossDupFlag comes with OrigSendingTime"
            );
            poss_dup += 1;
        }
        shapes.insert(tags);
    }
    assert_eq!(types.len(), 2, "NewOrderSingles and ExecutionReports");
    assert_eq!(party_counts.len(), 5, "0 to 4 NoPartyIDs entries");
    for (what, n) in [
        ("NoAllocs", allocs),
        ("NoContraBrokers", contra),
        ("OnBehalfOfCompID", on_behalf),
        ("PossDupFlag", poss_dup),
    ] {
        assert!(n > 300 && n < 9_000, "{what} on some messages only: {n}");
    }
    assert!(
        shapes.len() > 1_000,
        "shapes vary from message to message: {}",
        shapes.len()
    );
}

#[test]
fn views_agree_with_the_owned_decode_on_the_workload() {
    let msgs = varied::workload();
    let checked = fix_core::sample::check_views::<fix44::Message>(&msgs);
    assert_eq!(checked, Ok(msgs.len()));
}

#[test]
fn the_five_reads_agree_through_view_and_owned_decode() {
    let opts = ValidationOptions::default();
    let mut decoder = Decoder::new();
    for raw in varied::workload() {
        let (_, owned) = fix44::Message::decode_with(&raw, &opts).unwrap();
        let view = fix44::MessageRef::decode(&mut decoder, &raw, &opts).unwrap();
        let read = reads::view_reads(&view);
        assert!(read.is_some());
        assert_eq!(read, reads::owned_reads(&owned));
    }
}
