//! `cargo xtask codegen` on messy counterparty dictionaries. One is FIX44 with every quirk of
//! real venue files that QuickFIX loads (see fix-dict/tests/quirks for one file per quirk):
//! user-defined fields (tags 5000+), a tag defined twice with conflicting types (78 as INT,
//! then NUMINGROUP), a name defined for two tags, a field without a type, a custom group whose
//! counter is declared STRING, custom header and trailer fields, multi-character MsgTypes,
//! two custom messages sharing a name, enum values whose names collide, `required` flags other
//! than Y/N, and a changed required flag. The other is a small FIX.5.0SP2 application on a
//! venue's FIXT.1.1 file with custom Logon fields. Each generated standalone crate must build
//! and pass its own generated round-trip test.

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
  <field number='78' name='NoAllocs' type='INT' />
  <field number="5000" name="VenueOrderTag" type="STRING" />
  <field number='5001' name='VenueFlag' type='BOOLEAN' />
  <field number='5009' name='VenueFlag' type='BOOLEAN' />
  <field number='5002' name='VenueSessionTag' type='STRING' />
  <field number='5007' name='VenueNote' />
  <field number='5008' name='VenueSignature' type='STRING' />
  <field number='5003' name='NoCustomLegs' type='STRING' />
  <field number='5004' name='CustomLegRef' type='STRING' />
  <field number='5005' name='CustomLegQty' type='QTY' />
  <field number='5006' name='CustomNoticeType' type='CHAR'>
   <value enum='A' description='ALPHA' />
   <value enum='B' description='BETA' />
   <value enum='C' description='ALPHA' />
   <value enum='D' description='Al-pha' />
   <value enum='E' description='UNLISTED' />
   <value enum='A' description='AGAIN' />
  </field>"#;
    let messages = r#"<messages>
  <message name='CustomNotice' msgtype='XCN' msgcat='app'>
   <field name='CustomNoticeType' required='yes' />
   <field name='VenueOrderTag' required="N" />
   <field name='VenueFlag' required='n' />
   <field name='VenueNote' required='N' />
   <group name='NoCustomLegs' required='N'>
    <field name='CustomLegRef' required='Y' />
    <field name='CustomLegQty' required='N' />
    <component name='Parties' required='N' />
   </group>
  </message>
  <message name='UserOne' msgtype='U1' msgcat='app'>
   <field name='Text' required='N' />
  </message>
  <message name='UserOne' msgtype='U2' msgcat='app'>
   <field name='VenueOrderTag' required='Y' />
  </message>"#;
    let mut d = base
        .replacen("<fields>", fields, 1)
        .replacen("<messages>", messages, 1)
        .replacen(
            "<field name='MsgType' required='Y' />",
            "<field name='MsgType' required='Y' />\n  <field name='VenueSessionTag' required='N' />",
            1,
        )
        .replacen(
            "<field name='CheckSum' required='Y' />",
            "<field name='VenueSignature' required='N' />\n  <field name='CheckSum' required='Y' />",
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

/// Runs `cargo xtask codegen` and returns the generated code.
fn codegen(dictionary: &Path, transport: Option<&Path>, name: &str, out: &Path) -> String {
    let mut args: Vec<String> = vec!["codegen".into(), "--dictionary".into()];
    args.push(dictionary.to_str().expect("utf-8 path").into());
    if let Some(t) = transport {
        args.push("--transport".into());
        args.push(t.to_str().expect("utf-8 path").into());
    }
    args.extend(["--crate-name".into(), name.into(), "--out".into()]);
    args.push(out.to_str().expect("utf-8 path").into());
    xtask::run(&args).expect("codegen succeeds");
    std::fs::read_to_string(out.join("src/generated.rs")).expect("generated code")
}

/// Builds and tests a generated crate on its own, from another directory.
fn builds_and_round_trips(out: &Path) {
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
        "generated crate {} builds and passes its round-trip test",
        out.display()
    );
}

/// The struct `name` of the generated code.
fn struct_body<'c>(code: &'c str, name: &str) -> &'c str {
    let start = code
        .find(&format!("pub struct {name} {{"))
        .unwrap_or_else(|| panic!("struct {name}"));
    let s = &code[start..];
    &s[..s.find("\n}\n").expect("end of struct")]
}

#[test]
fn quirky_dictionaries_generate_crates_that_build_and_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dict_path = dir.path().join("VENUE44.xml");
    std::fs::write(&dict_path, venue_dictionary()).expect("write dictionary");
    let out = dir.path().join("venue44");
    let code = codegen(&dict_path, None, "venue44", &out);

    assert!(
        code.contains("pub struct CustomNotice"),
        "custom message type has a struct"
    );
    // Two custom messages named UserOne (U1 and U2): the later one is named apart.
    assert!(code.contains("pub struct UserOne {"));
    assert!(code.contains("pub struct UserOne2 {"));
    // The group whose counter is declared STRING is a group all the same.
    assert!(
        code.contains("pub struct NoCustomLegs"),
        "custom group has an entry struct"
    );
    assert!(
        code.contains("pub venue_session_tag: Option<String>"),
        "custom header field"
    );
    assert!(
        code.contains("pub venue_signature: Option<String>"),
        "custom trailer field"
    );
    // A field without a type is a string.
    assert!(struct_body(&code, "CustomNotice").contains("pub venue_note: Option<String>"));
    // Enum values whose names collide get distinct variants named after their values.
    assert!(
        code.contains("Alpha,") && code.contains("AlphaC,") && code.contains("UnlistedE"),
        "enum variants de-duplicated"
    );
    // Tag 78 defined as INT and then NUMINGROUP: the allocation groups are still groups.
    assert!(code.contains("pub struct AllocGrpNoAllocs"));
    // The changed required flag: Price is a plain member of NewOrderSingle now.
    let nos = struct_body(&code, "NewOrderSingle");
    assert!(
        nos.contains("pub price: fix_core::__private::Decimal,"),
        "Price required: {nos:.300}"
    );
    assert!(nos.contains("pub venue_order_tag: Option<String>,"));

    // FIX.5.0SP2 on a venue's FIXT.1.1 with custom Logon fields.
    let quirks = workspace().join("fix-dict/tests/quirks");
    let out50 = dir.path().join("venue50");
    let code50 = codegen(
        &quirks.join("fix50_app.xml"),
        Some(&quirks.join("fixt_custom_logon.xml")),
        "venue50",
        &out50,
    );
    let logon = struct_body(&code50, "Logon");
    assert!(logon.contains("pub venue_token: Option<String>"), "{logon}");
    assert!(logon.contains("no_venue_feeds"), "{logon}");
    assert!(code50.contains("pub struct VenueOrder {"));

    builds_and_round_trips(&out);
    builds_and_round_trips(&out50);
}
