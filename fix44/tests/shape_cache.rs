//! A decoder remembers the shapes of valid messages it decoded (their tags, group counts and
//! the index the walk built) and, for a message with the same tags, checks only the values.
//! These tests hold it to the same verdicts and the same index as a decoder that never saw a
//! message: values, group counts, emptied fields, separators and tags changed in messages
//! right after their valid originals, across several message types.

use fix_core::dict::{Layout, Member};
use fix_core::view::Level;
use fix_core::{Decoder, MessageView, SessionRejectReason, ValidationOptions};

mod common;
use common::frame;

const BODIES: [&str; 4] = [
    "35=D|49=BUYSIDE|56=SELLSIDE|34=1047|52=20240102-10:11:12.345|11=ORD-1|453=2|448=T1|447=D|\
     452=11|448=F2|447=B|452=1|1=ACC|21=1|55=AAPL|48=US0378331005|22=4|54=1|\
     60=20240102-10:11:12.340|38=100|40=2|44=187.25|15=USD|59=0|58=note|",
    "35=8|49=SELLSIDE|56=BUYSIDE|34=2210|52=20240102-10:11:12.512|37=EX-1|11=ORD-1|453=3|\
     448=T1|447=D|452=11|448=F2|447=B|452=1|448=C3|447=D|452=17|17=E-1|150=F|39=2|1=ACC|\
     55=AAPL|54=1|38=100|40=2|44=187.25|32=100|31=187.24|151=0|14=100|6=187.24|\
     60=20240102-10:11:12.510|",
    "35=X|49=MD|56=B|34=9|52=20240102-10:11:12.600|262=R|268=2|279=0|269=0|278=I1|55=AAPL|\
     270=187.2|271=100|273=10:11:12.598|279=1|269=1|278=I2|55=AAPL|270=187.3|271=50|",
    "35=A|49=A|56=B|34=1|52=20240102-10:11:12|98=0|108=30|141=Y|",
];

/// [`BODIES`] and a NewOrderSingle with an EncodedText (DATA) of 75 bytes holding SOH, so
/// that the value spans a 64-byte word of the SOH bitmap and the fields after it are found
/// past the SOH bytes inside it.
fn bodies() -> Vec<String> {
    let text = "ab\u{1}cd=ef\u{1}".repeat(8) + "ghi";
    assert_eq!(text.len(), 75);
    let mut all: Vec<String> = BODIES.iter().map(|b| b.to_string()).collect();
    all.push(format!(
        "35=D|49=BUYSIDE|56=SELLSIDE|34=1048|52=20240102-10:11:12.345|11=ORD-2|21=1|\
         55=MSFT|354=75|355={text}|54=2|60=20240102-10:11:12.340|38=5|40=1|59=0|"
    ));
    all
}

/// Everything a view tells: the verdict, the fields in order, and every slot of the header,
/// body (groups entry by entry) and trailer.
fn render(view: &MessageView<'_>) -> Vec<String> {
    let mut out = vec![format!("problem {:?}", view.problem())];
    out.extend(
        view.fields()
            .map(|(tag, v)| format!("{tag}={}", String::from_utf8_lossy(v))),
    );
    let dict = view.dictionary();
    level(&view.header(), &dict.header, "h", &mut out);
    if let Some(m) = view.message_def() {
        level(&view.body(), &m.body, "b", &mut out);
    }
    level(&view.trailer(), &dict.trailer, "t", &mut out);
    out
}

fn level(l: &Level<'_, '_>, layout: &Layout, path: &str, out: &mut Vec<String>) {
    for (slot, m) in layout.members.iter().enumerate() {
        match m {
            Member::Group { entry, .. } => {
                out.push(format!("{path}.{slot} raw {:?}", l.raw(slot)));
                for (i, e) in l.group(slot).enumerate() {
                    level(&e, entry, &format!("{path}.{slot}[{i}]"), out);
                }
            }
            _ => {
                if let Some(v) = l.raw(slot) {
                    out.push(format!("{path}.{slot} {}", String::from_utf8_lossy(v)));
                }
            }
        }
    }
}

/// The verdict and index of a decoder that has seen nothing.
fn fresh(raw: &[u8], opts: &ValidationOptions) -> Result<Vec<String>, String> {
    let mut d = Decoder::new();
    d.decode(raw, &fix44::DICTIONARY, opts)
        .map(|v| render(&v))
        .map_err(|e| e.to_string())
}

fn warm(d: &mut Decoder, raw: &[u8], opts: &ValidationOptions) -> Result<Vec<String>, String> {
    d.decode(raw, &fix44::DICTIONARY, opts)
        .map(|v| render(&v))
        .map_err(|e| e.to_string())
}

#[test]
fn a_remembered_shape_gives_the_verdicts_of_a_fresh_decoder() {
    let strict = ValidationOptions::default();
    let relaxed = ValidationOptions::relaxed();
    let mut d = Decoder::new();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let nasty = [
        "",
        "0",
        "-1",
        "2",
        "3",
        "02",
        "99",
        "X",
        "A\u{1}",
        "1.5",
        "20241399-25:61:61",
    ];
    let mut differing_verdicts = 0;
    let bodies = bodies();
    for round in 0..10_000u32 {
        let body = &bodies[(next() % bodies.len() as u64) as usize];
        let opts = if round % 7 == 0 { &relaxed } else { &strict };
        let valid = frame(body);
        // The original first, so its shape is the one remembered.
        let original = warm(&mut d, &valid, opts);
        assert_eq!(original, fresh(&valid, opts), "{body}");
        let mut fields: Vec<String> = body
            .trim_end_matches('|')
            .split('|')
            .map(str::to_string)
            .collect();
        for _ in 0..=next() % 2 {
            let r = next();
            let at = 1 + (r >> 8) as usize % (fields.len() - 1);
            let tag = fields[at].split('=').next().unwrap_or("").to_string();
            match r % 5 {
                // Another value, same tag: the shape still fits.
                0..=2 => fields[at] = format!("{tag}={}", nasty[(r >> 32) as usize % nasty.len()]),
                // The same field twice.
                3 => fields.insert(at, fields[at].clone()),
                // Gone.
                _ => {
                    fields.remove(at);
                }
            }
        }
        let mutated = frame(&(fields.join("|") + "|"));
        let got = warm(&mut d, &mutated, opts);
        let want = fresh(&mutated, opts);
        assert_eq!(got, want, "after {body}\nmutated {:?}", fields.join("|"));
        if got != original {
            differing_verdicts += 1;
        }
    }
    // The mutations did reach the checks: most rounds changed the verdict or the index.
    assert!(differing_verdicts > 5_000, "{differing_verdicts}");
}

#[test]
fn a_wrong_group_count_after_a_valid_message_is_still_reason_16() {
    let opts = ValidationOptions::default();
    let mut d = Decoder::new();
    let nos = BODIES[0];
    let valid = frame(nos);
    assert!(d
        .decode(&valid, &fix44::DICTIONARY, &opts)
        .expect("framed")
        .problem()
        .is_none());
    // Same tags, same order; only the count of the two NoPartyIDs entries changed.
    for count in ["3", "1", "0"] {
        let raw = frame(&nos.replace("453=2|", &format!("453={count}|")));
        let view = d.decode(&raw, &fix44::DICTIONARY, &opts).expect("framed");
        let p = view.problem().expect("wrong count");
        assert_eq!(
            (p.reason, p.tag),
            (SessionRejectReason::IncorrectNumInGroupCount, Some(453)),
            "453={count}"
        );
    }
    // And a bad value in a remembered shape is reported as a fresh decoder reports it.
    let raw = frame(&nos.replace("54=1|", "54=Z|"));
    let view = d.decode(&raw, &fix44::DICTIONARY, &opts).expect("framed");
    let p = view.problem().expect("bad Side");
    assert_eq!(
        (p.reason, p.tag),
        (SessionRejectReason::ValueIsIncorrect, Some(54))
    );
    // The valid message is still read from its shape, fields in their places.
    let view = d.decode(&valid, &fix44::DICTIONARY, &opts).expect("framed");
    assert!(view.problem().is_none());
    let body = &view.message_def().expect("NewOrderSingle").body;
    let parties = body.slot(453).expect("NoPartyIDs in NewOrderSingle");
    let ids: Vec<_> = view
        .body()
        .group(parties)
        .map(|e| e.raw(0).map(<[u8]>::to_vec))
        .collect();
    assert_eq!(view.field(11), Some(&b"ORD-1"[..]));
    // A group's slot reads as its NumInGroup value.
    assert_eq!(view.body().raw(parties), Some(&b"2"[..]));
    assert_eq!(ids, [Some(b"T1".to_vec()), Some(b"F2".to_vec())]);
}

#[test]
fn a_shape_given_up_half_way_matches_no_later_message() {
    // Relaxed options accept an undefined user-defined tag of eight digits, whose text does not
    // fit the one-word compare: the decoder starts remembering the message's shape and gives
    // up at that tag. Whatever it left must match nothing, not even a message whose MsgType
    // is as empty as the half-filled shape's.
    let relaxed = ValidationOptions::relaxed();
    let mut d = Decoder::new();
    let first = frame("35=D|49=A|56=B|34=2|52=20240102-10:11:12|11=X|12345678=Y|54=1|");
    assert_eq!(
        warm(&mut d, &first, &relaxed),
        fresh(&first, &relaxed),
        "the message itself"
    );
    for body in [
        "35=|49=A|56=B|34=3|52=20240102-10:11:12|11=X|",
        "35=|",
        "35=D|49=A|56=B|34=4|52=20240102-10:11:12|11=X|12345678=Y|54=1|",
    ] {
        let raw = frame(body);
        assert_eq!(
            warm(&mut d, &raw, &relaxed),
            fresh(&raw, &relaxed),
            "{body}"
        );
    }
}
