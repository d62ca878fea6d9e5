//! End-to-end tests of `fix decode`: the binary run on hand-written messages.

mod common;
use common::{msg, run, stdout, write_file, NOS_BODY};

#[test]
fn pipe_separated_new_order_single_with_party_group() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "orders.log",
        &format!("{}\n", msg("FIX.4.4", NOS_BODY, "|")),
    );
    let o = run(&["decode", &file], "");
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("NewOrderSingle (35=D) [FIX.4.4]"), "{out}");
    assert!(out.contains(":1 "), "source line number shown: {out}");
    assert!(out.contains("\n  54 Side = 1 (BUY)\n"), "{out}");
    assert!(out.contains("\n  40 OrdType = 2 (LIMIT)\n"), "{out}");
    assert!(out.contains("\n  11 ClOrdID = ORD-1\n"), "{out}");
    // The group: count at the top level, entries indented, each starting with "- ".
    assert!(out.contains("\n  453 NoPartyIDs = 2\n    - 448 PartyID = TRADER7\n      447 PartyIDSource = D (PROPRIETARY)\n      452 PartyRole = 11 (ORDER_ORIGINATION_TRADER)\n    - 448 PartyID = FIRM\n"), "{out}");
    // After the group the body goes on at the top level.
    assert!(out.contains("\n  21 HandlInst = 1 ("), "{out}");
    assert!(!out.contains("problem"), "{out}");
    assert!(!out.contains('\x1b'), "no colour when piped: {out}");
}

#[test]
fn caret_a_and_soh_separators() {
    let input = format!(
        "{}\n{}\n",
        msg("FIX.4.4", NOS_BODY, "^A"),
        msg("FIX.4.4", NOS_BODY, "\x01")
    );
    let o = run(&["decode"], &input);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(out.matches("NewOrderSingle (35=D)").count(), 2, "{out}");
    assert!(
        out.contains("<stdin>:1 ") && out.contains("<stdin>:2 "),
        "{out}"
    );
    assert_eq!(out.matches("  54 Side = 1 (BUY)").count(), 2, "{out}");
}

#[test]
fn quickfix_log_line_with_prefix_and_two_messages_in_one_line() {
    let hb = msg("FIX.4.2", "35=0|49=A|56=B|34=2|52=20240101-12:00:00|", "|");
    let line = format!(
        "20240101-12:00:00.000 : {}\n",
        msg("FIX.4.4", NOS_BODY, "|")
    );
    let two = format!("in: {hb} out: {hb} (sent)\n");
    let o = run(&["decode", "-"], &format!("{line}{two}"));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("<stdin>:1 NewOrderSingle (35=D) [FIX.4.4]"),
        "{out}"
    );
    assert_eq!(
        out.matches("<stdin>:2 Heartbeat (35=0) [FIX.4.2]").count(),
        2,
        "{out}"
    );
}

#[test]
fn wrong_checksum_documentation_sample_is_printed_with_a_problem() {
    // As in documentation: made-up BodyLength and CheckSum.
    let sample = "8=FIX.4.4|9=178|35=D|49=CLIENT|56=BROKER|34=12|52=20240101-12:00:00|11=ORD-1|21=1|55=IBM|54=2|60=20240101-12:00:00|38=100|40=1|10=128|\n";
    let next = format!("{}\n", msg("FIX.4.4", NOS_BODY, "|"));
    let o = run(&["decode"], &format!("{sample}{next}"));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("<stdin>:1 NewOrderSingle (35=D)"), "{out}");
    assert!(out.contains("  54 Side = 2 (SELL)"), "{out}");
    assert!(out.contains("problem: CheckSum/BodyLength wrong"), "{out}");
    assert!(
        out.contains("CheckSum is 128 but the message sums to"),
        "{out}"
    );
    // The values as written are shown, not the recomputed ones.
    assert!(
        out.contains("  9 BodyLength = 178\n") && out.contains("  10 CheckSum = 128\n"),
        "{out}"
    );
    // Decoding went on.
    assert!(out.contains("<stdin>:2 NewOrderSingle (35=D)"), "{out}");
}

#[test]
fn garbage_line_gives_its_number_and_decoding_continues() {
    let good = msg("FIX.4.4", NOS_BODY, "|");
    let input = format!("{good}\nthis is not FIX at all\n8=FIX.4.4|garbage|\n\n{good}\n");
    let o = run(&["decode"], &input);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("error: <stdin> line 2: no FIX message"),
        "{out}"
    );
    assert!(
        out.contains("error: <stdin> line 3: third field is not MsgType"),
        "{out}"
    );
    assert!(
        out.contains("<stdin>:1 NewOrderSingle") && out.contains("<stdin>:5 NewOrderSingle"),
        "{out}"
    );
    // The blank line 4 is not an error; with --skip-non-fix line 2 is not either.
    assert!(!out.contains("line 4"), "{out}");
    let o = run(&["decode", "--skip-non-fix"], &input);
    let out = stdout(&o);
    assert!(!out.contains("line 2") && out.contains("line 3"), "{out}");
}

#[test]
fn json_one_object_per_line() {
    let bad_enum = msg("FIX.4.4", &NOS_BODY.replace("54=1|", "54=Z|"), "|");
    let input = format!("{}\n{bad_enum}\nnoise\n", msg("FIX.4.4", NOS_BODY, "|"));
    let o = run(&["decode", "--json"], &input);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    let m = &lines[0];
    assert_eq!(m["begin_string"], "FIX.4.4");
    assert_eq!(m["msg_type"], "D");
    assert_eq!(m["msg_name"], "NewOrderSingle");
    assert_eq!(m["line"], 1);
    assert_eq!(m["problems"].as_array().unwrap().len(), 0);
    let fields = m["fields"].as_array().unwrap();
    let side = fields.iter().find(|f| f["tag"] == 54).unwrap();
    assert_eq!(side["name"], "Side");
    assert_eq!(side["value"], "1");
    assert_eq!(side["meaning"], "BUY");
    let parties = fields.iter().find(|f| f["tag"] == 453).unwrap();
    assert_eq!(parties["name"], "NoPartyIDs");
    let entries = parties["group"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1][0]["name"], "PartyID");
    assert_eq!(entries[1][0]["value"], "FIRM");
    assert_eq!(entries[1][2]["meaning"], "EXECUTING_FIRM");
    // Group members are not repeated at the top level.
    assert!(!fields.iter().any(|f| f["tag"] == 448));

    let problems = lines[1]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].as_str().unwrap().contains("54 Side"),
        "{problems:?}"
    );
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"]
        .as_str()
        .unwrap()
        .contains("no FIX message"));
}

#[test]
fn fixt_with_and_without_appl_ver_id() {
    let body = "35=D|49=C|56=B|34=3|52=20240101-12:00:00.000|11=A1|55=IBM|54=1|60=20240101-12:00:00|38=5|40=1|";
    let with_1128 = msg("FIXT.1.1", &body.replace("35=D|", "35=D|1128=9|"), "|");
    let without = msg("FIXT.1.1", body, "|");
    let logon = msg(
        "FIXT.1.1",
        "35=A|49=C|56=B|34=1|52=20240101-12:00:00|98=0|108=30|1137=9|",
        "|",
    );
    let input = format!("{with_1128}\n{without}\n{logon}\n");
    let o = run(&["decode"], &input);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("<stdin>:1 NewOrderSingle (35=D) [FIX.5.0SP2+FIXT.1.1]"),
        "{out}"
    );
    assert!(out.contains("  1128 ApplVerID = 9 (FIX50_SP2)"), "{out}");
    assert!(
        out.contains("<stdin>:2 NewOrderSingle (35=D) [FIX.5.0SP2+FIXT.1.1]"),
        "{out}"
    );
    assert!(
        out.contains("<stdin>:3 Logon (35=A) [FIX.5.0SP2+FIXT.1.1]"),
        "{out}"
    );
    assert!(out.contains("  1137 DefaultApplVerID = 9\n"), "{out}");

    // --appl-ver-id changes the default for messages without 1128 only.
    let o = run(&["decode", "--json", "--appl-ver-id", "FIX50SP1"], &input);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["dictionary"], "FIX.5.0SP2+FIXT.1.1");
    assert_eq!(lines[1]["dictionary"], "FIX.5.0SP1+FIXT.1.1");
    let o = run(&["decode", "--json", "--appl-ver-id", "6"], &without);
    let line: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(line["dictionary"], "FIX.4.4+FIXT.1.1");
    // An ApplVerID with no dictionary: decoded with the default, and said so.
    let fix27 = msg("FIXT.1.1", &body.replace("35=D|", "35=D|1128=0|"), "|");
    let o = run(&["decode"], &fix27);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "problem: ApplVerID 0 (FIX27) has no built-in dictionary; decoded as FIX.5.0SP2"
        ),
        "{out}"
    );
}

#[test]
fn market_data_without_comp_ids_and_seq_num_validates() {
    let md = msg(
        "FIX.4.4",
        "35=W|55=EUR/USD|268=2|269=0|270=1.0841|271=1000000|269=1|270=1.0843|271=500000|",
        "|",
    );
    let o = run(&["decode"], &md);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("MarketDataSnapshotFullRefresh (35=W)"),
        "{out}"
    );
    assert!(
        out.contains("    - 269 MDEntryType = 0 (BID)\n      270 MDEntryPx = 1.0841\n"),
        "{out}"
    );
    // A required body field is still checked.
    let no_clordid = msg("FIX.4.4", &NOS_BODY.replace("11=ORD-1|", ""), "|");
    let o = run(&["decode"], &no_clordid);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("problem: Required tag missing: 11 ClOrdID (reason 1)"),
        "{out}"
    );
    // A group count that does not match its entries.
    let short = msg("FIX.4.4", "35=W|55=X|268=2|269=0|270=1|", "|");
    let o = run(&["decode"], &short);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "problem: Incorrect NumInGroup count for repeating group: 268 NoMDEntries (reason 16)"
        ),
        "{out}"
    );
}

#[test]
fn custom_dictionary_names_a_user_defined_field() {
    let dir = tempfile::tempdir().unwrap();
    let fix44 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dictionaries/FIX44.xml"
    ))
    .unwrap();
    let nos = "<message name='NewOrderSingle' msgtype='D' msgcat='app'>";
    assert!(fix44.contains(nos) && fix44.contains(" </fields>"));
    let custom = fix44
        .replacen(nos, &format!("{nos}\n   <field name='VenueOrderTag' required='N' />"), 1)
        .replacen(
            " </fields>",
            "  <field number='5001' name='VenueOrderTag' type='CHAR'>\n   <value enum='A' description='AGGRESSIVE' />\n  </field>\n </fields>",
            1,
        );
    let dict = write_file(dir.path(), "venue.xml", &custom);
    let order = msg("FIX.4.4", &NOS_BODY.replace("59=0|", "59=0|5001=A|"), "|");
    let o = run(&["decode", "--dictionary", &dict], &order);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("[custom venue.xml]"), "{out}");
    assert!(
        out.contains("\n  5001 VenueOrderTag = A (AGGRESSIVE)\n"),
        "{out}"
    );
    // The built-in dictionary does not know the tag.
    let o = run(&["decode"], &order);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("5001 (unknown tag) = A"), "{out}");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let o = run(&["decode", "/nonexistent/file.log"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/file.log"));
    let o = run(&["decode", "--appl-ver-id", "42"], "");
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["decode", "--dictionary", "/nonexistent.xml"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot load dictionary"));
    let o = run(&["decode", "--transport", "x.xml"], "");
    assert_eq!(o.status.code(), Some(2), "--transport needs --dictionary");
    let o = run(&["frobnicate"], "");
    assert_eq!(o.status.code(), Some(2));
    // A readable file after an unreadable one is still decoded.
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "ok.log", &msg("FIX.4.4", NOS_BODY, "|"));
    let o = run(&["decode", "/nonexistent/file.log", &file], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("NewOrderSingle"));
}

#[test]
fn colour_on_request() {
    let input = msg("FIX.4.4", NOS_BODY, "|");
    let o = run(&["decode", "--color", "always"], &input);
    let out = stdout(&o);
    assert!(out.contains("\x1b[36mSide\x1b[0m"), "{out:?}");
    let o = run(&["decode", "--color", "always", "--json"], &input);
    assert!(!stdout(&o).contains('\x1b'), "never colour in JSON");
}

#[test]
fn every_fix4_begin_string_picks_its_dictionary() {
    let versions = ["FIX.4.0", "FIX.4.1", "FIX.4.2", "FIX.4.3", "FIX.4.4"];
    let input: String = versions
        .iter()
        .map(|v| msg(v, "35=0|49=A|56=B|34=7|52=20240101-12:00:00|112=ping|", "|") + "\n")
        .collect();
    let o = run(&["decode"], &input);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for (i, v) in versions.iter().enumerate() {
        assert!(
            out.contains(&format!("<stdin>:{} Heartbeat (35=0) [{v}]", i + 1)),
            "{out}"
        );
    }
    assert_eq!(out.matches("  112 TestReqID = ping").count(), 5, "{out}");
    // A BeginString without a built-in dictionary is reported with its line.
    let o = run(&["decode"], &msg("FIX.9.9", "35=0|", "|"));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("error: <stdin> line 1: no built-in dictionary for BeginString \"FIX.9.9\""),
        "{out}"
    );
}

#[test]
fn nested_groups_and_required_group_entry_fields() {
    let cross = "35=s|49=A|56=B|34=1|52=20240101-12:00:00|548=X1|549=1|550=0|552=2|\
        54=1|11=C1|453=2|448=P1|447=D|452=1|448=P2|447=D|452=3|38=10|54=2|11=C2|38=10|\
        55=IBM|60=20240101-12:00:00|40=1|";
    let o = run(&["decode"], &msg("FIX.4.4", cross, "|"));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(
            "\n  552 NoSides = 2 (BOTH_SIDES)\n    - 54 Side = 1 (BUY)\n      11 ClOrdID = C1\n      \
             453 NoPartyIDs = 2\n        - 448 PartyID = P1\n          447 PartyIDSource = D (PROPRIETARY)\n          \
             452 PartyRole = 1 (EXECUTING_FIRM)\n        - 448 PartyID = P2\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("\n      38 OrderQty = 10\n    - 54 Side = 2 (SELL)\n"),
        "{out}"
    );
    assert!(out.contains("\n  55 Symbol = IBM\n"), "{out}");
    // ClOrdID is required in each NoSides entry of a NewOrderCross.
    let o = run(
        &["decode"],
        &msg("FIX.4.4", &cross.replace("11=C2|", ""), "|"),
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("problem: Required tag missing: 11 ClOrdID (reason 1)"),
        "{out}"
    );
}
