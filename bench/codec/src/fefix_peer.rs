//! fefix 0.7, the Rust peer: its tag-value decoder and encoder with its FIX.4.4 dictionary,
//! and the two workarounds a fair comparison needs.
//!
//! - **Decoder group state.** `fefix::tagvalue::Decoder` keeps its repeating-group state
//!   (`DecoderState`) from one message to the next: `decode` clears the fields but not the
//!   group stack, and a group is only closed when its first tag shows up once more than its
//!   count. After a message with a group, every field of the following messages is filed
//!   under the last entry of that group, so a top-level lookup such as ClOrdID(11) finds
//!   nothing ([`group_state_leaks`] shows it). The only clean state is a new decoder,
//!   so the harness decodes each message with a decoder made for it
//!   ([`fresh_decoder`]); making one costs a walk over the whole dictionary, which the
//!   benches measure on its own.
//! - **Encoder BodyLength.** `EncoderHandle::wrap` writes the six zero-padded BodyLength
//!   digits from `(len / 10^k) as u8 % 10`: the cast to `u8` keeps the value mod 256, so the
//!   units digit (and, from 2,560 bytes, the tens digit) is wrong once the body reaches 256
//!   bytes. [`encode`] returns what fefix wrote; [`repair_body_length`] rewrites BodyLength
//!   and CheckSum, which the benches time as the price of correct output.

use fefix::fix_values::{Date, Time, Timestamp};
use fefix::tagvalue::{Config, Decoder, Encoder, FieldAccess};
use fefix::Dictionary;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A field value as an application would hand it to fefix's encoder: typed where fefix has
/// a type (integers, decimals with its `utils-rust-decimal` feature, timestamps), text
/// otherwise.
#[derive(Debug, Clone)]
pub enum Value {
    /// STRING, CHAR, CURRENCY, EXCHANGE and the like: written as is.
    Text(String),
    /// INT, SEQNUM, NUMINGROUP.
    Int(u32),
    /// PRICE, QTY, AMT: written by fefix from a `rust_decimal::Decimal`.
    Decimal(Decimal),
    /// UTCTIMESTAMP with milliseconds.
    Timestamp(Timestamp),
    /// UTCTIMEONLY with milliseconds.
    Time(Time),
}

/// A message ready to encode with fefix: MsgType and the fields after it (header, body),
/// in order. BeginString, BodyLength and CheckSum are fefix's to write.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// MsgType(35).
    pub msg_type: Vec<u8>,
    /// Every other field between MsgType and CheckSum, in order.
    pub fields: Vec<(u16, Value)>,
}

/// The FIX.4.4 dictionary fefix ships (parsed from its embedded QuickFIX XML).
pub fn dictionary() -> Dictionary {
    Dictionary::fix44()
}

/// A decoder in its initial state (checksum verification on, the default).
pub fn fresh_decoder(dict: &Dictionary) -> Decoder<Config> {
    Decoder::<Config>::new(dict.clone())
}

/// Decodes `raw` with `decoder` and returns the number of fields fefix indexed.
/// fefix checks framing, BodyLength and CheckSum and indexes fields and groups; it has no
/// dictionary validation of fields or values.
pub fn decode(decoder: &mut Decoder<Config>, raw: &[u8]) -> Result<usize, String> {
    decoder
        .decode(raw)
        .map(|m| m.len())
        .map_err(|e| e.to_string())
}

/// Shows fefix's group-state bug: decodes `with_group` and then `after` with one decoder,
/// and returns whether ClOrdID(11) of `after` is missing at top level although a fresh
/// decoder finds it.
pub fn group_state_leaks(dict: &Dictionary, with_group: &[u8], after: &[u8]) -> bool {
    let mut fresh = fresh_decoder(dict);
    let found_fresh = fresh
        .decode(after)
        .map(|m| m.fv_raw(&11u32).is_some())
        .unwrap_or(false);
    let mut reused = fresh_decoder(dict);
    let _ = reused.decode(with_group).map(|m| m.len());
    let found_reused = reused
        .decode(after)
        .map(|m| m.fv_raw(&11u32).is_some())
        .unwrap_or(false);
    found_fresh && !found_reused
}

const INT_TAGS: &[u16] = &[34, 268, 346, 452, 453];
const DECIMAL_TAGS: &[u16] = &[6, 14, 31, 32, 38, 44, 151, 270, 271];
const TIMESTAMP_TAGS: &[u16] = &[52, 60];
const TIME_TAGS: &[u16] = &[273];

fn parse_time(text: &str) -> Option<Time> {
    let n = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    Time::from_hmsm(n(0..2)?, n(3..5)?, n(6..8)?, n(9..12)?)
}

fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let n = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    let date = Date::new(n(0..4)?, n(4..6)?, n(6..8)?)?;
    Some(Timestamp::new(date, parse_time(text.get(9..)?)?))
}

/// The fields of a framed message as fefix encoder input, each value converted to the type
/// an application would hold (done once, outside the timed code).
pub fn outgoing(raw: &[u8]) -> Outgoing {
    let text = std::str::from_utf8(raw).expect("ASCII message");
    let mut msg_type = Vec::new();
    let mut fields = Vec::new();
    for field in text.split('\u{1}').filter(|f| !f.is_empty()) {
        let (tag, value) = field.split_once('=').expect("tag=value");
        let tag: u16 = tag.parse().expect("numeric tag");
        let value = match tag {
            8..=10 => continue,
            35 => {
                msg_type = value.as_bytes().to_vec();
                continue;
            }
            t if INT_TAGS.contains(&t) => Value::Int(value.parse().expect("int")),
            t if DECIMAL_TAGS.contains(&t) => {
                Value::Decimal(Decimal::from_str(value).expect("decimal"))
            }
            t if TIMESTAMP_TAGS.contains(&t) => {
                Value::Timestamp(parse_timestamp(value).expect("timestamp"))
            }
            t if TIME_TAGS.contains(&t) => Value::Time(parse_time(value).expect("time")),
            _ => Value::Text(value.to_string()),
        };
        fields.push((tag, value));
    }
    Outgoing { msg_type, fields }
}

/// Encodes `msg` with fefix into `buf` (cleared first) exactly as fefix writes it.
pub fn encode(encoder: &mut Encoder<Config>, msg: &Outgoing, buf: &mut Vec<u8>) -> usize {
    buf.clear();
    let mut handle = encoder.start_message(b"FIX.4.4", buf, &msg.msg_type);
    for (tag, value) in &msg.fields {
        let tag = fefix::TagU16::new(*tag).expect("non-zero tag");
        match value {
            Value::Text(s) => handle.set_any(tag, s.as_str()),
            Value::Int(v) => handle.set_any(tag, *v),
            Value::Decimal(v) => handle.set_any(tag, *v),
            Value::Timestamp(v) => handle.set_any(tag, v.clone()),
            Value::Time(v) => handle.set_any(tag, *v),
        }
    }
    handle.wrap().len()
}

/// Rewrites the six BodyLength digits fefix reserved (`9=NNNNNN`) with the true body
/// length and recomputes CheckSum: what a user of fefix 0.7 has to do after `wrap` for
/// bodies of 256 bytes and more.
pub fn repair_body_length(buf: &mut [u8]) {
    // fefix writes "8=FIX.4.4\x019=" then six digits.
    const DIGITS: usize = 12;
    let trailer = buf.len() - 7; // "10=NNN\x01"
    let body = trailer - (DIGITS + 7);
    let mut n = body;
    for i in (0..6).rev() {
        buf[DIGITS + i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let sum = buf[..trailer].iter().fold(0u8, |s, &b| s.wrapping_add(b));
    buf[trailer + 3] = b'0' + sum / 100;
    buf[trailer + 4] = b'0' + sum / 10 % 10;
    buf[trailer + 5] = b'0' + sum % 10;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages;

    #[test]
    fn fefix_decodes_every_message_with_a_fresh_decoder() {
        let dict = dictionary();
        for (name, raw) in messages::all() {
            let mut d = fresh_decoder(&dict);
            let n = decode(&mut d, &raw).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(n > 20, "{name}: {n} fields");
        }
    }

    #[test]
    fn fefix_group_state_leaks_across_messages() {
        let dict = dictionary();
        assert!(group_state_leaks(
            &dict,
            &messages::execution_report(),
            &messages::new_order_single()
        ));
    }

    #[test]
    fn repaired_fefix_output_is_framed_right_and_carries_the_same_fields() {
        let mut enc = Encoder::<Config>::default();
        let mut buf = Vec::new();
        for (name, raw) in messages::all() {
            let msg = outgoing(&raw);
            encode(&mut enc, &msg, &mut buf);
            let as_written = messages::check_framing(&buf);
            repair_body_length(&mut buf);
            messages::check_framing(&buf).unwrap_or_else(|e| panic!("{name}: {e}"));
            // Same fields as the original, apart from BodyLength's zero padding.
            let strip = |m: &[u8]| -> Vec<String> {
                String::from_utf8_lossy(m)
                    .split('\u{1}')
                    .filter(|f| !f.starts_with("9=") && !f.starts_with("10="))
                    .map(str::to_string)
                    .collect()
            };
            assert_eq!(strip(&buf), strip(&raw), "{name}");
            let body = raw.len() - 7 - (raw.iter().skip(10).position(|&b| b == 1).unwrap() + 11);
            assert_eq!(
                as_written.is_ok(),
                body < 256 || body % 256 % 10 == body % 10
            );
        }
    }
}
