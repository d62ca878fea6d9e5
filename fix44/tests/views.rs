//! Zero-copy typed views (`fix44::MessageRef`): they agree with the owned decode on every
//! message type, read the fields of a known order, and read messages without the full
//! header when decoded with relaxed options.

mod common;

use common::frame;
use fix44::fields::{OrdType, PartyRole, Side};
use fix44::MessageRef;
use fix_core::{Decoder, ValidationOptions};
use rust_decimal_macros::dec;

#[test]
fn views_agree_with_the_owned_decode_on_every_message_type() {
    let corpus = fix_core::sample::corpus(&fix44::DICTIONARY);
    let checked = fix_core::sample::check_views::<fix44::Message>(&corpus);
    assert_eq!(checked, Ok(93), "FIX44 defines 93 message types");
}

const ORDER: &str = "35=D|49=BUYSIDE|56=SELLSIDE|115=DESK|34=7|43=Y|52=20240102-10:11:12.345|\
     122=20240102-10:11:11.000|11=ORD-1|453=3|448=TRADER|447=D|452=11|448=FIRM|447=B|452=1|\
     448=DESK-7|447=C|452=3|1=ACC-1|55=AAPL|54=1|60=20240102-10:11:12.340|38=100|40=2|\
     44=187.25|";

#[test]
fn an_order_reads_through_its_view() {
    let raw = frame(ORDER);
    let mut decoder = Decoder::new();
    let msg = MessageRef::decode(&mut decoder, &raw, &ValidationOptions::default()).unwrap();
    assert!(msg.view().problem().is_none());
    let MessageRef::NewOrderSingle(order) = &msg else {
        panic!("not viewed as a NewOrderSingle: {msg:?}");
    };
    assert_eq!(order.cl_ord_id(), "ORD-1");
    assert_eq!(order.instrument().symbol(), Some("AAPL"));
    assert_eq!(order.side(), Side::Buy);
    assert_eq!(order.order_qty_data().order_qty(), Some(dec!(100)));
    assert_eq!(order.ord_type(), OrdType::Limit);
    assert_eq!(order.price(), Some(dec!(187.25)));
    assert_eq!(order.account(), Some("ACC-1"));
    assert_eq!(order.text(), None);
    assert!(
        order.pre_alloc_grp().is_none(),
        "no NoAllocs field, no component"
    );
    let header = order.header();
    assert_eq!(header.sender_comp_id(), "BUYSIDE");
    assert_eq!(header.msg_seq_num(), 7);
    assert_eq!(header.on_behalf_of_comp_id(), Some("DESK"));
    assert_eq!(header.poss_dup_flag(), Some(true));
    assert!(header.orig_sending_time().is_some());
    let parties = order.parties().expect("NoPartyIDs present");
    let entries = parties.no_party_ids();
    assert_eq!(entries.len(), 3);
    let ids: Vec<_> = entries
        .map(|p| (p.party_id().unwrap(), p.party_role().unwrap()))
        .collect();
    assert_eq!(
        ids,
        [
            ("TRADER", PartyRole::OrderOriginationTrader),
            ("FIRM", PartyRole::ExecutingFirm),
            ("DESK-7", PartyRole::ClientId),
        ]
    );
    assert_eq!(order.missing_required(), None);
}

#[test]
fn a_view_of_another_msg_type_or_an_unknown_one_is_not_typed_as_an_order() {
    let raw = frame("35=0|49=A|56=B|34=1|52=20240102-10:11:12|");
    let mut decoder = Decoder::new();
    let msg = MessageRef::decode(&mut decoder, &raw, &ValidationOptions::default()).unwrap();
    assert!(matches!(msg, MessageRef::Heartbeat(_)));
    let raw = frame("35=ZZ|49=A|56=B|34=1|52=20240102-10:11:12|");
    let msg = MessageRef::decode(&mut decoder, &raw, &ValidationOptions::relaxed()).unwrap();
    let MessageRef::Unknown(view) = msg else {
        panic!("an unknown MsgType is kept as the raw view");
    };
    assert_eq!(view.msg_type(), b"ZZ");
}

#[test]
fn relaxed_options_read_a_message_without_the_full_header() {
    // A market-data feed: no SenderCompID, TargetCompID or MsgSeqNum.
    let raw = frame("35=X|52=20240102-10:11:12.345|268=1|279=0|269=0|55=EUR/USD|270=1.0871|");
    let mut decoder = Decoder::new();
    let strict = MessageRef::decode(&mut decoder, &raw, &ValidationOptions::default()).unwrap();
    assert_eq!(strict.view().problem().map(|p| p.tag), Some(Some(49)));
    let msg = MessageRef::decode(&mut decoder, &raw, &ValidationOptions::relaxed()).unwrap();
    assert!(msg.view().problem().is_none());
    assert_eq!(msg.missing_required(), Some(49), "reported, not fatal");
    let MessageRef::MarketDataIncrementalRefresh(md) = &msg else {
        panic!("not typed: {msg:?}");
    };
    // Required fields the message lacks read as their type's missing value.
    assert_eq!(md.header().sender_comp_id(), "");
    assert_eq!(md.header().msg_seq_num(), 0);
    let entries: Vec<_> = md.md_inc_grp().no_md_entries().collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].instrument().and_then(|i| i.symbol()),
        Some("EUR/USD")
    );
    assert_eq!(entries[0].md_entry_px(), Some(dec!(1.0871)));
    // The owned decode of the same view fails on the missing header field.
    assert!(fix44::Message::from_view(msg.view()).is_err());
}
