//! Session keys by topic: failover, schedule, socket, store, precision, logon tags.

use super::*;

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
