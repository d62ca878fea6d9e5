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

/// Checks every message type of `M`'s dictionary: a [`populated_message`] decodes (as the
/// right known type), encodes back to the same bytes (with a well-formed frame), decodes
/// again to an equal header and message, and passes `extra` (e.g. a JSON round trip).
/// Returns how many message types were checked, or one line per failure.
pub fn check_round_trips<M>(
    mut extra: impl FnMut(&M) -> Result<(), String>,
) -> Result<usize, String>
where
    M: crate::message::AnyMessage + PartialEq + std::fmt::Debug,
    M::Header: PartialEq + std::fmt::Debug,
{
    let dict = M::dictionary();
    let opts = crate::view::ValidationOptions::default();
    let show = |b: &[u8]| String::from_utf8_lossy(b).replace('\x01', "|");
    let mut failures = Vec::new();
    for def in dict.messages.iter() {
        let mut sample = Vec::new();
        populated_message(dict, def, &mut sample);
        let mut check = || -> Result<(), String> {
            let (header, msg) =
                M::decode_with(&sample, &opts).map_err(|e| format!("decode: {e}"))?;
            if msg.msg_type() != def.msg_type.as_ref() || !msg.is_known() {
                return Err(format!(
                    "decoded as {:?} (known: {})",
                    msg.msg_type(),
                    msg.is_known()
                ));
            }
            let mut again = Vec::new();
            let range = msg
                .encode(&header, &mut again)
                .map_err(|e| format!("encode: {e}"))?;
            let frame = crate::frame::find_frame(&again, crate::frame::DEFAULT_MAX_MESSAGE_LEN);
            if range != (0..again.len()) || !matches!(frame, Ok(Some(f)) if f.len == again.len()) {
                return Err(format!("badly framed: {}", show(&again)));
            }
            if again != sample {
                return Err(format!(
                    "re-encoded bytes differ\n  sample: {}\n  again:  {}",
                    show(&sample),
                    show(&again)
                ));
            }
            let (header2, msg2) =
                M::decode_with(&again, &opts).map_err(|e| format!("decode again: {e}"))?;
            if header2 != header || msg2 != msg {
                return Err("decodes again to another value".to_string());
            }
            extra(&msg)
        };
        if let Err(e) = check() {
            failures.push(format!("{} ({}): {e}", def.name, def.msg_type));
        }
    }
    if failures.is_empty() {
        Ok(dict.messages.len())
    } else {
        Err(format!(
            "{} of {} message types failed:\n{}",
            failures.len(),
            dict.messages.len(),
            failures.join("\n")
        ))
    }
}

/// Checks the typed views of `M` (`M::Ref`) against its owned decode on `messages` (the FIX44 or
/// FIX50SP2 round-trip corpus, a recorded stream): each message, decoded with the default
/// options, views as a known type; the view's `to_owned()` equals the owned decode field by
/// field (every owned field is read through the view's accessor); and encoding it gives the
/// message's bytes back. Returns how many messages were checked, or one line per failure.
pub fn check_views<M>(messages: &[Vec<u8>]) -> Result<usize, String>
where
    M: crate::message::AnyMessage + PartialEq + std::fmt::Debug,
    M::Header: PartialEq + std::fmt::Debug,
{
    let dict = M::dictionary();
    let opts = crate::view::ValidationOptions::default();
    let mut decoder = crate::view::Decoder::new();
    let mut failures = Vec::new();
    for (i, raw) in messages.iter().enumerate() {
        let mut check = || -> Result<(), String> {
            let owned = M::decode_with(raw, &opts).map_err(|e| format!("owned decode: {e}"))?;
            let view = decoder
                .decode(raw, dict, &opts)
                .map_err(|e| format!("view decode: {e}"))?;
            let typed = <M::Ref<'_> as crate::view::AnyMessageRef<'_>>::from_view(view);
            use crate::view::AnyMessageRef;
            if !typed.is_known() {
                return Err("viewed as an unknown MsgType".to_string());
            }
            let viewed = AnyMessageRef::to_owned(&typed);
            if viewed != owned {
                return Err(format!(
                    "view and owned decode differ\n  view:  {viewed:?}\n  owned: {owned:?}"
                ));
            }
            let mut again = Vec::new();
            viewed
                .1
                .encode(&viewed.0, &mut again)
                .map_err(|e| format!("encode: {e}"))?;
            if again != *raw {
                return Err("the view's to_owned() encodes to other bytes".to_string());
            }
            Ok(())
        };
        if let Err(e) = check() {
            failures.push(format!("message {i}: {e}"));
        }
    }
    if failures.is_empty() {
        Ok(messages.len())
    } else {
        Err(format!(
            "{} of {} messages failed:\n{}",
            failures.len(),
            messages.len(),
            failures.join("\n")
        ))
    }
}

/// A [`populated_message`] of every message type of `dict`: the round-trip corpus.
pub fn corpus(dict: &Dictionary) -> Vec<Vec<u8>> {
    dict.messages
        .iter()
        .map(|def| {
            let mut sample = Vec::new();
            populated_message(dict, def, &mut sample);
            sample
        })
        .collect()
}
