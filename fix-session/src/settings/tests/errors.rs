//! Errors that name the key, section and line; keys without effect logged.

use super::*;

#[test]
fn errors_name_key_section_and_line() {
    let bad = "[DEFAULT]\nConnectionType=acceptor\n[SESSION]\nBeginString=FIX.4.4\nFooBar=1\n";
    match Settings::from_str_in(bad, Path::new(".")) {
        Err(SettingsError::UnknownKey {
            key, section, line, ..
        }) => {
            assert_eq!(
                (key.as_str(), section.as_str(), line),
                ("FooBar", "SESSION 1", 5)
            );
        }
        other => panic!("{other:?}"),
    }
    let bad =
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSenderCompID=A\nHeartBtInt=x\n\
        [SESSION]\nBeginString=FIX.4.4\nTargetCompID=B\n";
    let e = Settings::from_str_in(bad, Path::new(".")).unwrap_err();
    assert!(
        matches!(&e, SettingsError::BadValue { key, line: 5, section, .. } if key == "HeartBtInt" && section == "DEFAULT"),
        "{e}"
    );
    assert!(e.to_string().contains("HeartBtInt"));
    let bad = "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=acceptor\nSocketAcceptPort=1\nResetOnLogon=maybe\n";
    let e = Settings::from_str_in(bad, Path::new(".")).unwrap_err();
    assert!(matches!(e, SettingsError::BadValue { line: 7, .. }));
}

#[test]
fn keys_match_case_insensitively_and_errors_name_them_as_written() {
    let s = acceptor(
        "socketnodelay=N\nRESETONLOGON=y\nlogontag=553=u\nAPPDATADICTIONARY.FIX.4.2=x.xml",
    )
    .unwrap();
    let a = &s.sessions[0];
    assert!(!a.socket_nodelay && a.reset_on_logon);
    assert_eq!(a.logon_tags, vec![(553, "u".to_string())]);
    assert!(a.app_data_dictionaries.contains_key("FIX.4.2"));
    assert!(a.raw.contains_key("SocketNodelay"), "{:?}", a.raw);
    let text =
        "[default]\nconnectiontype=acceptor\nsocketacceptport=1\n[session]\nbeginstring=FIX.4.2\n\
                sendercompid=A\ntargetcompid=B\n";
    assert_eq!(
        Settings::from_str_in(text, Path::new("."))
            .unwrap()
            .sessions
            .len(),
        1
    );
    assert_eq!(bad_key(acceptor("heartbtint=x")).0, "heartbtint");
}

#[test]
fn unknown_keys_suggest_the_nearest_known_key() {
    for (written, nearest) in [
        ("SocketConectHost", Some("SocketConnectHost")),
        ("ResetOnLogin", Some("ResetOnLogon")),
        ("heartbeatint", Some("HeartBtInt")),
        ("CompletelyUnrelated", None),
    ] {
        match acceptor(&format!("{written}=1")) {
            Err(e @ SettingsError::UnknownKey { .. }) => {
                let SettingsError::UnknownKey {
                    key,
                    line,
                    suggestion,
                    ..
                } = &e
                else {
                    unreachable!()
                };
                assert_eq!((key.as_str(), *line, *suggestion), (written, 7, nearest));
                if let Some(n) = nearest {
                    assert!(e.to_string().contains(&format!("did you mean {n}?")), "{e}");
                }
            }
            other => panic!("{written}: {other:?}"),
        }
    }
    // A number only extends the keys that take one.
    assert!(matches!(
        acceptor("ResetOnLogon1=Y"),
        Err(SettingsError::UnknownKey { .. })
    ));
}

#[test]
fn errors_keep_their_cause() {
    use std::error::Error as _;
    let e = Settings::from_toml_str("[[session]\n", Path::new(".")).unwrap_err();
    assert!(matches!(e, SettingsError::Toml(_)));
    assert!(e.source().is_some_and(|s| s.is::<toml::de::Error>()));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.xml"),
        "<fix major='4' minor='4'><fields>",
    )
    .unwrap();
    let mut s = acceptor("DataDictionary=broken.xml")
        .unwrap()
        .sessions
        .remove(0);
    s.base_dir = dir.path().to_path_buf();
    let e = s.load_dictionary().unwrap_err();
    assert!(matches!(&e, SettingsError::Dictionary { path, .. } if path.ends_with("broken.xml")));
    assert!(e.source().is_some_and(|s| s.is::<fix_dict::Error>()), "{e}");

    s.data_dictionary = Some(PathBuf::from("no-such-dictionary.xml"));
    let e = s.load_dictionary().unwrap_err();
    let source = e.source().and_then(|s| s.downcast_ref::<fix_dict::Error>());
    assert!(matches!(source, Some(fix_dict::Error::Io { .. })), "{e}");
}

#[test]
fn spellings_of_one_setting_must_agree() {
    let a = acceptor("SocketNodelay=N\nSocketTcpNoDelay=N").unwrap();
    assert!(!a.sessions[0].socket_nodelay);
    let (key, line, _) = bad_key(acceptor("SocketNodelay=N\nSocketTcpNoDelay=Y"));
    assert_eq!((key.as_str(), line), ("SocketTcpNoDelay", 8));
    let (key, _, _) = bad_key(acceptor("SocketAcceptHost=a\nSocketAcceptAddress=b"));
    assert_eq!(key, "SocketAcceptAddress");
}

/// Records the fields of every WARN event.
#[derive(Default)]
struct Warnings(std::sync::Mutex<Vec<String>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?};", field.name()));
    }
}

impl tracing::Subscriber for &'static Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            if let Ok(mut w) = self.0.lock() {
                w.push(fields.0);
            }
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn keys_without_effect_are_logged_with_the_reason() {
    let warnings: &'static Warnings = Box::leak(Box::default());
    tracing::subscriber::with_default(warnings, || {
        acceptor("screenlogshowincoming=Y\nSocketKeyStore=x.jks").unwrap();
        acceptor("ResetOnLogon=Y").unwrap();
    });
    let w = warnings.0.lock().unwrap();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("key=\"ScreenLogShowIncoming\"") && w[0].contains("tracing"),
        "{w:?}"
    );
    assert!(
        w[1].contains("key=\"SocketKeyStore\"") && w[1].contains("use the PEM keys"),
        "{w:?}"
    );
}
