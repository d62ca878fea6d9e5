//! Hand-written raw FIX.4.4 messages decode to the expected typed values. BodyLength and
//! CheckSum are worked out here, independently of fix-core's framing code.

use fix44::fields::{OrdStatus, OrdType, PartyIDSource, PartyRole, Side};
use fix44::Message;
use fix_core::value::{Precision, UtcTimestamp};
use rust_decimal_macros::dec;

/// `8=FIX.4.4|9=<len>|<body>10=<sum>|` with `|` standing for SOH.
fn frame(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\u{1}");
    let head = format!("8=FIX.4.4\u{1}9={}\u{1}", body.len());
    let mut msg = format!("{head}{body}").into_bytes();
    let mut sum: u32 = 0;
    for b in &msg {
        sum += u32::from(*b);
    }
    msg.extend_from_slice(format!("10={:03}\u{1}", sum % 256).as_bytes());
    msg
}

#[test]
fn the_checksum_helper_agrees_with_a_hand_computed_heartbeat() {
    // 8=FIX.4.4^9=5^35=0^ : the bytes sum to 931 (FIX.4.2 would be 929) -> 931 % 256 = 163.
    assert_eq!(
        frame("35=0|"),
        b"8=FIX.4.4\x019=5\x0135=0\x0110=163\x01".to_vec()
    );
}

#[test]
fn new_order_single_with_parties() {
    let raw = frame(
        "35=D|49=BUYER|56=SELLER|34=12|52=20240102-10:11:12.345|11=ORD-7|453=2|448=TRADER1|447=D|452=11|\
         448=FIRM2|447=B|452=1|1=ACC-9|55=AAPL|54=1|60=20240102-10:11:12.001|38=100|40=2|44=187.25|59=0|",
    );
    let (header, msg) = Message::decode_with(&raw, &Default::default()).expect("valid message");
    assert_eq!(header.sender_comp_id, "BUYER");
    assert_eq!(header.target_comp_id, "SELLER");
    assert_eq!(header.msg_seq_num, 12);
    assert_eq!(header.sending_time.to_string(), "20240102-10:11:12.345");
    let Message::NewOrderSingle(o) = msg else {
        panic!("expected NewOrderSingle, got {msg:?}")
    };
    assert_eq!(o.cl_ord_id, "ORD-7");
    assert_eq!(o.side, Side::Buy);
    assert_eq!(o.ord_type, OrdType::Limit);
    assert_eq!(o.price, Some(dec!(187.25)));
    assert_eq!(o.order_qty_data.order_qty, Some(dec!(100)));
    assert_eq!(o.instrument.symbol.as_deref(), Some("AAPL"));
    assert_eq!(o.account.as_deref(), Some("ACC-9"));
    let expected_time =
        UtcTimestamp::from_unix_nanos(1_704_190_272_001_000_000, Precision::Millis).expect("time");
    assert_eq!(o.transact_time, expected_time);
    let parties = &o.parties.as_ref().expect("parties").no_party_ids;
    assert_eq!(parties.len(), 2);
    assert_eq!(parties[0].party_id.as_deref(), Some("TRADER1"));
    assert_eq!(parties[0].party_id_source, Some(PartyIDSource::Proprietary));
    assert_eq!(
        parties[0].party_role,
        Some(PartyRole::OrderOriginationTrader)
    );
    assert_eq!(parties[1].party_id.as_deref(), Some("FIRM2"));
    assert_eq!(parties[1].party_role, Some(PartyRole::ExecutingFirm));

    // Encoding gives back the same bytes (fields were in dictionary order).
    let mut buf = Vec::new();
    Message::NewOrderSingle(o)
        .encode(&header, &mut buf)
        .expect("encodes");
    assert_eq!(String::from_utf8_lossy(&buf), String::from_utf8_lossy(&raw));
}

#[test]
fn tags_written_with_leading_zeros_read_like_the_plain_ones() {
    // The tokenizer finds tags by their text; `011`, `0448` and `00054` are not the text of
    // any tag and must go the numeric way to the same fields, in the body and in a group.
    let plain =
        "35=D|49=BUYER|56=SELLER|34=12|52=20240102-10:11:12.345|11=ORD-7|453=1|448=T1|447=D|\
                 452=11|55=AAPL|54=1|60=20240102-10:11:12.001|38=100|40=1|";
    let odd = plain
        .replace("|11=", "|011=")
        .replace("|448=", "|0448=")
        .replace("|54=", "|00054=");
    let (_, a) = Message::decode_with(&frame(plain), &Default::default()).expect("plain");
    let (_, b) = Message::decode_with(&frame(&odd), &Default::default()).expect("leading zeros");
    assert_eq!(a, b);
    let Message::NewOrderSingle(o) = b else {
        panic!("expected NewOrderSingle")
    };
    assert_eq!(o.cl_ord_id, "ORD-7");
    assert_eq!(o.side, Side::Buy);
    // A duplicate spelled differently is still a duplicate.
    let dup = plain.replace("|54=1|", "|54=1|054=2|");
    let err = Message::decode_with(&frame(&dup), &Default::default()).expect_err("duplicate");
    assert!(err.to_string().contains("54"), "{err}");
}

#[test]
fn execution_report_with_nested_party_sub_ids() {
    let raw = frame(
        "35=8|49=SELLER|56=BUYER|34=3|52=20240102-10:11:13.000|37=X1|11=ORD-7|\
         453=1|448=TRADER1|447=D|452=11|802=2|523=DESK-A|803=1|523=+44 20|803=9|\
         17=E1|150=F|39=2|55=AAPL|54=1|151=0|14=100|6=187.25|",
    );
    let Message::ExecutionReport(er) = Message::decode(&raw).expect("valid") else {
        panic!("not an ER")
    };
    assert_eq!(er.ord_status, OrdStatus::Filled);
    assert_eq!(er.cum_qty, dec!(100));
    assert_eq!(er.avg_px, dec!(187.25));
    let party = &er.parties.as_ref().expect("parties").no_party_ids[0];
    let subs = &party
        .ptys_sub_grp
        .as_ref()
        .expect("nested group")
        .no_party_sub_ids;
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0].party_sub_id.as_deref(), Some("DESK-A"));
    assert_eq!(subs[1].party_sub_id.as_deref(), Some("+44 20"));
}

#[test]
fn data_field_may_contain_soh() {
    // RawData (96) of 7 bytes, two of them SOH, announced by RawDataLength (95).
    let raw = frame("35=A|49=A|56=B|34=1|52=20240102-10:11:12|98=0|108=30|95=7|96=ab|c=|d|");
    let Message::Logon(logon) = Message::decode(&raw).expect("valid logon") else {
        panic!("not a Logon")
    };
    assert_eq!(
        logon.raw_data.expect("raw data").0,
        b"ab\x01c=\x01d".to_vec()
    );
    assert_eq!(logon.heart_bt_int, 30);
}

#[test]
fn long_data_field_full_of_separators_spans_many_words() {
    // 200 bytes of RawData with SOH, `=` and digits everywhere, so its value crosses several
    // 64-byte words of the tokenizer's SOH bitmap; fields after it must still be found.
    let data: String = (0..200)
        .map(|i| match i % 7 {
            0 => '|',
            1 => '=',
            2 => '9',
            _ => char::from(b'a' + (i % 26) as u8),
        })
        .collect();
    let body = format!(
        "35=A|49=A|56=B|34=1|52=20240102-10:11:12|98=0|108=30|95={}|96={data}|141=Y|",
        data.len()
    );
    let raw = frame(&body);
    let Message::Logon(logon) = Message::decode(&raw).expect("valid logon") else {
        panic!("not a Logon")
    };
    assert_eq!(
        logon.raw_data.expect("raw data").0,
        data.replace('|', "\u{1}").into_bytes()
    );
    assert_eq!(logon.heart_bt_int, 30);
    assert_eq!(logon.reset_seq_num_flag, Some(true));

    // A length that does not end on an SOH is a bad data format for RawData (96).
    let bad = frame(&body.replace("95=200|", "95=199|"));
    let err = Message::decode(&bad).expect_err("wrong length");
    assert!(err.to_string().contains("96"), "{err}");
}

#[test]
fn unknown_message_types_are_kept_as_raw_fields() {
    let raw = frame("35=ZZ|49=A|56=B|34=1|52=20240102-10:11:12|58=hello|5001=x|");
    let Message::Unknown(u) = Message::decode(&raw).expect("decodes") else {
        panic!("not unknown")
    };
    assert_eq!(u.msg_type, "ZZ");
    assert_eq!(
        u.fields,
        vec![(58, b"hello".to_vec()), (5001, b"x".to_vec())]
    );
}

#[test]
fn unlisted_enum_values_are_kept_when_validation_is_relaxed() {
    let raw = frame(
        "35=D|49=A|56=B|34=1|52=20240102-10:11:12|11=X|55=IBM|54=Z|60=20240102-10:11:12|40=1|",
    );
    let err = Message::decode(&raw).expect_err("54=Z is not a listed Side");
    assert_eq!(
        err.reject_reason(),
        Some(fix_core::SessionRejectReason::ValueIsIncorrect)
    );
    let relaxed = fix_core::ValidationOptions::relaxed();
    let (_, msg) = Message::decode_with(&raw, &relaxed).expect("relaxed decode");
    let Message::NewOrderSingle(o) = msg else {
        panic!("not NOS")
    };
    assert_eq!(o.side, Side::Unlisted("Z".into()));
    assert_eq!(o.side.as_str(), "Z");
}

#[test]
fn soh_in_an_unlisted_enum_value_is_refused_on_encode() {
    let raw = frame(
        "35=D|49=A|56=B|34=1|52=20240102-10:11:12|11=X|55=IBM|54=Z|60=20240102-10:11:12|40=1|",
    );
    let relaxed = fix_core::ValidationOptions::relaxed();
    let (header, msg) = Message::decode_with(&raw, &relaxed).expect("relaxed decode");
    let Message::NewOrderSingle(mut o) = msg else {
        panic!("not NOS")
    };
    let mut buf = b"kept".to_vec();
    o.side = Side::Unlisted("Z".into());
    Message::NewOrderSingle(o.clone())
        .encode(&header, &mut buf)
        .expect("an unlisted value without SOH encodes");
    buf.truncate(4);
    o.side = Side::Unlisted("1\u{1}2".into());
    let err = Message::NewOrderSingle(o)
        .encode(&header, &mut buf)
        .expect_err("SOH inside a value");
    assert_eq!(err, fix_core::EncodeError::SohInValue { tag: 54 });
    assert_eq!(buf, b"kept", "nothing of the refused message is left");
}

#[cfg(feature = "serde")]
#[test]
fn typed_messages_serialize_to_readable_json() {
    let raw = frame("35=D|49=A|56=B|34=1|52=20240102-10:11:12|11=X|55=IBM|54=2|60=20240102-10:11:12|40=1|44=1.50|");
    let msg = Message::decode(&raw).expect("valid");
    let json = serde_json::to_value(&msg).expect("json");
    let o = &json["NewOrderSingle"];
    assert_eq!(o["cl_ord_id"], "X");
    assert_eq!(o["side"], "Sell");
    assert_eq!(o["price"], "1.50");
    assert_eq!(o["instrument"]["symbol"], "IBM");
    assert!(
        o.get("account").is_none(),
        "absent optional fields are left out"
    );
    let back: Message = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, msg);
}
