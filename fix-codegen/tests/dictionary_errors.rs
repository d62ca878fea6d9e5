//! A broken dictionary is an error that names the element, its line and what is wrong;
//! never a panic.

fn doc(fields: &str, components: &str, messages: &str) -> String {
    format!(
        "<fix type='FIX' major='4' minor='4' servicepack='0'>\n<header>\n <field name='BeginString' required='Y'/>\n</header>\n<trailer/>\n\
         <messages>\n{messages}\n</messages>\n<components>\n{components}\n</components>\n<fields>\n \
         <field number='8' name='BeginString' type='STRING'/>\n{fields}\n</fields>\n</fix>\n"
    )
}

fn error(xml: &str) -> String {
    match fix_codegen::model_from_str(xml) {
        Ok(_) => panic!("accepted a broken dictionary:\n{xml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_field_reference() {
    let e = error(&doc("", "", "<message name='M' msgtype='U1' msgcat='app'>\n <field name='Nope' required='Y'/>\n</message>"));
    assert!(e.contains("unknown field 'Nope'"), "{e}");
    assert!(e.contains("<field name='Nope'> at line 8"), "{e}");
}

#[test]
fn unknown_component_reference() {
    let e = error(&doc("", "", "<message name='M' msgtype='U1' msgcat='app'>\n <component name='Ghost' required='N'/>\n</message>"));
    assert!(e.contains("unknown component 'Ghost'"), "{e}");
}

#[test]
fn component_cycle() {
    let e = error(&doc(
        " <field number='1' name='A' type='STRING'/>",
        "<component name='X'><field name='A' required='N'/><component name='Y' required='N'/></component>\n\
         <component name='Y'><component name='X' required='N'/></component>",
        "",
    ));
    assert!(e.contains("component cycle: X -> Y -> X"), "{e}");
}

#[test]
fn group_without_fields() {
    let e = error(&doc(
        " <field number='5' name='NoThings' type='NUMINGROUP'/>",
        "",
        "<message name='M' msgtype='U1' msgcat='app'>\n <group name='NoThings' required='N'>\n </group>\n</message>",
    ));
    assert!(
        e.contains("group without fields") && e.contains("name='NoThings'"),
        "{e}"
    );
}

#[test]
fn group_whose_only_member_is_an_empty_component() {
    let e = error(&doc(
        " <field number='5' name='NoThings' type='NUMINGROUP'/>",
        "<component name='Empty'></component>",
        "<message name='M' msgtype='U1' msgcat='app'>\n <group name='NoThings' required='N'><component name='Empty' required='N'/></group>\n</message>",
    ));
    assert!(e.contains("group 5 has no fields"), "{e}");
}

#[test]
fn bad_tag() {
    // Duplicate tags, names and MsgTypes and unknown types load with a warning, as QuickFIX
    // reads them (fix-dict/tests/quirks.rs); a tag that is no positive number does not.
    let e = error(&doc(" <field number='-3' name='A' type='INT'/>", "", ""));
    assert!(e.contains("is not a positive tag"), "{e}");
}

#[test]
fn malformed_xml_reports_a_line() {
    let e = error("<fix>\n<fields>\n<field number='1'\n</fix>");
    assert!(e.starts_with("XML error at line"), "{e}");
}

#[test]
fn messy_but_valid_dictionaries_load() {
    // Single-quoted and double-quoted attributes, required flags other than Y/N, a group whose
    // first member is a component (the delimiter is found inside it), duplicate enum
    // descriptions.
    let m = fix_codegen::model_from_str(&doc(
        " <field number='1' name='A' type=\"STRING\"/>\n <field number='5' name='NoThings' type='NUMINGROUP'/>\n \
         <field number='6' name='Curve' type='STRING'><value enum='E1' description='EURIBOR'/><value enum='E2' description='EURIBOR'/></field>",
        "<component name='Inner'><field name='Curve' required='yes'/><field name='A' required='n'/></component>",
        "<message name='M' msgtype='XCN' msgcat='app'>\n <group name='NoThings' required='1'><component name='Inner' required='Y'/></group>\n</message>",
    ))
    .expect("valid");
    let fix_codegen::model::Item::Group(g) = &m.messages[0].items[0] else {
        panic!("group")
    };
    assert_eq!(g.delimiter, 6);
    assert!(g.required);
    let code = fix_codegen::generate(&m, "test").expect("generates");
    // A custom MsgType becomes a valid value of MsgType (35) when the field lists values.
    let with_35 = fix_codegen::model_from_str(&doc(
        " <field number='35' name='MsgType' type='STRING'><value enum='0' description='HEARTBEAT'/></field>",
        "",
        "<message name='Heartbeat' msgtype='0' msgcat='admin'></message>\n<message name='VenueNotice' msgtype='U1' msgcat='app'></message>",
    ))
    .expect("valid");
    let values: Vec<&str> = with_35
        .field(35)
        .expect("35")
        .values
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(values, ["0", "U1"]);
    assert!(
        code.contains("Euribor,") && code.contains("EuriborE2,"),
        "variants de-duplicated"
    );
}
