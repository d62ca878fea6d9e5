//! Real counterparty dictionaries rely on QuickFIX's leniency. Each file in `tests/quirks/`
//! holds one such quirk; each loads the way QuickFIX reads it, with a warning naming the
//! element and its line.

use std::path::{Path, PathBuf};

use fix_core::FieldType;
use fix_dict::model::{Item, Model};
use fix_dict::Warning;

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/quirks")
        .join(name)
}

fn load(name: &str) -> Model {
    fix_dict::load_model(path(name), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The warning whose message contains `needle`, which must be the only one that does.
fn warning<'m>(model: &'m Model, needle: &str) -> &'m Warning {
    let found: Vec<&Warning> = model
        .warnings
        .iter()
        .filter(|w| w.message.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "'{needle}' in {:#?}", model.warnings);
    found[0]
}

/// The 1-based line of the first line of `name` containing `needle`.
fn line_of(name: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(path(name)).expect("quirk file");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in {name}"))
}

fn message<'m>(model: &'m Model, msg_type: &str) -> &'m fix_dict::model::Message {
    model
        .messages
        .iter()
        .find(|m| m.msg_type == msg_type)
        .unwrap_or_else(|| panic!("no msgtype {msg_type}"))
}

#[test]
fn a_tag_defined_twice_keeps_the_later_type_and_name() {
    let m = load("duplicate_tag.xml");
    let no_allocs = m.field(78).expect("tag 78");
    assert_eq!(no_allocs.field_type, FieldType::NumInGroup);
    let w = warning(&m, "tag 78 defined again");
    assert!(w.message.contains("INT"), "{w}");
    assert_eq!(
        w.line,
        line_of(
            "duplicate_tag.xml",
            "number='78' name='NoAllocs' type='NUMINGROUP'"
        )
    );
    assert!(w.to_string().contains(&format!("line {}", w.line)), "{w}");
    // Tag 80 under two names: the later name is the field's, both names resolve to it.
    assert_eq!(m.field(80).expect("tag 80").name, "AllocShares");
    warning(&m, "tag 80 defined again");
    let Item::Group(g) = &message(&m, "J").items[0] else {
        panic!("group expected")
    };
    assert_eq!(g.tag, 78);
    assert_eq!(g.delimiter, 79);
    assert!(matches!(g.items[1], Item::Field { tag: 80, .. }));
    assert_eq!(m.warnings.len(), 2, "{:#?}", m.warnings);
}

#[test]
fn a_name_defined_for_two_tags_means_the_later_tag() {
    let m = load("duplicate_name.xml");
    assert_eq!(m.field(5000).expect("5000").name, "VenueTag");
    assert_eq!(m.field(5001).expect("5001").field_type, FieldType::Int);
    assert!(matches!(
        message(&m, "U5").items[0],
        Item::Field {
            tag: 5001,
            required: true
        }
    ));
    let w = warning(&m, "name 'VenueTag' was defined for tag 5000");
    assert_eq!(
        w.line,
        line_of("duplicate_name.xml", "number='5001' name='VenueTag'")
    );
}

#[test]
fn a_group_counter_of_type_string_is_read_as_numingroup() {
    let m = load("group_counter_string.xml");
    assert_eq!(
        m.field(555).expect("NoLegs").field_type,
        FieldType::NumInGroup
    );
    let w = warning(&m, "declared STRING, read as NUMINGROUP");
    assert_eq!(
        w.line,
        line_of("group_counter_string.xml", "<group name='NoLegs'")
    );
    // The tables validate the count as a NumInGroup.
    let dict = fix_dict::layout::dictionary(&m);
    assert_eq!(
        dict.field(555).expect("555").field_type,
        FieldType::NumInGroup
    );
}

#[test]
fn required_values_other_than_y_and_n_are_read_and_reported() {
    let m = load("required_values.xml");
    let required: Vec<(u32, bool)> = message(&m, "D")
        .items
        .iter()
        .map(|i| match i {
            Item::Field { tag, required } => (*tag, *required),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        required,
        [(11, true), (55, true), (1, false), (58, false), (44, false)]
    );
    assert_eq!(m.warnings.len(), 5, "{:#?}", m.warnings);
    let w = warning(&m, "required='maybe' read as N");
    assert_eq!(w.line, line_of("required_values.xml", "required='maybe'"));
    warning(&m, "required='yes' read as Y");
}

#[test]
fn a_field_without_a_type_or_with_an_unknown_one_is_a_string() {
    let m = load("field_without_type.xml");
    assert_eq!(m.field(5100).expect("5100").field_type, FieldType::String);
    assert_eq!(m.field(5101).expect("5101").field_type, FieldType::String);
    let w = warning(&m, "field without a type, read as STRING");
    assert_eq!(w.line, line_of("field_without_type.xml", "number='5100'"));
    warning(&m, "unknown type 'UTCDATETIME', read as STRING");
}

#[test]
fn messages_sharing_a_name_load_and_a_repeated_msgtype_is_merged() {
    let m = load("message_name_shared.xml");
    let names: Vec<(&str, &str)> = m
        .messages
        .iter()
        .map(|x| (x.name.as_str(), x.msg_type.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Heartbeat", "0"),
            ("VenueReport", "U1"),
            ("VenueReport", "U2")
        ]
    );
    let w = warning(&m, "message name 'VenueReport' already names msgtype 'U1'");
    assert_eq!(w.line, line_of("message_name_shared.xml", "msgtype='U2'"));
    // The second definition of U1 adds VenueRef to the first.
    assert_eq!(message(&m, "U1").items.len(), 2);
    warning(&m, "msgtype 'U1' defined again");
    // Both custom MsgTypes are valid MsgType values for validation.
    let dict = fix_dict::layout::dictionary(&m);
    assert!(dict.message(b"U2").is_some());
}

#[test]
fn multi_character_msgtypes_load_without_warnings() {
    let m = load("multichar_msgtype.xml");
    assert_eq!(message(&m, "XCN").name, "CustomNotice");
    assert_eq!(message(&m, "U1").name, "UserOne");
    assert!(m.warnings.is_empty(), "{:#?}", m.warnings);
    let dict = fix_dict::layout::dictionary(&m);
    assert_eq!(dict.message(b"XCN").expect("XCN").name, "CustomNotice");
}

#[test]
fn custom_header_and_trailer_fields_are_members() {
    let m = load("custom_header_trailer.xml");
    assert!(m
        .header
        .iter()
        .any(|i| matches!(i, Item::Field { tag: 5400, .. })));
    assert!(matches!(m.trailer[0], Item::Field { tag: 5401, .. }));
    let dict = fix_dict::layout::dictionary(&m);
    assert!(dict.header.slot(5400).is_some());
    assert!(dict.trailer.slot(5401).is_some());
}

#[test]
fn colliding_enum_names_and_repeated_values_are_reported() {
    let m = load("enum_collision.xml");
    let f = m.field(5300).expect("5300");
    let values: Vec<&str> = f.values.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(values, ["A", "B", "C", "D"], "the repeated A is dropped");
    let w = warning(&m, "value 'B' ('Alpha') has the same name as value 'A'");
    assert_eq!(w.line, line_of("enum_collision.xml", "enum='B'"));
    warning(&m, "value 'C' ('AL-PHA') has the same name as value 'A'");
    warning(&m, "value 'A' listed again");
}

#[test]
fn fixt_transport_with_custom_logon_fields_combines_with_its_application() {
    let m = fix_dict::load_model(path("fix50_app.xml"), Some(&path("fixt_custom_logon.xml")))
        .expect("combined");
    let logon = message(&m, "A");
    assert!(logon
        .items
        .iter()
        .any(|i| matches!(i, Item::Field { tag: 9001, .. })));
    assert!(logon
        .items
        .iter()
        .any(|i| matches!(i, Item::Group(g) if g.tag == 9002 && g.delimiter == 9003)));
    assert_eq!(message(&m, "D").name, "VenueOrder");
    // Tag 9001 keeps the application's name; the conflict is reported.
    assert_eq!(m.field(9001).expect("9001").name, "VenueToken");
    warning(
        &m,
        "tag 9001 is 'VenueToken' STRING in the application dictionary",
    );
    let dict = fix_dict::layout::dictionary(&m);
    let logon = dict.message(b"A").expect("Logon");
    assert!(logon.body.slot(9002).is_some());
}

#[test]
fn the_standard_dictionaries_load_with_only_known_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dictionaries");
    for name in [
        "FIX40.xml",
        "FIX41.xml",
        "FIX42.xml",
        "FIX44.xml",
        "FIXT11.xml",
    ] {
        let m = fix_dict::load_model(root.join(name), None).expect(name);
        assert!(m.warnings.is_empty(), "{name}: {:#?}", m.warnings);
    }
    // FIX43.xml lists OwnershipType twice in RegistrationInstructions; QuickFIX keeps one.
    let m = fix_dict::load_model(root.join("FIX43.xml"), None).expect("FIX43");
    assert_eq!(m.warnings.len(), 1, "{:#?}", m.warnings);
    assert!(m.warnings[0].message.contains("listed again"));
}

#[test]
fn what_quickfix_refuses_is_still_an_error() {
    for (xml, problem) in [
        (
            "<fix><fields><field name='A' type='STRING'/></fields></fix>",
            "without a number",
        ),
        (
            "<fix><messages><message name='X' msgtype='U1'><field name='Nope'/></message></messages></fix>",
            "unknown field 'Nope'",
        ),
        (
            "<fix><messages><message name='X'/></messages></fix>",
            "without a msgtype",
        ),
    ] {
        let err = fix_dict::model_from_str(xml).expect_err(xml);
        assert!(err.to_string().contains(problem), "{err}");
    }
}
