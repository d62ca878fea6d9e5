//! Fully populated sample messages built from dictionary tables: every field of a message
//! (header included) with a valid value, every repeating group with two entries, nested.
//!
//! Round-trip tests of generated crates use these: decode the sample into typed structs,
//! encode it again, and compare bytes. Also a source of fuzzing seeds.

use std::collections::HashSet;

use crate::dict::{Dictionary, FieldDef, Layout, Member, MessageDef};
use crate::encode::Writer;
use crate::field_type::FieldType;
use crate::tag::Tag;

/// A valid value for a field: its first listed value if enumerated, else a value of its type.
pub fn sample_value(def: &FieldDef) -> Vec<u8> {
    if let Some(v) = def.values.first() {
        if def.field_type.is_multiple() && def.values.len() > 1 {
            let second = def
                .values
                .get(1)
                .map(|v| v.value.as_ref())
                .unwrap_or_default();
            return format!("{} {}", v.value, second).into_bytes();
        }
        return v.value.as_bytes().to_vec();
    }
    let s: &str = match def.field_type {
        FieldType::Int => "-42",
        FieldType::SeqNum => "7",
        FieldType::Length | FieldType::NumInGroup => "1",
        FieldType::TagNum => "55",
        FieldType::DayOfMonth => "15",
        FieldType::Float => "-0.5",
        FieldType::Price => "187.25",
        FieldType::Qty => "100",
        FieldType::Amt => "18725.00",
        FieldType::PriceOffset => "0.0001",
        FieldType::Percentage => "0.125",
        FieldType::Char => "Z",
        FieldType::Boolean => "Y",
        FieldType::MultipleCharValue => "A B",
        FieldType::MultipleValueString | FieldType::MultipleStringValue => "AB CD",
        FieldType::Country => "US",
        FieldType::Currency => "USD",
        FieldType::Exchange => "XNYS",
        FieldType::Language => "en",
        FieldType::Data => "a\u{1}b=c",
        FieldType::XmlData => "<x a=\"1\"/>",
        FieldType::UtcTimestamp => "20240229-23:59:59.123",
        FieldType::UtcTimeOnly => "23:59:59.123",
        FieldType::UtcDateOnly | FieldType::LocalMktDate => "20240229",
        FieldType::LocalMktTime => "09:30:00",
        FieldType::MonthYear => "202403",
        FieldType::TzTimeOnly => "07:39:00Z",
        FieldType::TzTimestamp => "20240229-07:39:00-05",
        _ => return format!("S{}", def.tag).into_bytes(),
    };
    s.as_bytes().to_vec()
}

fn write_level(dict: &Dictionary, layout: &Layout, w: &mut Writer<'_>, skip: &[Tag], depth: usize) {
    let mut written: HashSet<Tag> = HashSet::new();
    let members: &[Member] = &layout.members;
    for (i, m) in members.iter().enumerate() {
        let tag = m.tag();
        if skip.contains(&tag) || !written.insert(tag) {
            continue;
        }
        match m {
            Member::Field { .. } => {
                let Some(def) = dict.field(tag) else { continue };
                if def.field_type == FieldType::Length {
                    // Written with its DATA field, which must follow it directly.
                    continue;
                }
                let value = sample_value(def);
                if def.field_type.is_data() {
                    let len_tag = match i.checked_sub(1).and_then(|p| members.get(p)) {
                        Some(Member::Field { tag: lt, .. })
                            if dict
                                .field(*lt)
                                .is_some_and(|d| d.field_type == FieldType::Length) =>
                        {
                            *lt
                        }
                        _ => continue,
                    };
                    w.put_tag_bytes(len_tag, value.len().to_string().as_bytes());
                    w.put_data(format!("{tag}=").as_bytes(), &value);
                } else {
                    w.put_tag_bytes(tag, &value);
                }
            }
            Member::Group { entry, .. } => {
                if depth > 8 {
                    continue;
                }
                w.put_tag_bytes(tag, b"2");
                for _ in 0..2 {
                    write_level(dict, entry, w, &[], depth + 1);
                }
            }
        }
    }
}

/// A complete message of type `msg` with every header and body field populated. The trailer
/// carries only CheckSum (the signature fields are left out).
pub fn populated_message(
    dict: &Dictionary,
    msg: &MessageDef,
    buf: &mut Vec<u8>,
) -> std::ops::Range<usize> {
    let mut w = Writer::new(buf, &dict.begin_string);
    w.put_str(b"35=", &msg.msg_type);
    write_level(dict, &dict.header, &mut w, &[8, 9, 35], 0);
    write_level(dict, &msg.body, &mut w, &[], 0);
    w.finish()
}
