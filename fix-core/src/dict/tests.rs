use super::*;

#[test]
fn pack_keeps_bytes_and_length_of_one_to_seven_bytes() {
    let naive = |v: &[u8]| {
        (!v.is_empty() && v.len() <= 7).then(|| {
            let mut w = [0u8; 8];
            w[..v.len()].copy_from_slice(v);
            w[7] = v.len() as u8;
            u64::from_le_bytes(w)
        })
    };
    let bytes = b"AbC1xy9=Q";
    for start in 0..bytes.len() {
        for end in start..=bytes.len() {
            let v = &bytes[start..end];
            assert_eq!(pack(v), naive(v), "{v:?}");
        }
    }
    assert_ne!(pack(b"1"), pack(b"10"));
    assert_ne!(pack(b"1\0"), pack(b"1"));
}

#[test]
fn layout_lookup_finds_every_tag_and_no_other() {
    let members: Vec<Member> = [44u32, 11, 38, 9000, 1, 54]
        .iter()
        .map(|&tag| Member::Field {
            tag,
            required: false,
        })
        .collect();
    let layout = Layout::new(members);
    for (slot, tag) in [44u32, 11, 38, 9000, 1, 54].iter().enumerate() {
        assert_eq!(layout.slot(*tag), Some(slot));
    }
    for tag in [0u32, 2, 12, 45, 8999, 9001, u32::MAX] {
        assert_eq!(layout.slot(tag), None);
    }
    assert_eq!(Layout::EMPTY.slot(1), None);
}

#[test]
fn combined_table_prefers_header_then_body_then_trailer() {
    let field = |tag| Member::Field {
        tag,
        required: false,
    };
    let group = |tag| Member::Group {
        tag,
        required: false,
        delimiter: 1,
        entry: Layout::new(vec![field(1)]),
    };
    // 100: a header group, also in body and trailer; 200: a body group, also in the
    // trailer; 300: only in the trailer.
    let header = Layout::new(vec![field(8), group(100)]);
    let body = Layout::new(vec![field(100), field(5), group(200)]);
    let trailer = Layout::new(vec![field(200), field(100), field(300)]);
    let dict = Dictionary::new(
        Cow::Borrowed("FIX.4.4"),
        None,
        Cow::Owned(Vec::new()),
        header,
        trailer,
        Cow::Owned(vec![MessageDef {
            msg_type: Cow::Borrowed("D"),
            name: Cow::Borrowed("D"),
            admin: false,
            body,
        }]),
    );
    let body = &dict.messages[0].body;
    assert_eq!(body.combined_slot(100), Some(Some((0, 1, true))));
    assert_eq!(body.combined_slot(5), Some(Some((1, 1, false))));
    assert_eq!(body.combined_slot(200), Some(Some((1, 2, true))));
    assert_eq!(body.combined_slot(300), Some(Some((2, 2, false))));
    assert_eq!(body.combined_slot(8), Some(Some((0, 0, false))));
    assert_eq!(body.combined_slot(9), None);
    // Layouts outside a dictionary have no combined table.
    assert_eq!(Layout::new(vec![field(5)]).combined_slot(5), Some(None));
}

#[test]
fn hash_table_agrees_with_binary_search() {
    let tags: Vec<Tag> = (0..300u32)
        .map(|i| 1 + i * 37 % 9973 + (i % 7) * 5000)
        .collect();
    let members: Vec<Member> = tags
        .iter()
        .map(|&tag| Member::Field {
            tag,
            required: false,
        })
        .collect();
    let layout = Layout::new(members);
    for tag in 0..50_000u32 {
        assert_eq!(layout.slot(tag), layout.slot_by_search(tag), "tag {tag}");
    }
    // A deserialized layout has no table and searches.
    let copy: Layout = serde_json::from_str(&serde_json::to_string(&layout).unwrap()).unwrap();
    assert_eq!(copy, layout);
    for &tag in &tags {
        assert_eq!(copy.slot(tag), layout.slot(tag));
    }
}

#[test]
fn enum_tables_agree_with_enum_value() {
    let values = |vs: &[&'static str]| -> List<EnumValue> {
        let mut v: Vec<EnumValue> = vs
            .iter()
            .map(|&s| EnumValue {
                value: Cow::Borrowed(s),
                description: Cow::Borrowed("d"),
            })
            .collect();
        v.sort_by(|a, b| a.value.cmp(&b.value));
        Cow::Owned(v)
    };
    let field = |tag, field_type, vs: &[&'static str]| FieldDef {
        tag,
        name: Cow::Borrowed("F"),
        field_type,
        values: values(vs),
    };
    let fields = vec![
        field(1, FieldType::Char, &["1", "2", "A", "~"]),
        field(2, FieldType::Int, &["1", "2", "10", "11", "100", "9999999"]),
        field(3, FieldType::String, &["EURIBOR", "LONGER-THAN-7", "X"]),
        field(4, FieldType::MultipleValueString, &["A", "B", "CC"]),
        field(5, FieldType::String, &[]),
        field(
            6,
            FieldType::Int,
            &["0", "1", "9", "10", "99", "100", "255"],
        ),
        field(7, FieldType::Int, &["1", "256"]),
        field(8, FieldType::Int, &["01", "2"]),
    ];
    let dict = Dictionary::new(
        Cow::Borrowed("FIX.4.4"),
        None,
        Cow::Owned(fields.clone()),
        Layout::EMPTY,
        Layout::EMPTY,
        Cow::Borrowed(&[]),
    );
    let probes: &[&[u8]] = &[
        b"0",
        b"00",
        b"01",
        b"9",
        b"09",
        b"99",
        b"255",
        b"256",
        b"0255",
        b"-1",
        b"1a",
        b"1",
        b"2",
        b"3",
        b"A",
        b"~",
        b"10",
        b"100",
        b"1000",
        b"9999999",
        b"99999999",
        b"EURIBOR",
        b"EURIBO",
        b"LONGER-THAN-7",
        b"X",
        b"CC",
        b"C",
        b"",
        b"\x00",
        b"\xff",
    ];
    for (pos, def) in fields.iter().enumerate() {
        let meta = dict.meta(pos).unwrap();
        assert_eq!(meta.kind & K_ENUM != 0, !def.values.is_empty());
        for &p in probes {
            let expected = def.enum_value(p).is_some();
            if meta.kind & K_BITMAP != 0 {
                let got = p.len() == 1 && dict.in_bitmap(meta.bitmap, p[0]);
                assert_eq!(got, expected, "field {} {p:?}", def.tag);
            }
            if meta.kind & K_INTMAP != 0 {
                let got = small_int(p).is_some_and(|n| dict.in_bitmap(meta.bitmap, n));
                assert_eq!(got, expected, "field {} {p:?}", def.tag);
            }
            if meta.kind & K_PACKED != 0 {
                assert_eq!(
                    dict.in_packed(&meta, p),
                    expected,
                    "field {} {p:?}",
                    def.tag
                );
            }
        }
    }
    assert_ne!(dict.meta(0).unwrap().kind & K_BITMAP, 0);
    assert_ne!(dict.meta(1).unwrap().kind & K_PACKED, 0);
    assert_eq!(dict.meta(2).unwrap().kind & (K_PACKED | K_BITMAP), 0);
    assert_ne!(dict.meta(3).unwrap().kind & K_PACKED, 0);
    assert_ne!(dict.meta(5).unwrap().kind & K_INTMAP, 0);
    assert_ne!(dict.meta(6).unwrap().kind & K_PACKED, 0);
    assert_ne!(dict.meta(7).unwrap().kind & K_PACKED, 0);
}
