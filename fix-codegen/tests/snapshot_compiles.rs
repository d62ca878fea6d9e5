//! The generated snapshot (`tests/fixtures/snapshot.rs`, see `tests/snapshot.rs`) is Rust
//! that compiles and works, not only text: it is compiled here and round-trips a message with
//! a group inside a group.

// The generated code puts serde derives behind a `serde` feature, which this crate does not
// have: the snapshot is compiled without them.
#![allow(unexpected_cfgs)]

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
