//! The key table: every key of QuickFIX/J, QuickFIX C++ and QuickFIX/Go (and this engine's
//! own), matched case-insensitively; what has no effect here and why; the nearest key to a
//! misspelt one.

/// Every key of QuickFIX/J, QuickFIX C++ or QuickFIX/Go that has an effect here (see the
/// [module docs](super) for their meaning).
/// Keys are matched case-insensitively, so `TimeStampPrecision` is also QuickFIX C++'s
/// `TimestampPrecision`.
/// Numbered and suffixed forms (`SocketConnectHost1`, `LogonTag2`,
/// `AppDataDictionary.FIX.4.4`) are accepted as their base key.
pub const KNOWN_KEYS: &[&str] = &[
    // Identity.
    "BeginString",
    "SenderCompID",
    "SenderSubID",
    "SenderLocationID",
    "TargetCompID",
    "TargetSubID",
    "TargetLocationID",
    "SessionQualifier",
    "DefaultApplVerID",
    "ConnectionType",
    // Dynamic sessions.
    "AcceptorTemplate",
    "DynamicSessions",
    "DynamicQualifier",
    // Sockets.
    "SocketAcceptHost",
    "SocketAcceptAddress",
    "SocketAcceptPort",
    "SocketAcceptProtocol",
    "SocketConnectHost",
    "SocketConnectPort",
    "SocketConnectProtocol",
    "SocketConnectTimeout",
    "SocketLocalHost",
    "SocketLocalPort",
    "SocketConnectSourceHost",
    "SocketConnectSourcePort",
    "AllowedRemoteAddresses",
    "SocketKeepAlive",
    "SocketReuseAddress",
    "SocketNodelay",
    "SocketTcpNoDelay",
    // Operations: the metrics and health endpoint.
    "HttpAcceptPort",
    // TLS.
    "SocketUseSSL",
    "ServerCertificateFile",
    "ServerCertificateKeyFile",
    "ClientCertificateFile",
    "ClientCertificateKeyFile",
    "CertificationAuthoritiesFile",
    "CertificationAuthoritiesDirectory",
    "CertificateRevocationListFile",
    "CertificateRevocationListDirectory",
    "CertificateVerifyLevel",
    "NeedClientAuth",
    "SSLProtocol",
    "EnabledProtocols",
    "SSLCipherSuite",
    "CipherSuites",
    "SNIHostName",
    "SocketPrivateKeyFile",
    "SocketCertificateFile",
    "SocketCAFile",
    "SocketServerName",
    "SocketMinimumTLSVersion",
    "SocketInsecureSkipVerify",
    // Timers.
    "ReconnectInterval",
    "HeartBtInt",
    "LogonTimeout",
    "LogoutTimeout",
    "TestRequestDelayMultiplier",
    "HeartBeatTimeoutMultiplier",
    "DisableHeartBeatCheck",
    // Schedule.
    "StartTime",
    "EndTime",
    "StartDay",
    "EndDay",
    "Weekdays",
    "NonStopSession",
    "LogonTime",
    "LogoutTime",
    "LogonDay",
    "LogoutDay",
    "TimeZone",
    "UseLocalTime",
    // Sequence numbers and recovery.
    "ResetOnLogon",
    "ResetOnLogout",
    "ResetOnDisconnect",
    "ResetOnError",
    "DisconnectOnError",
    "RefreshOnLogon",
    "SendRedundantResendRequests",
    "ResendRequestChunkSize",
    "ClosedResendInterval",
    "EnableNextExpectedMsgSeqNum",
    "EnableLastMsgSeqNumProcessed",
    "AllowPosDup",
    "ForceResendWhenCorruptedStore",
    "LogonTag",
    "TimeStampPrecision",
    "MillisecondsInTimeStamp",
    // Stores and logs.
    "PersistMessages",
    "FileStorePath",
    "FileStoreSync",
    "FileLogPath",
    "PostgreSQLStoreHost",
    "PostgreSQLStorePort",
    "PostgreSQLStoreDatabase",
    "PostgreSQLStoreUser",
    "PostgreSQLStorePassword",
    // Validation.
    "CheckCompID",
    "CheckLatency",
    "MaxLatency",
    "ValidateUserDefinedFields",
    "ValidateFieldsOutOfOrder",
    "ValidateFieldsHaveValues",
    "ValidateUnorderedGroupFields",
    "ValidateIncomingMessage",
    "ValidateSequenceNumbers",
    "ValidateChecksum",
    "ValidateLengthAndChecksum",
    "AllowUnknownMsgFields",
    "AllowUnknownEnumValues",
    "RejectInvalidMessage",
    "RejectGarbledMessage",
    "RequiresOrigSendingTime",
    "FirstFieldInGroupIsDelimiter",
    "UseDataDictionary",
    "DataDictionary",
    "TransportDataDictionary",
    "AppDataDictionary",
];

/// This engine's own keys: stores, busy polling, host selection, and QuickFIX/n's
/// SSLServerName.
pub const ENGINE_KEYS: &[&str] = &[
    "StoreType",
    "SqliteStorePath",
    "SqliteStoreSync",
    "StoreDurability",
    "PostgreSQLStoreURL",
    "PostgreSQLStoreSchema",
    "PostgreSQLStoreLeaseTimeout",
    "SocketBusyPoll",
    "SocketBusyPollTime",
    "HostSelectionPolicy",
    "SSLServerName",
];

const LOGS: &str = "message and event logs go through `tracing` and FileLogPath";
const STORES: &str =
    "stores are chosen with StoreType (sqlite, postgresql, file, memory) and their own keys";
const JVM_TLS: &str = "JVM keystores do not apply: use the PEM keys (ServerCertificateFile, \
                       ClientCertificateFile, CertificationAuthoritiesFile)";
const SOCKET_TUNING: &str = "the operating system's socket defaults are used";
const WRITES: &str = "writes are always asynchronous, with back-pressure from the send queue";
const PROXY: &str = "connections through SOCKS or HTTP proxies are not supported; they go direct";
const INLINE_PEM: &str = "give the PEM in a file (SocketCertificateFile, SocketPrivateKeyFile, \
                          SocketCAFile)";

/// QuickFIX keys accepted so that a QuickFIX settings file loads, but with no effect here,
/// each with the reason (logged as a warning when a file uses the key; the README's "Coming
/// from QuickFIX" lists them too).
pub const COMPATIBILITY_KEYS: &[(&str, &str)] = &[
    // Logging (all three engines).
    ("FileLogBackupPath", LOGS),
    ("FileLogHeartbeats", LOGS),
    ("FileIncludeMilliseconds", LOGS),
    ("FileIncludeTimeStampForMessages", LOGS),
    ("ScreenLogEvents", LOGS),
    ("ScreenLogShowIncoming", LOGS),
    ("ScreenLogShowOutgoing", LOGS),
    ("ScreenLogShowEvents", LOGS),
    ("ScreenLogShowHeartBeats", LOGS),
    ("SLF4JLogEventCategory", LOGS),
    ("SLF4JLogErrorEventCategory", LOGS),
    ("SLF4JLogIncomingMessageCategory", LOGS),
    ("SLF4JLogOutgoingMessageCategory", LOGS),
    ("SLF4JLogPrependSessionID", LOGS),
    ("SLF4JLogHeartbeats", LOGS),
    ("JdbcLogHeartBeats", LOGS),
    ("JdbcLogIncomingTable", LOGS),
    ("JdbcLogOutgoingTable", LOGS),
    ("JdbcLogEventTable", LOGS),
    ("MySQLLogUseConnectionPool", LOGS),
    ("MySQLLogDatabase", LOGS),
    ("MySQLLogUser", LOGS),
    ("MySQLLogPassword", LOGS),
    ("MySQLLogHost", LOGS),
    ("MySQLLogPort", LOGS),
    ("MySQLLogIncomingTable", LOGS),
    ("MySQLLogOutgoingTable", LOGS),
    ("MySQLLogEventTable", LOGS),
    ("PostgreSQLLogUseConnectionPool", LOGS),
    ("PostgreSQLLogDatabase", LOGS),
    ("PostgreSQLLogUser", LOGS),
    ("PostgreSQLLogPassword", LOGS),
    ("PostgreSQLLogHost", LOGS),
    ("PostgreSQLLogPort", LOGS),
    ("PostgreSQLLogIncomingTable", LOGS),
    ("PostgreSQLLogOutgoingTable", LOGS),
    ("PostgreSQLLogEventTable", LOGS),
    ("OdbcLogUser", LOGS),
    ("OdbcLogPassword", LOGS),
    ("OdbcLogConnectionString", LOGS),
    ("OdbcLogIncomingTable", LOGS),
    ("OdbcLogOutgoingTable", LOGS),
    ("OdbcLogEventTable", LOGS),
    ("SQLLogDriver", LOGS),
    ("SQLLogDataSourceName", LOGS),
    ("SQLLogConnMaxLifetime", LOGS),
    ("MongoLogConnection", LOGS),
    ("MongoLogDatabase", LOGS),
    ("MongoLogReplicaSet", LOGS),
    // Stores of other engines.
    ("FileStoreMaxCachedMsgs", STORES),
    ("JdbcDataSourceName", STORES),
    ("JdbcDriver", STORES),
    ("JdbcURL", STORES),
    ("JdbcUser", STORES),
    ("JdbcPassword", STORES),
    ("JdbcStoreMessagesTableName", STORES),
    ("JdbcStoreSessionsTableName", STORES),
    ("JdbcSessionIdDefaultPropertyValue", STORES),
    ("JdbcMaxActiveConnection", STORES),
    ("JdbcMinIdleConnection", STORES),
    ("JdbcMaxConnectionLifeTime", STORES),
    ("JdbcConnectionTimeout", STORES),
    ("JdbcConnectionIdleTimeout", STORES),
    ("JdbcConnectionKeepaliveTime", STORES),
    ("JdbcConnectionTestQuery", STORES),
    ("SleepycatDatabaseDir", STORES),
    ("SleepycatSequenceDbName", STORES),
    ("SleepycatMessageDbName", STORES),
    ("MySQLStoreUseConnectionPool", STORES),
    ("MySQLStoreDatabase", STORES),
    ("MySQLStoreUser", STORES),
    ("MySQLStorePassword", STORES),
    ("MySQLStoreHost", STORES),
    ("MySQLStorePort", STORES),
    ("PostgreSQLStoreUseConnectionPool", STORES),
    ("OdbcStoreUser", STORES),
    ("OdbcStorePassword", STORES),
    ("OdbcStoreConnectionString", STORES),
    ("SQLStoreDriver", STORES),
    ("SQLStoreDataSourceName", STORES),
    ("SQLStoreConnMaxLifetime", STORES),
    ("SQLStoreMessagesTableName", STORES),
    ("SQLStoreSessionsTableName", STORES),
    ("MongoStoreConnection", STORES),
    ("MongoStoreDatabase", STORES),
    ("MongoStoreReplicaSet", STORES),
    // JVM TLS.
    ("SocketKeyStore", JVM_TLS),
    ("SocketKeyStorePassword", JVM_TLS),
    ("KeyManagerFactoryAlgorithm", JVM_TLS),
    ("KeyStoreType", JVM_TLS),
    ("SocketTrustStore", JVM_TLS),
    ("SocketTrustStorePassword", JVM_TLS),
    ("TrustManagerFactoryAlgorithm", JVM_TLS),
    ("TrustStoreType", JVM_TLS),
    (
        "EndpointIdentificationAlgorithm",
        "the acceptor's certificate is always checked against the host name (or SSLServerName)",
    ),
    (
        "UseSNI",
        "the server name is always sent (SNI) when it is a DNS name",
    ),
    ("SocketPrivateKeyBytes", INLINE_PEM),
    ("SocketCertificateBytes", INLINE_PEM),
    ("SocketCABytes", INLINE_PEM),
    (
        "SocketTimeout",
        "the TLS handshake timeout is fixed (10 s); SocketConnectTimeout bounds connecting",
    ),
    // Socket tuning.
    ("SocketSendBufferSize", SOCKET_TUNING),
    ("SocketReceiveBufferSize", SOCKET_TUNING),
    ("SendBufferSize", SOCKET_TUNING),
    ("ReceiveBufferSize", SOCKET_TUNING),
    ("SocketOobInline", SOCKET_TUNING),
    ("SocketLinger", SOCKET_TUNING),
    ("SocketTrafficClass", SOCKET_TUNING),
    ("SocketSynchronousWrites", WRITES),
    ("SocketSynchronousWriteTimeout", WRITES),
    ("MaxScheduledWriteRequests", WRITES),
    ("InChanCapacity", WRITES),
    // Proxies.
    ("ProxyType", PROXY),
    ("ProxyVersion", PROXY),
    ("ProxyHost", PROXY),
    ("ProxyPort", PROXY),
    ("ProxyUser", PROXY),
    ("ProxyPassword", PROXY),
    ("ProxyDomain", PROXY),
    ("ProxyWorkstation", PROXY),
    ("UseTCPProxy", PROXY),
    // Engine behaviour with no counterpart.
    (
        "PreserveMessageFieldsOrder",
        "messages are encoded in the order the application adds fields, header and trailer first",
    ),
    (
        "ContinueInitializationOnError",
        "a session whose settings are bad stops the engine from starting",
    ),
    (
        "RejectMessageOnUnhandledException",
        "an application callback reports failure through its return value, never by unwinding",
    ),
    (
        "HeartBtIntOverride",
        "an acceptor always uses the HeartBtInt the initiator's Logon asks for",
    ),
    (
        "ResetSeqTime",
        "sequence numbers reset at the start of each session period (StartTime)",
    ),
    (
        "SendResetSeqNumFlag",
        "use ResetOnLogon to send ResetSeqNumFlag=Y on Logon",
    ),
];

/// Keys followed by a number (`SocketConnectHost1`, `LogonTag2`).
const NUMBERED: &[&str] = &["SocketConnectHost", "SocketConnectPort", "LogonTag"];

/// Keys followed by `.` and a version (`AppDataDictionary.FIX.4.4`).
const DOTTED: &[&str] = &["AppDataDictionary"];

fn all_keys() -> impl Iterator<Item = &'static str> {
    KNOWN_KEYS
        .iter()
        .chain(ENGINE_KEYS)
        .copied()
        .chain(COMPATIBILITY_KEYS.iter().map(|(k, _)| *k))
}

fn exact(key: &str) -> Option<&'static str> {
    all_keys().find(|k| k.eq_ignore_ascii_case(key))
}

/// The key as this crate spells it (`socketconnecthost1` -> `SocketConnectHost1`,
/// `appdatadictionary.FIX.4.4` -> `AppDataDictionary.FIX.4.4`), or `None` when no QuickFIX
/// engine knows it.
pub(crate) fn canonical(key: &str) -> Option<String> {
    if let Some(k) = exact(key) {
        return Some(k.to_string());
    }
    let split = |base: &str| {
        key.get(..base.len())
            .filter(|head| head.eq_ignore_ascii_case(base))
            .map(|_| &key[base.len()..])
    };
    for base in NUMBERED {
        if let Some(n) = split(base) {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                return Some(format!("{base}{n}"));
            }
        }
    }
    for base in DOTTED {
        if let Some(rest) = split(base).and_then(|r| r.strip_prefix('.')) {
            if !rest.is_empty() {
                return Some(format!("{base}.{rest}"));
            }
        }
    }
    None
}

/// Why a key has no effect here, for keys accepted for compatibility only.
pub(crate) fn ignored_reason(canonical_key: &str) -> Option<&'static str> {
    COMPATIBILITY_KEYS
        .iter()
        .find(|(k, _)| *k == canonical_key)
        .map(|(_, why)| *why)
}

/// The known key nearest to an unknown one, when it is near enough to be a misspelling.
pub(crate) fn suggestion(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    all_keys()
        .map(|k| (strsim::jaro_winkler(&lower, &k.to_ascii_lowercase()), k))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}
