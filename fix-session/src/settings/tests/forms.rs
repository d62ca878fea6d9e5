//! The QuickFIX file and TOML forms, templates and session identities.

use super::*;

#[test]
fn parses_quickfix_file() {
    let s = Settings::from_str_in(AT, Path::new("/etc/fix")).unwrap();
    assert_eq!(s.sessions.len(), 2);
    let a = &s.sessions[0];
    assert_eq!(a.id, SessionId::new("FIX.4.4", "ISLD", "TW44"));
    assert_eq!(a.connection_type, ConnectionType::Acceptor);
    assert_eq!(a.socket_accept_port, Some(5001));
    assert!(a.reset_on_logon);
    assert_eq!(
        a.file_store_path.as_deref(),
        Some(Path::new("/etc/fix/store"))
    );
    assert_eq!(a.max_latency, Duration::from_secs(120));
    assert_eq!(a.sending_time_precision(), Precision::Millis);
    let b = &s.sessions[1];
    assert_eq!(b.default_appl_ver_id.as_deref(), Some("FIX.5.0SP2"));
    assert!(!b.validate_fields_have_values);
    assert!(a.validate_fields_have_values);
}

#[test]
fn toml_form() {
    let text = "[default]\nConnectionType = \"acceptor\"\nSocketAcceptPort = 5001\nSenderCompID = \"ISLD\"\n\
        ResetOnLogon = true\n[[session]]\nBeginString = \"FIX.4.2\"\nTargetCompID = \"TW42\"\n";
    let s: Settings = toml::from_str(text).unwrap();
    assert_eq!(s.sessions[0].id, SessionId::new("FIX.4.2", "ISLD", "TW42"));
    assert!(s.sessions[0].reset_on_logon);
    let bad = "[[session]]\nNope = 1\n";
    assert!(matches!(
        Settings::from_toml_str(bad, Path::new(".")),
        Err(SettingsError::UnknownKey { .. })
    ));
}

#[test]
fn acceptance_configs_and_dictionaries_load() {
    // The repository's copy of the QuickFIX acceptance suite's settings (tests/acceptance).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/acceptance/at-all.cfg");
    let all = Settings::from_file(&path).unwrap();
    assert_eq!(all.sessions.len(), 10);
    // Every dictionary it names resolves; FIX.4.4's and FIX.5.0SP2's (on FIXT.1.1) are
    // loaded here (the others take the same path, and loading all is slow in debug builds).
    let mut loaded = 0;
    for sess in &all.sessions {
        let fixt_sp2 = sess.default_appl_ver_id.as_deref() == Some("FIX.5.0SP2");
        if sess.id.begin_string == "FIX.4.4" && sess.id.target_comp_id == "TW44" || fixt_sp2 {
            let d = sess.load_dictionary().unwrap().unwrap();
            assert_eq!(d.begin_string, sess.id.begin_string);
            loaded += 1;
        }
    }
    assert_eq!(loaded, 2);
    // Built-in fallback without a path.
    let mut s = SessionSettings::new(
        SessionId::new("FIX.4.2", "A", "B"),
        ConnectionType::Acceptor,
    );
    assert_eq!(
        s.load_dictionary().unwrap().unwrap().begin_string,
        "FIX.4.2"
    );
    s.use_data_dictionary = false;
    assert!(s.load_dictionary().unwrap().is_none());
}

#[test]
fn values_from_the_environment() {
    // A variable name no other test uses; set once, read only here.
    std::env::set_var("FIX_SESSION_TEST_SECRET_9F3", "s3cret");
    let text = format!(
        "{STORE}[SESSION]\nTargetCompID=A\nPostgreSQLStoreURL=postgres://u:${{FIX_SESSION_TEST_SECRET_9F3}}@h/d\n"
    );
    let s = Settings::from_str_in(&text, Path::new(".")).unwrap();
    assert_eq!(
        s.sessions[0].postgres_store_url.as_deref(),
        Some("postgres://u:s3cret@h/d")
    );
    let text = format!(
        "{STORE}[SESSION]\nTargetCompID=A\nPostgreSQLStorePassword=${{FIX_SESSION_TEST_UNSET_9F3}}\n"
    );
    match Settings::from_str_in(&text, Path::new(".")) {
        Err(SettingsError::BadValue {
            key, line, reason, ..
        }) => {
            assert_eq!((key.as_str(), line), ("PostgreSQLStorePassword", 8));
            assert!(reason.contains("FIX_SESSION_TEST_UNSET_9F3"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let text = format!("{STORE}[SESSION]\nTargetCompID=A\nPostgreSQLStorePassword=${{OPEN\n");
    assert!(Settings::from_str_in(&text, Path::new(".")).is_err());
}

#[test]
fn templates_are_acceptors_apart_from_sessions() {
    let text = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=1\nSenderCompID=S\n\
                [SESSION]\nBeginString=FIX.4.4\nTargetCompID=A\n\
                [SESSION]\nAcceptorTemplate=Y\nBeginString=*\nTargetCompID=*\nTargetSubID=desk\n";
    let s = Settings::from_str_in(text, Path::new(".")).unwrap();
    assert_eq!((s.sessions.len(), s.templates.len()), (1, 1));
    let mut id = SessionId::new("FIX.4.2", "S", "ANY");
    assert!(
        s.template_for(&id).is_none(),
        "the template asks for TargetSubID desk"
    );
    id.target_sub_id = Some("other".into());
    assert!(s.template_for(&id).is_none());
    id.target_sub_id = Some("desk".into());
    assert!(s.template_for(&id).is_some());
    assert!(s
        .template_for(&SessionId::new("FIX.4.2", "T", "ANY"))
        .is_none());
    let initiator = text.replace("AcceptorTemplate=Y", "AcceptorTemplate=Y\nConnectionType=initiator\nHeartBtInt=1\nSocketConnectHost=h\nSocketConnectPort=1");
    let e = Settings::from_str_in(&initiator, Path::new(".")).unwrap_err();
    assert!(
        matches!(&e, SettingsError::BadValue { key, .. } if key == "ConnectionType"),
        "{e}"
    );
    assert_eq!(
        bad_key(acceptor("AppDataDictionary.FIX.9.9=x.xml")).0,
        "AppDataDictionary.FIX.9.9"
    );
}

#[test]
fn sub_and_location_ids_are_part_of_the_identity() {
    let text = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=1\nBeginString=FIX.4.4\nSenderCompID=S\nTargetCompID=T\n\
                [SESSION]\nTargetSubID=desk1\n[SESSION]\nTargetSubID=desk2\nSenderLocationID=LDN\n";
    let s = Settings::from_str_in(text, Path::new(".")).unwrap();
    let (a, b) = (&s.sessions[0].id, &s.sessions[1].id);
    assert_ne!(a, b);
    assert_eq!(a.to_string(), "FIX.4.4:S->T/desk1");
    assert_eq!(b.to_string(), "FIX.4.4:S@LDN->T/desk2");
    assert_eq!(
        b.header_fields(),
        vec![(57, b"desk2".to_vec()), (142, b"LDN".to_vec())]
    );
    let header = |sub: &'static [u8]| move |tag| (tag == 50).then_some(sub);
    assert!(a.matches_counterparty(header(b"desk1")));
    assert!(!a.matches_counterparty(header(b"desk2")));
    assert!(
        !b.matches_counterparty(header(b"desk2")),
        "their 143 is missing"
    );
    let dup = text.replace("desk2\nSenderLocationID=LDN", "desk1");
    assert!(matches!(
        Settings::from_str_in(&dup, Path::new(".")),
        Err(SettingsError::Duplicate(_))
    ));
}
