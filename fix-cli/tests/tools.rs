//! End-to-end tests of `fix validate`, `fix encode` and `fix dict`.

use std::path::Path;

mod common;
use common::{msg, run, run_bytes, stdout, write_file, NOS_BODY};

const HEAD: &str = "49=A|56=B|34=2|52=20240102-10:11:12|";

fn nos(extra: &str) -> String {
    msg(
        "FIX.4.4",
        &format!("35=D|{HEAD}11=ID|55=IBM|54=1|60=20240102-10:11:12|40=1|{extra}"),
        "|",
    )
}

/// Broken messages as in fix44's reject tests, each with the SessionRejectReason code and
/// tag a Reject must carry.
fn broken() -> Vec<(String, u32, &'static str)> {
    let hb = |extra: &str| msg("FIX.4.4", &format!("35=0|{HEAD}{extra}"), "|");
    vec![
        (hb("999=HI|"), 0, "999"),
        (
            msg(
                "FIX.4.4",
                &format!("35=D|{HEAD}55=IBM|54=1|60=20240102-10:11:12|40=1|"),
                "|",
            ),
            1,
            "11 ClOrdID",
        ),
        (nos("112=TEST|"), 2, "112 TestReqID"),
        (nos("58=|"), 4, "58 Text"),
        (
            msg(
                "FIX.4.4",
                &format!("35=D|{HEAD}11=ID|55=IBM|54=Z|60=20240102-10:11:12|40=1|"),
                "|",
            ),
            5,
            "54 Side",
        ),
        (nos("38=abc|"), 6, "38 OrderQty"),
        (
            msg("FIX.4.4", &format!("35=ZZ|{HEAD}"), "|"),
            11,
            "35 MsgType",
        ),
        (nos("40=2|"), 13, "40 OrdType"),
        (nos("453=1|452=11|448=X|"), 15, "452 PartyRole"),
        (
            nos("386=3|336=PRE-OPEN|336=AFTER-HOURS|"),
            16,
            "386 NoTradingSessions",
        ),
    ]
}

#[test]
fn validate_names_the_reason_and_tag_of_each_broken_message() {
    let cases = broken();
    // nos("") is a valid message: the first line passes.
    let mut input = format!("{}\n", nos(""));
    for (m, _, _) in &cases {
        input.push_str(m);
        input.push('\n');
    }
    let o = run(&["validate"], &input);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        cases.len(),
        "one line per failing message: {out}"
    );
    for (i, (_, reason, tag)) in cases.iter().enumerate() {
        let line = lines[i];
        assert!(
            line.starts_with(&format!("<stdin>:{}:", i + 2)),
            "line number: {line}"
        );
        assert!(line.contains(" FAIL "), "{line}");
        assert!(
            line.contains(&format!(": {tag} (reason {reason})")),
            "expected reason {reason} tag {tag}: {line}"
        );
    }
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "{} messages, {} failed",
            cases.len() + 1,
            cases.len()
        )),
        "{err}"
    );
}

#[test]
fn validate_passes_good_messages_and_reports_garbled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_file(
        dir.path(),
        "good.log",
        &format!("{}\n{}\n", nos(""), msg("FIX.4.4", NOS_BODY, "\x01")),
    );
    let o = run(&["validate", "--verbose", &good], "");
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(out.matches(" ok").count(), 2, "{out}");
    assert!(out.contains(":2: 35=D 34=12 ok"), "{out}");

    let garbled = nos("").replace("10=", "10=9");
    let o = run(&["validate"], &format!("{garbled}\n"));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL garbled: CheckSum"), "{out}");

    let o = run(&["validate", "/nonexistent/file.log"], "");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn validate_with_a_custom_dictionary() {
    let dict = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fix-dict/tests/quirks/enum_collision.xml")
        .display()
        .to_string();
    let notice = |v: &str| msg("FIX.4.4", &format!("35=U7|{HEAD}5300={v}|"), "|");
    let input = format!("{}\n{}\n", notice("B"), notice("X"));
    let o = run(&["validate", "--dictionary", &dict], &input);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        !out.contains("<stdin>:1:"),
        "U7 with a listed value passes: {out}"
    );
    assert!(
        out.contains("<stdin>:2: 35=U7 34=2 FAIL") && out.contains("5300 NoticeType (reason 5)"),
        "{out}"
    );
}

fn samples() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/acceptance-samples.log");
    std::fs::read(path).unwrap()
}

#[test]
fn decode_json_then_encode_gives_back_the_input_bytes() {
    // Every message the QuickFIX acceptance scripts send (FIX.4.0 to FIX.5.0SP2), and the
    // known-answer messages of these tests, SOH-separated, one per line.
    let mut input = samples();
    for m in [nos(""), msg("FIX.4.4", NOS_BODY, "|")] {
        input.extend_from_slice(m.replace('|', "\x01").as_bytes());
        input.push(b'\n');
    }
    let data = msg(
        "FIX.4.4",
        &format!("35=B|{HEAD}148=NEWS|95=5|96=a\x01b|c|"),
        "\x01",
    );
    input.extend_from_slice(data.as_bytes());
    input.push(b'\n');
    let count = input.iter().filter(|&&b| b == b'\n').count();
    assert!(count > 900, "{count} messages");

    let json = run_bytes(&["decode", "--json"], &input);
    assert_eq!(json.stdout.iter().filter(|&&b| b == b'\n').count(), count);
    let back = run_bytes(&["encode"], &json.stdout);
    assert_eq!(
        back.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    // Every valid message (no problem reported) comes back byte for byte.
    let want: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let got: Vec<&[u8]> = back.stdout.split(|&b| b == b'\n').collect();
    let decoded: Vec<serde_json::Value> = String::from_utf8(json.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), want.len());
    let mut valid = 0;
    for (i, d) in decoded.iter().enumerate() {
        if d["problems"].as_array().is_some_and(|p| p.is_empty()) {
            valid += 1;
            assert_eq!(
                String::from_utf8_lossy(got[i]),
                String::from_utf8_lossy(want[i]),
                "message {}",
                i + 1
            );
        }
    }
    assert!(valid > 600, "{valid} valid messages");
}

#[test]
fn an_edited_message_is_reframed() {
    let json = run(&["decode", "--json"], &format!("{}\n", nos("")));
    let mut v: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    let fields = v["fields"].as_array_mut().unwrap();
    let qty = serde_json::json!({"tag": 38, "value": "12345"});
    let at = fields.iter().position(|f| f["tag"] == 40).unwrap();
    fields.insert(at, qty);
    let o = run(&["encode", "--pipe"], &format!("{v}\n"));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("|38=12345|40=1|"), "{out}");
    // The new message frames and validates: BodyLength and CheckSum were recomputed.
    let o = run(&["validate", "--verbose"], &out);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(nos("").len() + "38=12345|".len(), out.trim_end().len());
}

#[test]
fn encode_reports_lines_it_cannot_use() {
    let input = "{\"source\":\"x\",\"line\":3,\"error\":\"no FIX message\"}\nnot json\n{\"fields\":[{\"tag\":35,\"value\":\"0\"}]}\n{\"begin_string\":\"FIX.4.2\",\"fields\":[{\"tag\":35,\"value\":\"0\"}]}\n";
    let o = run(&["encode", "--pipe"], input);
    assert_eq!(o.status.code(), Some(1));
    // Only the last line makes a message (the third has no BeginString).
    assert_eq!(stdout(&o), "8=FIX.4.2|9=5|35=0|10=161|\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("<stdin>:1: the line is an error"), "{err}");
    assert!(err.contains("<stdin>:2: not JSON"), "{err}");
    assert!(err.contains("<stdin>:3: no BeginString"), "{err}");
}

#[test]
fn dict_shows_a_field_by_name_or_tag() {
    for q in ["Side", "54", "side"] {
        let o = run(&["dict", q], "");
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{q}: {out}");
        assert!(out.starts_with("field 54 Side (CHAR)\n"), "{out}");
        assert!(out.contains("\n  1 = BUY\n  2 = SELL\n"), "{out}");
    }
    let o = run(&["dict", "--fix", "FIX.5.0SP2", "1128"], "");
    assert!(
        stdout(&o).starts_with("field 1128 ApplVerID (STRING)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn dict_shows_a_message_as_a_tree() {
    for q in ["D", "NewOrderSingle"] {
        let o = run(&["dict", q], "");
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{out}");
        assert!(
            out.starts_with("message NewOrderSingle (35=D, app)\n"),
            "{out}"
        );
        assert!(out.contains("\n  11 ClOrdID STRING required\n"), "{out}");
        assert!(
            out.contains("\n  component Parties\n    group 453 NoPartyIDs (entries start with 448)\n      448 PartyID STRING\n"),
            "{out}"
        );
        assert!(out.contains("\n  component Instrument required\n"), "{out}");
    }
    let o = run(&["dict", "Parties"], "");
    assert!(
        stdout(&o).starts_with("component Parties\n  group 453"),
        "{}",
        stdout(&o)
    );
    let o = run(&["dict", "header"], "");
    assert!(
        stdout(&o).contains("\n  8 BeginString STRING required\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn dict_with_a_custom_dictionary_and_unknown_names() {
    let quirks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fix-dict/tests/quirks");
    let dict = quirks
        .join("group_counter_string.xml")
        .display()
        .to_string();
    let o = run(&["dict", "--dictionary", &dict, "AB"], "");
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(
        out,
        "message MultilegOrder (35=AB, app)\n  group 555 NoLegs (entries start with 600)\n    600 LegSymbol STRING\n"
    );
    let o = run(&["dict", "NoSuchThing"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no field, component or message"));
    let o = run(&["dict", "--fix", "FIX.9.9", "Side"], "");
    assert_eq!(o.status.code(), Some(2));
}
