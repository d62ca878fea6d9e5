use super::*;
use crate::frame::{find_frame, DEFAULT_MAX_MESSAGE_LEN};

#[test]
fn body_length_and_checksum_are_filled_in() {
    let mut buf = b"previous".to_vec();
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put_u64(b"34=", 12);
    w.put_str(b"11=", &"x".repeat(300));
    let r = w.finish();
    assert_eq!(r.start, 8);
    let msg = &buf[r];
    let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
    assert_eq!(frame.len, msg.len());
    assert!(msg.starts_with(b"8=FIX.4.4\x019=315\x0135=D\x01"));
}

#[test]
fn the_buffer_comes_back_to_the_caller_with_what_it_held() {
    let mut buf = b"earlier".to_vec();
    {
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "0");
        // Dropped unfinished: what was written stays, BodyLength not filled in.
    }
    assert_eq!(buf, b"earlier8=FIX.4.4\x019=000\x0135=0\x01");
    buf.truncate(7);
    let range = {
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "0");
        w.finish()
    };
    assert_eq!(&buf[..7], b"earlier");
    assert_eq!(
        &buf[range.clone()],
        b"8=FIX.4.4\x019=5\x0135=0\x0110=163\x01"
    );
    assert_eq!(range.end, buf.len());
    // The allocation is reused: a second message fits without moving the buffer.
    let (at, capacity) = (buf.as_ptr(), buf.capacity());
    buf.truncate(7);
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "0");
    w.finish();
    assert_eq!((buf.as_ptr(), buf.capacity()), (at, capacity));
}

#[test]
fn checksum_fields_of_every_sum() {
    for (sum, field) in CHECKSUM_FIELDS.iter().enumerate() {
        let bytes = field.to_le_bytes();
        assert_eq!(&bytes[..7], format!("10={sum:03}\x01").as_bytes(), "{sum}");
    }
    // And in messages, each checked by the framer: bodies of one or two digits of length
    // (moved into place), then one of every length from 100 to 999 (summed before
    // BodyLength is filled in), with sums spread over the whole range.
    let short = (0..1500u64).map(|i| format!("{i:x}{}", "q".repeat(i as usize % 13)));
    // A body is `35=0|58=` (8 bytes), the text and SOH.
    let long = (100..1000usize).map(|len| {
        (0..len - 9)
            .map(|j| char::from(b'!' + (j * 7 % 90) as u8))
            .collect::<String>()
    });
    let mut sums = std::collections::BTreeSet::new();
    let mut three_digit_lengths = std::collections::BTreeSet::new();
    for text in short.chain(long) {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "0");
        w.put_str(b"58=", &text);
        let r = w.finish();
        let msg = &buf[r];
        let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
        assert_eq!(frame.len, msg.len());
        if frame.body.len() >= 100 {
            three_digit_lengths.insert(frame.body.len());
        }
        sums.insert(msg[msg.len() - 4..msg.len() - 1].to_vec());
    }
    assert_eq!(sums.len(), 256);
    assert_eq!(three_digit_lengths, (100..1000).collect());
}

#[test]
fn body_lengths_of_every_digit_count() {
    // Bodies of 1, 2, 3, 4 and 5 digits of length: the reserved 3 digits shrink or grow.
    for text_len in [0usize, 1, 80, 89, 90, 94, 95, 990, 995, 1000, 12_345] {
        let mut buf = b"xy".to_vec();
        let mut w = Writer::new(&mut buf, "FIX.4.2");
        w.put_str(b"35=", "0");
        if text_len > 0 {
            w.put_str(b"58=", &"v".repeat(text_len));
        }
        let r = w.finish();
        assert_eq!(&buf[..2], b"xy", "bytes before the message are kept");
        assert_eq!(r.end, buf.len());
        let msg = &buf[r];
        let body_len = 5 + if text_len > 0 { 4 + text_len } else { 0 };
        let head = format!("8=FIX.4.2\x019={body_len}\x0135=0\x01");
        assert!(
            msg.starts_with(head.as_bytes()),
            "{:?}",
            String::from_utf8_lossy(&msg[..20])
        );
        let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
        assert_eq!(frame.len, msg.len());
        assert_eq!(frame.body.len(), body_len);
    }
}

#[test]
fn every_kind_of_field_writes_its_wire_form() {
    use crate::value::{Date, LocalMktDate, UtcTimestamp};
    use rust_decimal::Decimal;
    let date = Date::new(2024, 1, 2).unwrap_or_else(|| panic!("date"));
    let ts = UtcTimestamp::new(
        date,
        10,
        11,
        12,
        345_000_000,
        crate::value::Precision::Millis,
    )
    .unwrap_or_else(|| panic!("timestamp"));
    let mut buf = b"keep".to_vec();
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put_u64(b"34=", 0);
    w.put(b"123456789=", &12345u64);
    w.put(b"44=", &Decimal::new(-18725, 2));
    w.put(b"38=", &Decimal::new(100, 0));
    w.put(b"75=", &LocalMktDate::from_date(date));
    w.put(b"52=", &ts);
    w.put(b"5=", &-5i64);
    w.put(b"6=", &7u32);
    w.put(b"7=", &'c');
    w.put(b"8=", &true);
    w.put(b"9=", &"text".to_string());
    w.put_str(b"58=", &"x".repeat(40));
    w.put_str(b"1234567890=", "long prefix");
    w.put_tag_bytes(123_456_789, b"v");
    w.put_data(b"95=", b"a\x01b");
    w.put_str(b"59=", "");
    let expected: &[u8] = b"35=D\x0134=0\x01123456789=12345\x0144=-187.25\x0138=100\x01\
        75=20240102\x0152=20240102-10:11:12.345\x015=-5\x016=7\x017=c\x018=Y\x019=text\x01\
        58=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x011234567890=long prefix\x01\
        123456789=v\x0195=a\x01b\x0159=\x01";
    assert_eq!(
        String::from_utf8_lossy(w.body()),
        String::from_utf8_lossy(expected)
    );
    drop(w);
    // Dropped without finishing: the buffer ends where the writing did.
    assert!(buf.starts_with(b"keep8=FIX.4.4\x019=000\x01"));
    assert!(buf.ends_with(b"\x0159=\x01"));
    assert_eq!(buf.len(), 4 + 16 + expected.len());
}

#[test]
fn enum_values_packed_or_as_text() {
    let mut buf = Vec::new();
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    // "1" and SOH; "ABCDEFG" and SOH (a full word).
    w.put_enum(b"54=", Ok((0x0131, 2)));
    w.put_enum(b"5000=", Ok((0x0147_4645_4443_4241, 8)));
    w.put_enum(b"1234567890=", Ok((0x0132, 2)));
    w.put_enum(b"40=", Err("LONGER VALUE"));
    w.put_enum(b"1234567890=", Err("x"));
    assert_eq!(
        w.body(),
        b"54=1\x015000=ABCDEFG\x011234567890=2\x0140=LONGER VALUE\x011234567890=x\x01"
    );
    // Lengths out of contract write something, but do not panic or break the buffer.
    for len in [0, 9, 15, 16, usize::MAX] {
        w.put_enum(b"54=", Ok((0x0131, len)));
    }
    let r = w.finish();
    assert_eq!(r.end, buf.len());
}

#[test]
fn room_grows_for_long_messages() {
    let mut buf = Vec::new();
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    let mut expected = b"35=D\x01".to_vec();
    for i in 0..400u64 {
        w.put_u64(b"34=", i);
        w.put_str(b"58=", "abcdefghij");
        expected.extend_from_slice(format!("34={i}\x0158=abcdefghij\x01").as_bytes());
    }
    assert_eq!(w.body(), &expected[..]);
    let r = w.finish();
    assert_eq!(r.end, buf.len());
    let msg = &buf[r];
    let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
    assert_eq!(&msg[frame.body], &expected[..]);
}

#[test]
fn strings_of_every_length_take_the_right_path() {
    // 0 to 16 bytes (short path), 17 to 32 (medium), longer (slow); many fields, so the
    // room runs out at every offset; a SOH at each end of each length is reported.
    let mut buf = b"kept".to_vec();
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    let mut expected = b"35=D\x01".to_vec();
    for round in 0..30 {
        for n in 0..=40usize {
            let v: String = (0..n)
                .map(|i| char::from(b'a' + ((i + round) % 26) as u8))
                .collect();
            w.put_str(b"58=", &v);
            expected.extend_from_slice(format!("58={v}\x01").as_bytes());
        }
    }
    assert_eq!(w.body(), &expected[..]);
    let r = w.finish_checked().expect("no SOH in the values");
    assert_eq!(&buf[..4], b"kept");
    let frame = find_frame(&buf[r.clone()], DEFAULT_MAX_MESSAGE_LEN)
        .unwrap()
        .unwrap();
    assert_eq!(&buf[r][frame.body], &expected[..]);
    for n in 1..=40usize {
        for at in [0, n - 1] {
            let mut v = vec![b'x'; n];
            v[at] = SOH;
            let mut buf = Vec::new();
            let mut w = Writer::new(&mut buf, "FIX.4.4");
            w.put_str(b"35=", "D");
            w.put_bytes(b"11=", &v);
            assert_eq!(
                w.finish_checked(),
                Err(crate::error::EncodeError::SohInValue { tag: 11 }),
                "length {n}, SOH at {at}"
            );
        }
    }
}

#[test]
fn soh_in_an_unlisted_enum_value_a_string_or_a_char_is_refused() {
    let mut buf = Vec::new();
    // An enum's unlisted value (its text path).
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put_enum(b"54=", Err("1\x012"));
    assert_eq!(
        w.finish_checked(),
        Err(crate::error::EncodeError::SohInValue { tag: 54 })
    );
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put_enum(b"54=", Err("LONGVALUE"));
    w.put_enum(b"40=", Ok((u64::from_le_bytes(*b"2\x01\0\0\0\0\0\0"), 2)));
    let r = w.finish_checked().expect("no SOH");
    assert!(buf[r].starts_with(b"8=FIX.4.4\x019=23\x0135=D\x0154=LONGVALUE\x0140=2\x01"));
    // A String through the generic `put`.
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put(b"58=", &String::from("a\x01"));
    assert_eq!(
        w.finish_checked(),
        Err(crate::error::EncodeError::SohInValue { tag: 58 })
    );
    // A CHAR (written through its `FixValue::write`).
    buf.clear();
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put(b"9001=", &'\x01');
    assert_eq!(
        w.finish_checked(),
        Err(crate::error::EncodeError::SohInValue { tag: 9001 })
    );
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put(b"9001=", &'x');
    assert!(w.finish_checked().is_ok());
}

#[test]
fn soh_in_a_string_value_is_refused() {
    let mut buf = Vec::new();
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_str(b"35=", "D");
    w.put_str(b"58=", "a\x01b");
    assert_eq!(
        w.finish_checked(),
        Err(crate::error::EncodeError::SohInValue { tag: 58 })
    );
    assert!(buf.is_empty());
    let mut w = Writer::new(&mut buf, "FIX.4.4");
    w.put_tag_bytes(9999, b"a\x01");
    assert_eq!(
        w.finish_checked(),
        Err(crate::error::EncodeError::SohInValue { tag: 9999 })
    );
}
