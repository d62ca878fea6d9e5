//! Tests of the settings: the QuickFIX file and TOML forms, errors, each topic.
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveTime, Weekday};
use fix_core::value::Precision;

use super::*;

const AT: &str = "# comment\n[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSocketReuseAddress=Y\n\
    StartTime=00:00:00\nEndTime=00:00:00\nSenderCompID=ISLD\nResetOnLogon=Y\nFileStorePath=store\n\n\
    [SESSION]\nBeginString=FIX.4.4\nTargetCompID=TW44\nDataDictionary=spec/FIX44.xml\n\
    [SESSION]\nBeginString=FIXT.1.1\nTargetCompID=TW50\nDefaultApplVerID=FIX.5.0SP2\n\
    TransportDataDictionary=spec/FIXT11.xml\nAppDataDictionary=spec/FIX50SP2.xml\nValidateFieldsHaveValues=N\n";

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
fn initiator_failover_and_schedule() {
    let text = "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=20\nReconnectInterval=5\n[SESSION]\nBeginString=FIX.4.2\n\
        SenderCompID=A\nTargetCompID=B\nSocketConnectHost=h0\nSocketConnectPort=1000\nSocketConnectHost1=h1\n\
        SocketConnectPort1=1001\nStartTime=08:00:00\nEndTime=17:00:00\nStartDay=Mon\nEndDay=Friday\n\
        TimeZone=America/New_York\nTimeStampPrecision=6\n";
    let s = Settings::from_str_in(text, Path::new(".")).unwrap();
    let a = &s.sessions[0];
    assert_eq!(
        a.socket_connect,
        vec![("h0".to_string(), 1000), ("h1".to_string(), 1001)]
    );
    assert_eq!(a.heartbeat_interval, Duration::from_secs(20));
    assert_eq!(a.schedule.start_day, Some(Weekday::Mon));
    assert_eq!(a.schedule.end_day, Some(Weekday::Fri));
    assert_eq!(a.schedule.time_zone, chrono_tz::America::New_York);
    assert_eq!(a.sending_time_precision(), Precision::Micros);
}

#[test]
fn socket_busy_poll() {
    let base = "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n\
        ConnectionType=acceptor\nSocketAcceptPort=1\n";
    let poll = |extra: &str| {
        Settings::from_str_in(&format!("{base}{extra}"), Path::new("."))
            .map(|s| s.sessions[0].socket_busy_poll)
    };
    assert_eq!(poll("").unwrap(), None);
    assert_eq!(poll("SocketBusyPoll=N\n").unwrap(), None);
    assert_eq!(
        poll("SocketBusyPoll=Y\n").unwrap(),
        Some(Duration::from_micros(100))
    );
    assert_eq!(
        poll("SocketBusyPoll=Y\nSocketBusyPollTime=250\n").unwrap(),
        Some(Duration::from_micros(250))
    );
    assert_eq!(
        poll("SocketBusyPoll=Y\nSocketBusyPollTime=0\n").unwrap(),
        None
    );
    assert_eq!(poll("SocketBusyPollTime=250\n").unwrap(), None);
    assert!(poll("SocketBusyPoll=maybe\n").is_err());
    assert!(poll("SocketBusyPoll=Y\nSocketBusyPollTime=-1\n").is_err());
}

#[test]
fn quickfix_cpp_spelling_of_timestamp_precision() {
    let text = "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n\
        ConnectionType=acceptor\nSocketAcceptPort=1\nTimestampPrecision=9\n";
    let s = Settings::from_str_in(text, Path::new(".")).unwrap();
    assert_eq!(s.sessions[0].sending_time_precision(), Precision::Nanos);
    let bad = text.replace("=9", "=2");
    let e = Settings::from_str_in(&bad, Path::new(".")).unwrap_err();
    assert!(
        matches!(&e, SettingsError::BadValue { key, line: 7, .. } if key == "TimestampPrecision"),
        "{e}"
    );
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

const STORE: &str =
    "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=1\nSenderCompID=S\nBeginString=FIX.4.4\n";

#[test]
fn store_keys() {
    let s = Settings::from_str_in(
        &format!("{STORE}FileStorePath=st\n[SESSION]\nTargetCompID=A\n"),
        Path::new("/etc/fix"),
    )
    .unwrap();
    let a = &s.sessions[0];
    assert_eq!(a.store_type, StoreType::Sqlite);
    assert_eq!(
        a.sqlite_store_path(),
        Some(PathBuf::from("/etc/fix/st/store.sqlite3"))
    );
    assert_eq!(a.sqlite_store_sync, crate::store::SqliteSync::Normal);

    let text = format!(
        "{STORE}StoreType=postgresql\n\
         PostgreSQLStoreSchema=fix_prod\nPostgreSQLStoreLeaseTimeout=3\n\
         [SESSION]\nTargetCompID=A\nPostgreSQLStoreHost=db1\nPostgreSQLStorePort=5433\n\
         PostgreSQLStoreDatabase=fix\nPostgreSQLStoreUser=engine\nPostgreSQLStorePassword=it's\n\
         [SESSION]\nTargetCompID=B\nStoreType=sqlite\nSqliteStorePath=one.db\nSqliteStoreSync=normal\n\
         [SESSION]\nTargetCompID=C\nPostgreSQLStoreURL=postgres://u@h/d\n"
    );
    let s = Settings::from_str_in(&text, Path::new("/x")).unwrap();
    let (a, b, c) = (&s.sessions[0], &s.sessions[1], &s.sessions[2]);
    assert_eq!(a.store_type, StoreType::Postgres);
    assert_eq!(
        a.postgres_store_url.as_deref(),
        Some("host='db1' port='5433' dbname='fix' user='engine' password='it\\'s'")
    );
    assert_eq!(a.postgres_store_schema, "fix_prod");
    assert_eq!(a.postgres_store_lease_timeout, Duration::from_secs(3));
    assert_eq!(b.store_type, StoreType::Sqlite);
    assert_eq!(b.sqlite_store_path(), Some(PathBuf::from("/x/one.db")));
    assert_eq!(b.sqlite_store_sync, crate::store::SqliteSync::Normal);
    assert_eq!(c.postgres_store_url.as_deref(), Some("postgres://u@h/d"));

    for (bad, key) in [
        ("StoreType=redis", "StoreType"),
        ("SqliteStoreSync=off", "SqliteStoreSync"),
        ("PostgreSQLStoreSchema=Fix-Prod", "PostgreSQLStoreSchema"),
        (
            "PostgreSQLStoreLeaseTimeout=0",
            "PostgreSQLStoreLeaseTimeout",
        ),
        ("PostgreSQLStorePort=99999", "PostgreSQLStorePort"),
        (
            "PostgreSQLStoreURL=postgres://h/d\nPostgreSQLStorePassword=x",
            "PostgreSQLStoreURL",
        ),
    ] {
        let text = format!("{STORE}[SESSION]\nTargetCompID=A\n{bad}\n");
        match Settings::from_str_in(&text, Path::new(".")) {
            Err(SettingsError::BadValue { key: k, line, .. }) => {
                assert_eq!((k.as_str(), line), (key, 8), "{bad}")
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
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

fn tls_acceptor(extra: &str) -> String {
    format!(
        "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSenderCompID=ISLD\n{extra}\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=TW\n"
    )
}

fn tls_initiator(extra: &str) -> String {
    format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nSenderCompID=TW\n{extra}\n\
         [SESSION]\nBeginString=FIX.4.4\nTargetCompID=ISLD\nSocketConnectHost=fix.example.com\n\
         SocketConnectPort=5001\n"
    )
}

#[test]
fn tls_keys() {
    let text = tls_acceptor(
        "SocketUseSSL=Y\nServerCertificateFile=pki/server.pem\nServerCertificateKeyFile=/keys/server.key\n\
         CertificationAuthoritiesFile=pki/ca.pem\nCertificateVerifyLevel=1\nSSLProtocol=all -TLSv1_2",
    );
    let s = Settings::from_str_in(&text, Path::new("/etc/fix")).unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    assert_eq!(
        tls.server_certificate_file.as_deref(),
        Some(Path::new("/etc/fix/pki/server.pem"))
    );
    assert_eq!(
        tls.server_certificate_key_file.as_deref(),
        Some(Path::new("/keys/server.key"))
    );
    assert_eq!(
        tls.certification_authorities_file.as_deref(),
        Some(Path::new("/etc/fix/pki/ca.pem"))
    );
    assert_eq!(
        tls.certificate_verify_level,
        CertificateVerifyLevel::Require
    );
    assert_eq!(
        tls.protocols,
        TlsVersions {
            tls12: false,
            tls13: true
        }
    );
    assert_eq!(tls.server_name, None);

    let text = tls_initiator(
        "SocketUseSSL=Y\nCertificationAuthoritiesFile=ca.pem\nClientCertificateFile=me.pem\n\
         SSLServerName=fix.venue.example",
    );
    let s = Settings::from_str_in(&text, Path::new("/etc/fix")).unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    assert_eq!(
        tls.client_certificate_file.as_deref(),
        Some(Path::new("/etc/fix/me.pem"))
    );
    assert_eq!(tls.client_certificate_key_file, None);
    assert_eq!(tls.certificate_verify_level, CertificateVerifyLevel::None);
    assert_eq!(tls.protocols, TlsVersions::default());
    assert_eq!(tls.server_name.as_deref(), Some("fix.venue.example"));

    // Without SocketUseSSL=Y the keys are checked but TLS is off.
    for switch in ["", "SocketUseSSL=N\n"] {
        let text = tls_acceptor(&format!(
            "{switch}ServerCertificateFile=x.pem\nSSLProtocol=TLSv1.3"
        ));
        let s = Settings::from_str_in(&text, Path::new(".")).unwrap();
        assert_eq!(s.sessions[0].tls, None);
    }

    // The TOML form takes the same keys, with TOML booleans and integers.
    let toml_text = "[default]\nConnectionType = \"acceptor\"\nSocketAcceptPort = 5001\nSenderCompID = \"ISLD\"\n\
        SocketUseSSL = true\nServerCertificateFile = \"server.pem\"\nCertificateVerifyLevel = 2\n\
        CertificationAuthoritiesFile = \"ca.pem\"\nSSLProtocol = \"TLSv1.2\"\n\
        [[session]]\nBeginString = \"FIX.4.4\"\nTargetCompID = \"TW\"\n";
    let s = Settings::from_toml_str(toml_text, Path::new("/srv")).unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    assert_eq!(
        tls.certificate_verify_level,
        CertificateVerifyLevel::Optional
    );
    assert_eq!(
        tls.server_certificate_file.as_deref(),
        Some(Path::new("/srv/server.pem"))
    );
    assert_eq!(
        tls.protocols,
        TlsVersions {
            tls12: true,
            tls13: false
        }
    );
}

#[test]
fn tls_protocol_lists() {
    let v = |t12, t13| {
        Some(TlsVersions {
            tls12: t12,
            tls13: t13,
        })
    };
    for (text, want) in [
        ("TLSv1.2,TLSv1.3", v(true, true)),
        ("TLSv1.2, TLSv1.3", v(true, true)),
        ("TLSv1.3", v(false, true)),
        ("+tlsv1_2", v(true, false)),
        ("all -SSLv2 -SSLv3", v(true, true)),
        ("all -TLSv1.3", v(true, false)),
        ("SSLv3 TLSv1 TLSv1_2", v(true, false)),
        ("-TLSv1.2", None),
        ("TLSv1 TLSv1.1", None),
        ("all -all", None),
        ("", None),
        ("TLSv1.4", None),
        ("TLSv1.3 bogus", None),
    ] {
        assert_eq!(TlsVersions::parse(text), want, "{text:?}");
    }
}

#[test]
fn tls_bad_values_name_key_and_line() {
    // The extra lines start at line 5.
    for (extra, key, line) in [
        ("CertificateVerifyLevel=3", "CertificateVerifyLevel", 5),
        (
            "SocketUseSSL=Y\nServerCertificateFile=s.pem\nSSLProtocol=TLSv1.4",
            "SSLProtocol",
            7,
        ),
        ("SSLProtocol=SSLv3", "SSLProtocol", 5),
        ("SocketUseSSL=maybe", "SocketUseSSL", 5),
        ("SSLServerName=not a host name", "SSLServerName", 5),
    ] {
        let e = Settings::from_str_in(&tls_acceptor(extra), Path::new(".")).unwrap_err();
        match &e {
            SettingsError::BadValue {
                key: k, line: l, ..
            } => {
                assert_eq!((k.as_str(), *l), (key, line), "{extra}")
            }
            other => panic!("{extra}: {other:?}"),
        }
        let text = e.to_string();
        assert!(
            text.contains(key) && text.contains(&format!("line {line}")),
            "{text}"
        );
    }
    // Keys SocketUseSSL=Y cannot do without.
    for (text, key) in [
        (tls_acceptor("SocketUseSSL=Y"), "ServerCertificateFile"),
        (
            tls_acceptor("SocketUseSSL=Y\nServerCertificateFile=s.pem\nCertificateVerifyLevel=1"),
            "CertificationAuthoritiesFile",
        ),
        (tls_initiator("SocketUseSSL=Y"), "CertificationAuthoritiesFile"),
        (
            tls_initiator("SocketUseSSL=Y\nCertificationAuthoritiesFile=ca.pem\nClientCertificateKeyFile=k.pem"),
            "ClientCertificateFile",
        ),
    ] {
        match Settings::from_str_in(&text, Path::new(".")) {
            Err(SettingsError::Missing { key: k, section }) => {
                assert_eq!((k.as_str(), section.as_str()), (key, "SESSION 1"))
            }
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[test]
fn quickfix_tuning_keys_load_and_disabling_checksums_does_not() {
    let text = format!(
        "{STORE}ScreenLogShowIncoming=Y\nFileLogBackupPath=bak\nSocketSendBufferSize=65536\n\
         ValidateLengthAndChecksum=Y\n[SESSION]\nTargetCompID=A\n"
    );
    assert!(Settings::from_str_in(&text, Path::new(".")).is_ok());
    let text = format!("{STORE}[SESSION]\nTargetCompID=A\nValidateLengthAndChecksum=N\n");
    match Settings::from_str_in(&text, Path::new(".")) {
        Err(SettingsError::BadValue { key, line, .. }) => {
            assert_eq!((key.as_str(), line), ("ValidateLengthAndChecksum", 8))
        }
        other => panic!("{other:?}"),
    }
}

/// A minimal acceptor session with `extra` lines from line 7 on.
fn acceptor(extra: &str) -> Result<Settings, SettingsError> {
    let text = format!(
        "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=acceptor\n\
         SocketAcceptPort=1\n{extra}\n"
    );
    Settings::from_str_in(&text, Path::new("/cfg"))
}

fn bad_key(r: Result<Settings, SettingsError>) -> (String, usize, String) {
    match r {
        Err(SettingsError::BadValue {
            key, line, reason, ..
        }) => (key, line, reason),
        other => panic!("expected a bad value, got {other:?}"),
    }
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

#[test]
fn timestamp_precision_in_every_form() {
    for (value, want) in [
        ("SECONDS", Precision::Seconds),
        ("millis", Precision::Millis),
        ("MICROS", Precision::Micros),
        ("NANOS", Precision::Nanos),
        ("0", Precision::Seconds),
        ("3", Precision::Millis),
        ("6", Precision::Micros),
        ("9", Precision::Nanos),
    ] {
        let s = acceptor(&format!("TimeStampPrecision={value}")).unwrap();
        assert_eq!(s.sessions[0].sending_time_precision(), want, "{value}");
    }
    assert_eq!(
        bad_key(acceptor("TimeStampPrecision=PICOS")).0,
        "TimeStampPrecision"
    );
    let s = acceptor("MillisecondsInTimeStamp=N").unwrap();
    assert_eq!(s.sessions[0].sending_time_precision(), Precision::Seconds);
}

#[test]
fn logon_tags_in_number_order() {
    let s =
        acceptor("LogonTag10=96=x\nLogonTag=553=user\nLogonTag2=554=p=w\nLogonTag1=95=1").unwrap();
    assert_eq!(
        s.sessions[0].logon_tags,
        vec![
            (553, "user".to_string()),
            (95, "1".to_string()),
            (554, "p=w".to_string()),
            (96, "x".to_string())
        ]
    );
    for bad in ["LogonTag=553", "LogonTag=x=1", "LogonTag3=0=1"] {
        let key = bad.split('=').next().unwrap();
        assert_eq!(bad_key(acceptor(bad)).0, key, "{bad}");
    }
}

#[test]
fn schedule_keys() {
    let s =
        acceptor("StartTime=08:00:00 Europe/London\nEndTime=16:30:00\nWeekdays=mon, wed,FRIDAY")
            .unwrap();
    let sch = &s.sessions[0].schedule;
    assert_eq!(sch.time_zone, chrono_tz::Europe::London);
    assert_eq!(sch.weekdays, vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]);
    assert!(!sch.non_stop && sch.logon_window.is_none());
    let s = acceptor("NonStopSession=Y").unwrap();
    assert!(s.sessions[0].schedule.non_stop);
    let s = acceptor("UseLocalTime=N\nTimeZone=Asia/Singapore").unwrap();
    assert_eq!(s.sessions[0].schedule.time_zone, chrono_tz::Asia::Singapore);
    // Logon window: LogonTime alone keeps the session's EndTime as LogoutTime.
    let s = acceptor("StartTime=06:00:00\nEndTime=20:00:00\nLogonTime=07:00:00").unwrap();
    let w = s.sessions[0].schedule.logon_window.unwrap();
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    assert_eq!((w.start_time, w.end_time, w.start_day), (t(7), t(20), None));
    for (extra, key) in [
        ("StartTime=08:00:00 Mars/Olympus", "StartTime"),
        (
            "StartTime=08:00:00 Europe/Paris\nEndTime=17:00:00 Europe/London",
            "EndTime",
        ),
        ("StartTime=08:00:00 Europe/Paris\nTimeZone=UTC", "TimeZone"),
        ("UseLocalTime=Y\nTimeZone=UTC", "UseLocalTime"),
        ("Weekdays=Mon,Funday", "Weekdays"),
        ("Weekdays=Mon\nStartDay=Mon\nEndDay=Fri", "Weekdays"),
        ("LogonDay=Mon", "LogonDay"),
        (
            "StartDay=Mon\nEndDay=Fri\nLogoutTime=25:00:00",
            "LogoutTime",
        ),
        ("NonStopSession=maybe", "NonStopSession"),
    ] {
        assert_eq!(bad_key(acceptor(extra)).0, key, "{extra}");
    }
}

#[test]
fn socket_keys() {
    let text = "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=initiator\n\
                HeartBtInt=30\nSocketConnectHost=h\nSocketConnectPort=1\nHostSelectionPolicy=priority\n\
                SocketConnectSourceHost=10.1.1.1\nSocketConnectSourcePort=5000\nSocketConnectTimeout=3\n";
    let s = Settings::from_str_in(text, Path::new(".")).unwrap();
    let i = &s.sessions[0];
    assert_eq!(i.host_selection_policy, HostSelectionPolicy::Priority);
    assert_eq!(i.socket_local_host.as_deref(), Some("10.1.1.1"));
    assert_eq!(i.socket_local_port, Some(5000));
    assert_eq!(i.socket_connect_timeout, Some(Duration::from_secs(3)));
    let a = &acceptor("AllowedRemoteAddresses=::1,host-a")
        .unwrap()
        .sessions[0];
    assert_eq!(
        a.allowed_remote_addresses,
        vec![
            RemoteAddress::Ip("::1".parse().unwrap()),
            RemoteAddress::Host("host-a".into())
        ]
    );
    assert!(!a.socket_keep_alive && a.socket_nodelay);
    for (extra, key) in [
        ("HostSelectionPolicy=RANDOM", "HostSelectionPolicy"),
        (
            "AllowedRemoteAddresses=not an address",
            "AllowedRemoteAddresses",
        ),
        ("SocketConnectProtocol=VM_PIPE", "SocketConnectProtocol"),
        ("SocketLocalPort=70000", "SocketLocalPort"),
        ("SocketKeepAlive=sometimes", "SocketKeepAlive"),
    ] {
        assert_eq!(bad_key(acceptor(extra)).0, key, "{extra}");
    }
}

#[test]
fn tls_keys_of_quickfixj_and_quickfixgo_and_cipher_suites() {
    let s = acceptor(
        "SocketUseSSL=Y\nSocketCertificateFile=me.pem\nSocketPrivateKeyFile=me.key\nSocketCAFile=ca.pem\n\
         NeedClientAuth=Y\nSSLCipherSuite=ECDHE-ECDSA-CHACHA20-POLY1305:TLS_AES_256_GCM_SHA384:!aNULL",
    )
    .unwrap();
    let tls = s.sessions[0].tls.clone().unwrap();
    let p = |f: &str| Some(PathBuf::from("/cfg").join(f));
    assert_eq!(
        (
            tls.server_certificate_file.clone(),
            tls.server_certificate_key_file.clone(),
            tls.certification_authorities_file.clone(),
            tls.certificate_verify_level
        ),
        (
            p("me.pem"),
            p("me.key"),
            p("ca.pem"),
            CertificateVerifyLevel::Require
        )
    );
    assert_eq!(
        tls.cipher_suites,
        vec![
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_AES_256_GCM_SHA384"
        ]
    );
    for (extra, key) in [
        ("CipherSuites=TLS_RSA_WITH_RC4_128_MD5", "CipherSuites"),
        ("SocketInsecureSkipVerify=Y", "SocketInsecureSkipVerify"),
        ("SocketMinimumTLSVersion=TLS14", "SocketMinimumTLSVersion"),
        ("EnabledProtocols=SSLv3", "EnabledProtocols"),
        ("SNIHostName=bad name", "SNIHostName"),
    ] {
        assert_eq!(bad_key(acceptor(extra)).0, key, "{extra}");
    }
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
