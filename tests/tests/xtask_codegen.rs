//! `cargo xtask codegen` on a messy counterparty dictionary: FIX44 plus user-defined fields
//! (tags 5000+), a custom header field, custom message types `XCN` and `U1`, a custom
//! repeating group, an enum with a duplicated description, `required` flags other than Y/N,
//! and a changed required flag. The generated standalone crate must build and pass its own
//! generated round-trip test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// FIX44 with a venue's additions, made by editing the QuickFIX file as a venue would.
fn venue_dictionary() -> String {
    let base =
        std::fs::read_to_string(workspace().join("dictionaries/FIX44.xml")).expect("FIX44.xml");
    let fields = r#"<fields>
  <field number="5000" name="VenueOrderTag" type="STRING" />
  <field number='5001' name='VenueFlag' type='BOOLEAN' />
  <field number='5002' name='VenueSessionTag' type='STRING' />
  <field number='5003' name='NoCustomLegs' type='NUMINGROUP' />
  <field number='5004' name='CustomLegRef' type='STRING' />
  <field number='5005' name='CustomLegQty' type='QTY' />
  <field number='5006' name='CustomNoticeType' type='CHAR'>
   <value enum='A' description='ALPHA' />
   <value enum='B' description='BETA' />
   <value enum='C' description='ALPHA' />
  </field>"#;
    let messages = r#"<messages>
  <message name='CustomNotice' msgtype='XCN' msgcat='app'>
   <field name='CustomNoticeType' required='yes' />
   <field name='VenueOrderTag' required="N" />
   <field name='VenueFlag' required='n' />
   <group name='NoCustomLegs' required='N'>
    <field name='CustomLegRef' required='Y' />
    <field name='CustomLegQty' required='N' />
    <component name='Parties' required='N' />
   </group>
  </message>
  <message name='UserOne' msgtype='U1' msgcat='app'>
   <field name='Text' required='N' />
  </message>"#;
    let mut d = base
        .replacen("<fields>", fields, 1)
        .replacen("<messages>", messages, 1)
        .replacen(
            "<field name='MsgType' required='Y' />",
            "<field name='MsgType' required='Y' />\n  <field name='VenueSessionTag' required='N' />",
            1,
        );
    // NewOrderSingle: Price becomes required, and the venue's tag is added.
    let start = d
        .find("<message name='NewOrderSingle'")
        .expect("NewOrderSingle");
    let end = start
        + d[start..]
            .find("</message>")
            .expect("end of NewOrderSingle");
    let nos = d[start..end]
        .replacen(
            "<field name='Price' required='N' />",
            "<field name='Price' required='Y' />",
            1,
        )
        .replacen(
            "<field name='ClOrdID' required='Y' />",
            "<field name='ClOrdID' required='Y' />\n   <field name='VenueOrderTag' required='N' />",
            1,
        );
    d.replace_range(start..end, &nos);
    d
}

#[test]
fn custom_dictionary_generates_a_crate_that_builds_and_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dict_path = dir.path().join("VENUE44.xml");
    std::fs::write(&dict_path, venue_dictionary()).expect("write dictionary");
    let out = dir.path().join("venue44");
    let args: Vec<String> = [
        "codegen",
        "--dictionary",
        dict_path.to_str().expect("utf-8 path"),
        "--crate-name",
        "venue44",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    xtask::run(&args).expect("codegen succeeds");

    let code = std::fs::read_to_string(out.join("src/generated.rs")).expect("generated code");
    assert!(
        code.contains("pub struct CustomNotice"),
        "custom message type has a struct"
    );
    assert!(code.contains("pub struct UserOne"));
    assert!(
        code.contains("pub struct NoCustomLegs"),
        "custom group has an entry struct"
    );
    assert!(
        code.contains("pub venue_session_tag: Option<String>"),
        "custom header field"
    );
    // The duplicated description gets a distinct variant named after its value.
    assert!(
        code.contains("Alpha,") && code.contains("AlphaC,"),
        "enum variants de-duplicated"
    );
    // The changed required flag: Price is a plain member of NewOrderSingle now.
    let nos = &code[code.find("pub struct NewOrderSingle {").expect("NOS")..];
    let nos = &nos[..nos.find("\n}\n").expect("end")];
    assert!(
        nos.contains("pub price: rust_decimal::Decimal,"),
        "Price required: {nos:.300}"
    );
    assert!(nos.contains("pub venue_order_tag: Option<String>,"));

    // Build and test the generated crate on its own, from another directory.
    let target = workspace().join("target/xtask-generated");
    let status = Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(std::env::temp_dir())
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "generated crate builds and passes its round-trip test"
    );
}
