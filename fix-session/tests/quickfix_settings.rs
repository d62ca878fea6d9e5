//! Settings files written the way QuickFIX/J, QuickFIX C++ and QuickFIX/Go users write them
//! (tests/data/quickfix/) load, and each key has its effect.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveTime, Weekday};
use fix_core::value::Precision;
use fix_session::settings::{
    CertificateVerifyLevel, HostSelectionPolicy, IdPattern, RemoteAddress, StoreType, SyncPolicy,
    TlsVersions, Window, COMPATIBILITY_KEYS, KNOWN_KEYS,
};
use fix_session::{ConnectionType, SessionId, SessionSettings, Settings};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/quickfix")
}

fn load(name: &str) -> Settings {
    Settings::from_file(data().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn id(bs: &str, parts: [Option<&str>; 7]) -> SessionId {
    let own = |p: Option<&str>| p.map(str::to_string);
    let mut id = SessionId::new(bs, parts[0].unwrap(), parts[3].unwrap());
    id.sender_sub_id = own(parts[1]);
    id.sender_location_id = own(parts[2]);
    id.target_sub_id = own(parts[4]);
    id.target_location_id = own(parts[5]);
    id.qualifier = own(parts[6]);
    id
}

/// The checks every QuickFIX/J validation and recovery key of the [default] section implies.
fn assert_quickfixj_defaults(s: &SessionSettings) {
    assert!(!s.check_comp_id && !s.check_latency);
    assert_eq!(s.max_latency, Duration::from_secs(60));
    assert!(s.use_data_dictionary);
    assert!(!s.validate_user_defined_fields && !s.validate_fields_out_of_order);
    assert!(!s.validate_fields_have_values && !s.validate_unordered_group_fields);
    assert!(!s.validate_incoming_message && !s.validate_sequence_numbers);
    assert!(!s.validate_checksum);
    assert!(s.allow_unknown_msg_fields && s.allow_unknown_enum_values);
    assert!(!s.reject_invalid_message && s.reject_garbled_message);
    assert!(!s.requires_orig_sending_time && s.first_field_in_group_is_delimiter);
    assert_eq!(s.logon_timeout, Duration::from_secs(15));
    assert_eq!(s.logout_timeout, Duration::from_secs(5));
    assert!(s.reset_on_logon && s.reset_on_logout && s.reset_on_disconnect);
    assert!(s.reset_on_error && s.disconnect_on_error && s.refresh_on_logon);
    assert!(s.enable_next_expected_msg_seq_num && s.enable_last_msg_seq_num_processed);
    assert_eq!(s.resend_request_chunk_size, 2500);
    assert!(s.closed_resend_interval && s.send_redundant_resend_requests);
    assert_eq!(s.test_request_delay_multiplier, 0.5);
    assert_eq!(s.heart_beat_timeout_multiplier, 2.0);
    assert!(s.disable_heart_beat_check && s.allow_pos_dup);
    assert!(s.force_resend_when_corrupted_store && s.persist_messages);
    assert_eq!(s.file_store_sync, SyncPolicy::Always);
    assert_eq!(s.file_store_path, Some(data().join("store")));
    assert_eq!(s.file_log_path, Some(data().join("log")));
}

#[test]
fn quickfixj_file() {
    let s = load("quickfixj.cfg");
    assert_eq!((s.sessions.len(), s.templates.len()), (2, 1));
    let (a, i) = (&s.sessions[0], &s.sessions[1]);
    assert_quickfixj_defaults(a);
    assert_quickfixj_defaults(&s.templates[0].settings);

    let want = [Some("BROKER"), Some("DESK1"), Some("NY"), Some("CLIENT")];
    let rest = [Some("TRADER7"), Some("LN"), Some("primary")];
    assert_eq!(
        a.id,
        id(
            "FIX.4.4",
            [want[0], want[1], want[2], want[3], rest[0], rest[1], rest[2]]
        )
    );
    assert_eq!(a.connection_type, ConnectionType::Acceptor);
    assert_eq!(a.data_dictionary.as_deref(), Some(Path::new("FIX44.xml")));
    assert_eq!(a.sending_time_precision(), Precision::Micros);
    // Schedule: the zone after the time, weekdays.
    assert_eq!(
        (a.schedule.start_time, a.schedule.end_time),
        (t(8, 0), t(17, 0))
    );
    assert_eq!(a.schedule.time_zone, chrono_tz::US::Central);
    use Weekday::*;
    assert_eq!(a.schedule.weekdays, vec![Mon, Tue, Wed, Thu, Fri]);
    // Sockets.
    assert_eq!(a.socket_accept_host.as_deref(), Some("127.0.0.1"));
    assert_eq!(a.socket_accept_port, Some(9876));
    let ip = |d| RemoteAddress::Ip(IpAddr::V4(Ipv4Addr::new(10, 0, 0, d)));
    assert_eq!(
        a.allowed_remote_addresses,
        vec![
            ip(5),
            ip(6),
            RemoteAddress::Host("fix-gw.example.com".into())
        ]
    );
    assert!(a.socket_keep_alive && !a.socket_nodelay);
    // TLS: NeedClientAuth, EnabledProtocols, CipherSuites (the CBC suite is left out).
    let tls = a.tls.as_ref().unwrap();
    assert_eq!(
        tls.certificate_verify_level,
        CertificateVerifyLevel::Require
    );
    assert_eq!(tls.protocols, TlsVersions::default());
    assert_eq!(
        tls.cipher_suites,
        vec![
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        ]
    );
    assert_eq!(
        tls.server_certificate_file,
        Some(data().join("pki/broker.pem"))
    );

    assert_eq!(i.id, SessionId::new("FIXT.1.1", "BROKER", "VENUE"));
    assert_eq!(i.connection_type, ConnectionType::Initiator);
    assert_eq!(i.default_appl_ver_id.as_deref(), Some("FIX.5.0SP2"));
    assert_eq!(
        i.transport_data_dictionary.as_deref(),
        Some(Path::new("FIXT11.xml"))
    );
    assert_eq!(
        i.app_data_dictionary.as_deref(),
        Some(Path::new("FIX50SP2.xml"))
    );
    assert_eq!(
        i.app_data_dictionaries.get("FIX.4.4").map(PathBuf::as_path),
        Some(Path::new("FIX44.xml"))
    );
    assert!(i.schedule.non_stop);
    assert_eq!(i.heartbeat_interval, Duration::from_secs(30));
    assert_eq!(i.reconnect_interval, Duration::from_secs(10));
    assert_eq!(
        i.socket_connect,
        vec![
            ("venue-a.example.com".to_string(), 9001),
            ("venue-b.example.com".to_string(), 9002)
        ]
    );
    assert_eq!(i.socket_connect_timeout, Some(Duration::from_secs(5)));
    assert_eq!(i.socket_local_host.as_deref(), Some("127.0.0.1"));
    assert_eq!(i.socket_local_port, Some(40000));
    assert_eq!(i.host_selection_policy, HostSelectionPolicy::RoundRobin);
    assert_eq!(
        i.logon_tags,
        vec![(553, "broker".to_string()), (554, "secret".to_string())]
    );
    assert_eq!(i.sending_time_precision(), Precision::Nanos);
    let tls = i.tls.as_ref().unwrap();
    assert_eq!(tls.server_name.as_deref(), Some("fix.venue.example.com"));
    assert_eq!(
        tls.certification_authorities_file,
        Some(data().join("pki/ca.pem"))
    );

    let template = &s.templates[0];
    assert_eq!(template.id[0], IdPattern::Exact("FIX.4.2".into()));
    assert_eq!(template.id[4], IdPattern::Any);
    assert!(template.matches(&SessionId::new("FIX.4.2", "ISLD", "ANYONE")));
    assert!(!template.matches(&SessionId::new("FIX.4.4", "ISLD", "ANYONE")));
    assert!(!template.matches(&SessionId::new("FIX.4.2", "OTHER", "ANYONE")));
    let made = s
        .template_for(&SessionId::new("FIX.4.2", "ISLD", "NEW"))
        .unwrap();
    assert_eq!(
        made.session(SessionId::new("FIX.4.2", "ISLD", "NEW"))
            .socket_accept_port,
        Some(9877)
    );
    let w = made.settings.schedule.session_window();
    assert_eq!(
        w,
        Window {
            start_time: t(18, 0),
            end_time: t(17, 0),
            start_day: Some(Sun),
            end_day: Some(Fri),
        }
    );
    assert_eq!(
        made.settings.schedule.time_zone,
        chrono_tz::America::New_York
    );
}

#[test]
fn quickfix_cpp_file() {
    let s = load("quickfix.cfg");
    assert_eq!((s.sessions.len(), s.templates.len()), (2, 0));
    let (a, i) = (&s.sessions[0], &s.sessions[1]);
    let none = None;
    assert_eq!(
        a.id,
        id(
            "FIX.4.2",
            [
                Some("EXEC"),
                Some("OMS"),
                none,
                Some("BANZAI"),
                none,
                Some("NYC"),
                Some("east")
            ]
        )
    );
    assert_eq!(a.socket_accept_port, Some(5001));
    assert!(a.socket_nodelay);
    use Weekday::*;
    assert_eq!(
        (a.schedule.start_day, a.schedule.end_day),
        (Some(Mon), Some(Fri))
    );
    assert_eq!(
        a.schedule.logon_window,
        Some(Window {
            start_time: t(8, 0),
            end_time: t(18, 0),
            start_day: Some(Mon),
            end_day: Some(Fri),
        })
    );
    assert_eq!(a.schedule.time_zone, chrono_tz::UTC);
    assert_eq!(a.sending_time_precision(), Precision::Micros);
    assert!(!a.validate_fields_out_of_order && !a.validate_fields_have_values);
    assert!(!a.validate_user_defined_fields && a.allow_unknown_msg_fields);
    assert!(a.check_comp_id && a.check_latency);
    assert_eq!(a.max_latency, Duration::from_secs(30));
    assert!(!a.reset_on_logon && a.reset_on_logout && !a.reset_on_disconnect);
    assert!(a.refresh_on_logon && a.persist_messages && !a.send_redundant_resend_requests);
    let tls = a.tls.as_ref().unwrap();
    assert_eq!(tls.protocols, TlsVersions::default());
    assert_eq!(
        tls.cipher_suites,
        vec![
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        ]
    );
    assert_eq!(
        tls.server_certificate_key_file,
        Some(data().join("pki/exec.key"))
    );
    assert_eq!(
        tls.certification_authorities_directory,
        Some(data().join("pki/ca.d"))
    );
    assert_eq!(
        tls.certificate_revocation_list_file,
        Some(data().join("pki/crl.pem"))
    );
    assert_eq!(
        tls.certificate_revocation_list_directory,
        Some(data().join("pki/crl.d"))
    );
    assert_eq!(
        tls.certificate_verify_level,
        CertificateVerifyLevel::Optional
    );
    // QuickFIX C++ picks its store by class; the PostgreSQL keys are kept for StoreType.
    assert_eq!(a.store_type, StoreType::Sqlite);
    assert_eq!(
        a.postgres_store_url.as_deref(),
        Some("host='db' port='5432' dbname='quickfix' user='fix' password='secret'")
    );

    assert_eq!(i.id.target_sub_id.as_deref(), Some("OMS"));
    assert_eq!(i.default_appl_ver_id.as_deref(), Some("7"));
    assert_eq!(
        i.socket_connect,
        vec![
            ("127.0.0.1".to_string(), 5001),
            ("127.0.0.2".to_string(), 5002)
        ]
    );
    assert_eq!(i.socket_local_host.as_deref(), Some("127.0.0.1"));
    assert_eq!(i.socket_local_port, Some(41000));
    assert_eq!(i.heartbeat_interval, Duration::from_secs(20));
    assert_eq!(i.reconnect_interval, Duration::from_secs(15));
    assert_eq!(i.logon_timeout, Duration::from_secs(20));
    assert_eq!(i.logout_timeout, Duration::from_secs(3));
    assert_eq!(
        (i.schedule.start_time, i.schedule.end_time),
        (t(7, 30), t(19, 0))
    );
    assert_eq!(i.schedule.logon_window, None);
    assert_eq!(i.sending_time_precision(), Precision::Millis);
    assert_eq!(i.resend_request_chunk_size, 1000);
    assert_eq!(i.tls, None, "no SocketUseSSL in this session");
    // TimestampPrecision wins over the [DEFAULT] MillisecondsInTimeStamp=N.
    assert_eq!(a.timestamp_precision, Some(Precision::Micros));
    assert_eq!(a.file_log_path, Some(data().join("log")));
}

#[test]
fn quickfixgo_file() {
    let s = load("quickfixgo.cfg");
    assert_eq!((s.sessions.len(), s.templates.len()), (2, 1));
    let (a, i) = (&s.sessions[0], &s.sessions[1]);
    let p = |v: &'static str| Some(v);
    assert_eq!(
        a.id,
        id(
            "FIX.4.3",
            [
                p("GOEXEC"),
                p("S1"),
                p("TYO"),
                p("GOCLIENT"),
                p("T1"),
                p("OSA"),
                p("tls")
            ]
        )
    );
    assert_eq!(a.socket_accept_host.as_deref(), Some("0.0.0.0"));
    assert_eq!(a.socket_accept_port, Some(5005));
    assert_eq!(a.schedule.time_zone, chrono_tz::Asia::Tokyo);
    assert_eq!(
        (a.schedule.start_time, a.schedule.end_time),
        (t(8, 0), t(6, 0))
    );
    assert_eq!(a.schedule.weekdays.len(), 5);
    assert!(!a.reject_invalid_message && !a.check_latency);
    assert_eq!(a.max_latency, Duration::from_secs(240));
    assert!(a.reset_on_logon && !a.refresh_on_logon && a.reset_on_logout && a.reset_on_disconnect);
    assert!(!a.persist_messages);
    assert_eq!(a.file_store_sync, SyncPolicy::Never);
    assert_eq!(a.sending_time_precision(), Precision::Millis);
    let tls = a.tls.as_ref().unwrap();
    assert_eq!(
        tls.server_certificate_file,
        Some(data().join("pki/goexec.pem"))
    );
    assert_eq!(
        tls.server_certificate_key_file,
        Some(data().join("pki/goexec.key"))
    );
    assert_eq!(
        tls.certification_authorities_file,
        Some(data().join("pki/ca.pem"))
    );
    assert_eq!(
        tls.protocols,
        TlsVersions {
            tls12: false,
            tls13: true
        }
    );

    assert_eq!(i.connection_type, ConnectionType::Initiator);
    assert_eq!(i.default_appl_ver_id.as_deref(), Some("FIX.5.0SP1"));
    assert_eq!(i.heartbeat_interval, Duration::from_secs(45));
    assert_eq!(i.reconnect_interval, Duration::from_secs(5));
    assert_eq!(
        (i.logon_timeout, i.logout_timeout),
        (Duration::from_secs(12), Duration::from_secs(4))
    );
    assert_eq!(i.resend_request_chunk_size, 500);
    assert!(i.enable_last_msg_seq_num_processed && i.enable_next_expected_msg_seq_num);
    let tls = i.tls.as_ref().unwrap();
    assert_eq!(
        tls.client_certificate_file,
        Some(data().join("pki/goclient.pem"))
    );
    assert_eq!(tls.server_name.as_deref(), Some("goexec.example.com"));

    // DynamicSessions=Y in [DEFAULT]: any session, with a qualifier per connection.
    let template = &s.templates[0];
    assert!(template.unique_qualifier);
    assert!(template.id.iter().all(|p| *p == IdPattern::Any));
    assert!(template.matches(&SessionId::new("FIX.4.4", "ANY", "ONE")));
    assert_eq!(template.settings.socket_accept_port, Some(5005));
}

/// Every key of the three engines' documentation is in one of the files above, so each
/// file test covers it.
#[test]
fn the_files_cover_every_quickfix_key() {
    let text: String = ["quickfixj.cfg", "quickfix.cfg", "quickfixgo.cfg"]
        .iter()
        .map(|f| std::fs::read_to_string(data().join(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
        .to_ascii_lowercase();
    let keys = KNOWN_KEYS
        .iter()
        .chain(COMPATIBILITY_KEYS.iter().map(|(k, _)| k));
    let missing: Vec<_> = keys
        .filter(|k| {
            let k = k.to_ascii_lowercase();
            !text
                .lines()
                .any(|l| l.split_once('=').is_some_and(|(key, _)| key.trim() == k))
        })
        .collect();
    assert!(missing.is_empty(), "keys no test file uses: {missing:?}");
}

/// The README's "Coming from QuickFIX" lists every key accepted without effect.
#[test]
fn readme_lists_the_keys_without_effect() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let section = readme
        .split("## Coming from QuickFIX")
        .nth(1)
        .expect("README has a Coming from QuickFIX section");
    let missing: Vec<_> = COMPATIBILITY_KEYS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !section.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "README does not list {missing:?}");
}
