//! Each session-level reject reason, triggered by a crafted message: the reason and the tag
//! reported are the ones a Reject (35=3) must carry.

use fix_core::{DecodeError, SessionRejectReason as R, ValidationOptions};

mod common;
use common::frame;

const HEAD: &str = "49=A|56=B|34=2|52=20240102-10:11:12|";

fn reject(body: &str) -> (R, Option<i64>) {
    let raw = frame(body);
    let mut decoder = fix_core::Decoder::new();
    let view = decoder
        .decode(&raw, &fix44::DICTIONARY, &ValidationOptions::default())
        .expect("well framed");
    let p = view
        .problem()
        .cloned()
        .unwrap_or_else(|| panic!("no problem found in {body}"));
    // The typed decoder reports the same problem.
    if p.reason != R::InvalidMsgType {
        match fix44::Message::decode(&raw) {
            Err(DecodeError::Invalid(i)) => assert_eq!(i, p),
            other => panic!("typed decode of {body}: {other:?}"),
        }
    }
    (p.reason, p.tag)
}

fn nos(extra: &str) -> String {
    format!("35=D|{HEAD}11=ID|55=IBM|54=1|60=20240102-10:11:12|40=1|{extra}")
}

#[test]
fn invalid_tag_number_0() {
    assert_eq!(
        reject(&format!("35=0|{HEAD}999=HI|")),
        (R::InvalidTagNumber, Some(999))
    );
    assert_eq!(
        reject(&format!("35=0|{HEAD}-1=HI|")),
        (R::InvalidTagNumber, Some(-1))
    );
    assert_eq!(
        reject(&format!("35=0|{HEAD}0=HI|")),
        (R::InvalidTagNumber, Some(0))
    );
    // User-defined tags the dictionary does not define are invalid too, unless allowed.
    assert_eq!(
        reject(&format!("35=0|{HEAD}5000=HI|")),
        (R::InvalidTagNumber, Some(5000))
    );
}

#[test]
fn user_defined_fields_pass_when_not_validated() {
    let raw = frame(&format!("35=0|{HEAD}5000=HI|"));
    let opts = ValidationOptions {
        check_user_defined_fields: false,
        ..Default::default()
    };
    let mut d = fix_core::Decoder::new();
    assert_eq!(
        d.decode(&raw, &fix44::DICTIONARY, &opts)
            .expect("framed")
            .problem(),
        None
    );
}

#[test]
fn required_tag_missing_1() {
    assert_eq!(
        reject(&format!(
            "35=D|{HEAD}55=IBM|54=1|60=20240102-10:11:12|40=1|"
        )),
        (R::RequiredTagMissing, Some(11))
    );
    // Header fields are required too.
    assert_eq!(
        reject("35=0|49=A|56=B|52=20240102-10:11:12|"),
        (R::RequiredTagMissing, Some(34))
    );
    // Required inside a group entry: each NoOrders entry of a NewOrderList needs ListSeqNo (67).
    assert_eq!(
        reject(&format!(
            "35=E|{HEAD}66=L1|394=1|68=1|73=1|11=C1|55=IBM|54=1|40=1|"
        )),
        (R::RequiredTagMissing, Some(67))
    );
}

#[test]
fn tag_not_defined_for_message_type_2() {
    assert_eq!(
        reject(&nos("112=TEST|")),
        (R::TagNotDefinedForThisMessageType, Some(112))
    );
}

#[test]
fn tag_without_value_4() {
    assert_eq!(
        reject(&nos("58=|")),
        (R::TagSpecifiedWithoutAValue, Some(58))
    );
}

#[test]
fn value_incorrect_5() {
    assert_eq!(
        reject(&format!(
            "35=D|{HEAD}11=ID|55=IBM|54=Z|60=20240102-10:11:12|40=1|"
        )),
        (R::ValueIsIncorrect, Some(54))
    );
    // Each kind of enumeration check: small INT values (PartyRole 452 in a group, with a
    // number not listed, a negative one and one past 255), short text values
    // (SecurityIDSource 22), and single characters (HandlInst 21).
    for (extra, tag) in [
        ("453=1|448=P|447=D|452=99|", 452),
        ("453=1|448=P|447=D|452=300|", 452),
        ("22=Z9|", 22),
        ("22=44|", 22),
        ("21=9|", 21),
    ] {
        assert_eq!(
            reject(&nos(extra)),
            (R::ValueIsIncorrect, Some(tag)),
            "{extra}"
        );
    }
    // Listed values pass, and a badly formed value of an INT enumeration is reason 6.
    for extra in ["453=1|448=P|447=D|452=11|", "22=4|", "21=1|"] {
        let raw = frame(&nos(extra));
        assert!(fix44::Message::decode(&raw).is_ok(), "{extra}");
    }
    assert_eq!(
        reject(&nos("453=1|448=P|447=D|452=1x|")),
        (R::IncorrectDataFormatForValue, Some(452))
    );
}

#[test]
fn incorrect_data_format_6() {
    assert_eq!(
        reject(&nos("38=abc|")),
        (R::IncorrectDataFormatForValue, Some(38))
    );
    assert_eq!(
        reject(&format!(
            "35=D|{HEAD}11=ID|55=IBM|54=1|60=20241302-10:11:12|40=1|"
        )),
        (R::IncorrectDataFormatForValue, Some(60))
    );
}

#[test]
fn int_values_of_every_shape() {
    // NumberOfOrders (346, INT) in a market data entry: signs and long values get the full
    // check behind the quick one for plain digits.
    let md = |orders: &str| {
        format!("35=X|{HEAD}268=1|279=0|269=0|278=E1|55=AAPL|270=1.5|271=10|346={orders}|")
    };
    for ok in [
        "0",
        "7",
        "007",
        "-3",
        "123456789",
        "1234567890123",
        "-9223372036854775808",
    ] {
        let raw = frame(&md(ok));
        assert!(fix44::Message::decode(&raw).is_ok(), "346={ok}");
    }
    for bad in ["1.0", "+1", "-", "1x", "9223372036854775808", "12345678a"] {
        assert_eq!(
            reject(&md(bad)),
            (R::IncorrectDataFormatForValue, Some(346)),
            "346={bad}"
        );
    }
}

#[test]
fn invalid_msg_type_11() {
    assert_eq!(
        reject(&format!("35=ZZ|{HEAD}")),
        (R::InvalidMsgType, Some(35))
    );
}

#[test]
fn tag_appears_more_than_once_13() {
    assert_eq!(
        reject(&format!(
            "35=D|{HEAD}11=ID|55=IBM|54=1|60=20240102-10:11:12|40=1|40=2|"
        )),
        (R::TagAppearsMoreThanOnce, Some(40))
    );
}

#[test]
fn out_of_required_order_14() {
    assert_eq!(
        reject(
            "35=D|11=id|55=IBM|54=1|60=20240102-10:11:12|40=1|34=2|49=A|52=20240102-10:11:12|56=B|"
        ),
        (R::TagSpecifiedOutOfRequiredOrder, Some(34))
    );
}

#[test]
fn group_fields_out_of_order_15() {
    // An entry of NoPartyIDs must start with PartyID (448).
    assert_eq!(
        reject(&nos("453=1|452=11|448=X|")),
        (R::RepeatingGroupFieldsOutOfOrder, Some(452))
    );
}

#[test]
fn incorrect_num_in_group_count_16() {
    assert_eq!(
        reject(&nos("386=3|336=PRE-OPEN|336=AFTER-HOURS|")),
        (R::IncorrectNumInGroupCount, Some(386))
    );
    assert_eq!(
        reject(&nos("386=1|336=PRE-OPEN|336=AFTER-HOURS|")),
        (R::IncorrectNumInGroupCount, Some(386))
    );
    assert_eq!(
        reject(&nos("386=x|336=PRE-OPEN|")),
        (R::IncorrectDataFormatForValue, Some(386))
    );
}

#[test]
fn group_count_of_zero_is_valid() {
    let raw = frame(&nos("386=0|"));
    let fix44::Message::NewOrderSingle(o) = fix44::Message::decode(&raw).expect("valid") else {
        panic!()
    };
    assert!(o
        .trdg_ses_grp
        .as_ref()
        .is_none_or(|t| t.no_trading_sessions.is_empty()));
}

#[test]
fn garbled_messages_are_frame_errors_not_rejects() {
    let mut raw = frame(&nos(""));
    let n = raw.len();
    raw[n - 2] = if raw[n - 2] == b'0' { b'1' } else { b'0' };
    assert!(matches!(
        fix44::Message::decode(&raw),
        Err(DecodeError::Frame(_))
    ));
    assert!(matches!(
        fix44::Message::decode(&raw[..n - 3]),
        Err(DecodeError::Frame(_))
    ));
}

/// The problem `opts` find in a NewOrderSingle with `extra` (`None`: valid).
fn problem_with(extra: &str, opts: &ValidationOptions) -> Option<(R, Option<i64>)> {
    let raw = frame(&nos(extra));
    let mut decoder = fix_core::Decoder::new();
    let view = decoder
        .decode(&raw, &fix44::DICTIONARY, opts)
        .expect("well framed");
    view.problem().map(|p| (p.reason, p.tag))
}

#[test]
fn unknown_enum_values_pass_when_allowed_but_their_format_is_still_checked() {
    let allow = ValidationOptions {
        allow_unknown_enum_values: true,
        ..Default::default()
    };
    // TimeInForce 'Z' and PartyRole 300 are unlisted.
    for (extra, tag) in [("59=Z|", 59), ("453=1|448=P|447=D|452=300|", 452)] {
        assert_eq!(
            problem_with(extra, &ValidationOptions::default()),
            Some((R::ValueIsIncorrect, Some(tag))),
            "{extra}"
        );
        assert_eq!(problem_with(extra, &allow), None, "{extra}");
    }
    // A CHAR of two characters and an INT with a letter are malformed, listed or not.
    assert_eq!(
        problem_with("59=ZZ|", &allow),
        Some((R::IncorrectDataFormatForValue, Some(59)))
    );
    assert_eq!(
        problem_with("453=1|448=P|447=D|452=3x|", &allow),
        Some((R::IncorrectDataFormatForValue, Some(452)))
    );
}

#[test]
fn group_members_out_of_dictionary_order_are_rejected_unless_unordered_fields_are_allowed() {
    // NoPartyIDs entries are PartyID (448), PartyIDSource (447), PartyRole (452).
    let unordered = "453=2|448=P1|452=3|447=D|448=P2|447=D|452=1|";
    assert_eq!(
        problem_with(unordered, &ValidationOptions::default()),
        Some((R::RepeatingGroupFieldsOutOfOrder, Some(447)))
    );
    let lenient = ValidationOptions {
        check_group_field_order: false,
        ..Default::default()
    };
    assert_eq!(problem_with(unordered, &lenient), None);
    // Read through the typed view, each entry has its own fields.
    let raw = frame(&nos(unordered));
    let mut decoder = fix_core::Decoder::new();
    let msg = fix44::MessageRef::decode(&mut decoder, &raw, &lenient).unwrap();
    let fix44::MessageRef::NewOrderSingle(order) = msg else {
        panic!("not a NewOrderSingle");
    };
    let roles: Vec<_> = order
        .parties()
        .expect("parties")
        .no_party_ids()
        .map(|p| (p.party_id().map(str::to_owned), p.party_role()))
        .collect();
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0].0.as_deref(), Some("P1"));
    assert_eq!(roles[1].0.as_deref(), Some("P2"));
}

#[test]
fn the_first_field_delimits_entries_when_so_configured() {
    // Each entry starts with PartyIDSource instead of PartyID.
    let swapped = "453=2|447=D|448=P1|447=D|448=P2|";
    assert_eq!(
        problem_with(swapped, &ValidationOptions::default()),
        Some((R::RepeatingGroupFieldsOutOfOrder, Some(447)))
    );
    let delimited = ValidationOptions {
        first_field_in_group_is_delimiter: true,
        check_group_field_order: false,
        ..Default::default()
    };
    assert_eq!(problem_with(swapped, &delimited), None);
    // Two entries are counted by the first field's repeats: a count of 1 is wrong.
    assert_eq!(
        problem_with("453=1|447=D|448=P1|447=D|448=P2|", &delimited),
        Some((R::IncorrectNumInGroupCount, Some(453)))
    );
}
