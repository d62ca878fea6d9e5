//! Session settings: QuickFIX-style settings files (`[DEFAULT]` and `[SESSION]` sections of
//! `Key=Value` lines) and the same keys in TOML, turned into typed [`SessionSettings`].
//!
//! ```text
//! [DEFAULT]
//! ConnectionType=acceptor
//! SocketAcceptPort=5001
//! SenderCompID=ISLD
//! # comments start with '#'
//! [SESSION]
//! BeginString=FIX.4.4
//! TargetCompID=TW44
//! ```
//!
//! The TOML form has an optional `[default]` table and an array of `[[session]]` tables with
//! the same key names; booleans may be TOML booleans or `"Y"`/`"N"`.
//!
//! Unknown keys and bad values are errors that name the key, the section and the line.
//! QuickFIX keys that only tune things this engine does its own way (screen log, socket buffer
//! sizes: [`COMPATIBILITY_KEYS`]) are accepted with a warning, so a QuickFIX file loads.
//!
//! A value may take part or all of itself from the environment with `${NAME}` (for secrets
//! such as `PostgreSQLStorePassword=${FIX_PG_PASSWORD}`, kept out of the file); an unset
//! variable is an error naming the key.
//!
//! ## Stores
//!
//! | key | meaning |
//! |---|---|
//! | `StoreType` | `sqlite` (default), `postgresql`, `file` or `memory`: what [`crate::store::SettingsStoreFactory`] opens |
//! | `SqliteStorePath` | the SQLite file, shared by all sessions naming it (default `store.sqlite3` in FileStorePath) |
//! | `StoreDurability` | `process-crash` (default: what is sent was handed to the OS first, as QuickFIX's FileStore) or `power-loss` (fsynced before it is sent; sessions saving at once share the fsync): the default of the two keys below |
//! | `SqliteStoreSync` | `normal` (process-crash safe) or `full` (power-loss safe); default from `StoreDurability` |
//! | `PostgreSQLStoreURL` | a connection string (`postgres://user@host:5432/db` or `host=... dbname=...`) |
//! | `PostgreSQLStoreHost`, `PostgreSQLStorePort`, `PostgreSQLStoreDatabase`, `PostgreSQLStoreUser`, `PostgreSQLStorePassword` | QuickFIX C++'s keys, used when there is no URL |
//! | `PostgreSQLStoreSchema` | the schema holding the tables (default `public`), created and migrated by the store |
//! | `PostgreSQLStoreLeaseTimeout` | seconds a session's lease lasts without renewal (default 10): a standby takes over that long after the active engine stops |
//!
//! ## Socket
//!
//! | key | meaning |
//! |---|---|
//! | `SocketNodelay` | `Y` (default) or `N`: TCP_NODELAY on the session's connections |
//! | `SocketBusyPoll` | `Y` or `N` (default): after each message or batch, the connection keeps polling its socket and its send queue (non-blocking reads; between polls it yields to the runtime's other tasks and to the kernel) for `SocketBusyPollTime` before parking its thread. Lower round-trip latency when the other side answers within that time, at the cost of a busy core meanwhile: for latency-sensitive sessions on a machine with cores to spare. Plain TCP only (ignored with `SocketUseSSL=Y`) |
//! | `SocketBusyPollTime` | microseconds of busy polling with `SocketBusyPoll=Y` (default 100; 0 turns it off) |
//!
//! ## TLS
//!
//! With `SocketUseSSL=Y` a session's connections run over TLS (rustls, TLS 1.2 and 1.3). The
//! file keys are QuickFIX C++'s (PEM files, as its OpenSSL build reads them); `SocketUseSSL`
//! is QuickFIX/J's switch (QuickFIX C++ picks TLS by class, not by setting) and
//! `SSLServerName` is QuickFIX/n's. Relative paths resolve like `FileStorePath`, against the
//! settings file's folder. Files are read when the acceptor or initiator starts; a file that
//! cannot be read or holds no usable certificate or key is an error naming the key and the
//! file.
//!
//! | key | for | value |
//! |---|---|---|
//! | `SocketUseSSL` | both | `Y` or `N` (default `N`) |
//! | `ServerCertificateFile` | acceptor, required | PEM certificate chain, the server's own certificate first |
//! | `ServerCertificateKeyFile` | acceptor | PEM private key (PKCS#8, PKCS#1 or SEC1); default: read from `ServerCertificateFile` |
//! | `ClientCertificateFile` | initiator | PEM certificate chain presented to an acceptor that asks for one (mutual TLS) |
//! | `ClientCertificateKeyFile` | initiator | its PEM private key; default: read from `ClientCertificateFile` |
//! | `CertificationAuthoritiesFile` | initiator, required; acceptor with `CertificateVerifyLevel` 1 or 2 | PEM CA certificates trusted to sign the peer's certificate |
//! | `CertificateVerifyLevel` | acceptor | `0`: no client certificate asked (default); `1`: a client certificate signed by a trusted CA is required; `2`: asked for and verified if sent, optional |
//! | `SSLProtocol` | both | TLS versions allowed, default `TLSv1.2 TLSv1.3`; see below |
//! | `SSLServerName` | initiator | the name (DNS name or IP address) the acceptor's certificate must carry; default: the `SocketConnectHost` being dialled |
//!
//! `SSLProtocol` is a list of versions separated by spaces or commas, each optionally
//! prefixed with `+` (add) or `-` (remove), applied left to right to an empty set: `TLSv1.3`,
//! `TLSv1.2,TLSv1.3` (QuickFIX/J's `EnabledProtocols` style) and `all -TLSv1.2` (QuickFIX C++
//! and mod_ssl style) all work. Names are case-insensitive; `TLSv1_2`/`TLSv1_3` (QuickFIX
//! C++ spelling) equal `TLSv1.2`/`TLSv1.3`. `SSLv2`, `SSLv3`, `TLSv1` and `TLSv1.1` are
//! recognised but never enabled (rustls does not implement them); a list that leaves neither
//! TLS 1.2 nor TLS 1.3 is an error.
//!
//! The TLS keys are read whatever `SocketUseSSL` says (bad values are errors), but only take
//! effect with `SocketUseSSL=Y`. Acceptor sessions sharing a SocketAcceptPort share its TLS
//! settings, so they must agree (put the TLS keys in `[DEFAULT]`).
//!
//! ```text
//! [DEFAULT]
//! ConnectionType=initiator
//! SocketUseSSL=Y
//! CertificationAuthoritiesFile=pki/ca.pem
//! ClientCertificateFile=pki/client.pem
//! ClientCertificateKeyFile=pki/client.key
//! SSLProtocol=TLSv1.3
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{NaiveTime, Weekday};
use fix_core::value::Precision;
use fix_core::Dictionary;
use serde::Deserialize;
use thiserror::Error;

/// Identifies one session: BeginString, our SenderCompID, their TargetCompID and an optional
/// qualifier (to tell apart sessions with the same CompIDs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId {
    /// BeginString (8): `FIX.4.0` to `FIX.4.4` or `FIXT.1.1`.
    pub begin_string: String,
    /// Our CompID: SenderCompID (49) of the messages we send.
    pub sender_comp_id: String,
    /// The counterparty's CompID: TargetCompID (56) of the messages we send.
    pub target_comp_id: String,
    /// SessionQualifier, if any.
    pub qualifier: Option<String>,
}

impl SessionId {
    /// A session id without qualifier.
    pub fn new(begin_string: &str, sender: &str, target: &str) -> SessionId {
        SessionId {
            begin_string: begin_string.to_string(),
            sender_comp_id: sender.to_string(),
            target_comp_id: target.to_string(),
            qualifier: None,
        }
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}->{}",
            self.begin_string, self.sender_comp_id, self.target_comp_id
        )?;
        if let Some(q) = &self.qualifier {
            write!(f, ":{q}")?;
        }
        Ok(())
    }
}

/// Whether a session accepts connections or makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionType {
    /// Listens on SocketAcceptPort.
    Acceptor,
    /// Connects to SocketConnectHost:SocketConnectPort (and the failovers).
    Initiator,
}

/// Which store [`crate::store::SettingsStoreFactory`] opens for a session (`StoreType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreType {
    /// One SQLite file per engine: the embedded default.
    #[default]
    Sqlite,
    /// PostgreSQL, shared by active and standby engines (leases and fencing).
    Postgres,
    /// QuickFIX's file layout in FileStorePath.
    File,
    /// Nothing kept across restarts.
    Memory,
}

/// When to fsync the file store's files (not a QuickFIX key: `FileStoreSync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPolicy {
    /// fsync after every write: survives power loss, slowest.
    Always,
    /// Never fsync: data reaches the OS before a send returns (survives a process crash).
    #[default]
    Never,
    /// fsync after every N writes.
    EveryN(u32),
}

/// The trading-session schedule: when the session may be logged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// StartTime, in [`Schedule::time_zone`].
    pub start_time: NaiveTime,
    /// EndTime, in [`Schedule::time_zone`].
    pub end_time: NaiveTime,
    /// StartDay for weekly sessions.
    pub start_day: Option<Weekday>,
    /// EndDay for weekly sessions.
    pub end_day: Option<Weekday>,
    /// TimeZone (IANA name); UTC when absent.
    pub time_zone: chrono_tz::Tz,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            start_time: NaiveTime::MIN,
            end_time: NaiveTime::MIN,
            start_day: None,
            end_day: None,
            time_zone: chrono_tz::UTC,
        }
    }
}

/// Whether and how an acceptor asks for client certificates (`CertificateVerifyLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertificateVerifyLevel {
    /// `0`: no client certificate is asked for.
    #[default]
    None,
    /// `1`: the client must present a certificate signed by a trusted CA.
    Require,
    /// `2`: a client certificate is asked for and verified if sent, but may be absent.
    Optional,
}

/// The TLS versions a session allows (`SSLProtocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsVersions {
    /// TLS 1.2.
    pub tls12: bool,
    /// TLS 1.3.
    pub tls13: bool,
}

impl Default for TlsVersions {
    fn default() -> Self {
        TlsVersions {
            tls12: true,
            tls13: true,
        }
    }
}

impl TlsVersions {
    /// Parses an `SSLProtocol` value (see the [module docs](self)); `None` when a name is not
    /// a protocol version or when neither TLS 1.2 nor TLS 1.3 is left.
    pub fn parse(value: &str) -> Option<TlsVersions> {
        let mut v = TlsVersions {
            tls12: false,
            tls13: false,
        };
        let mut any = false;
        for token in value
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            any = true;
            let (add, name) = match (token.strip_prefix('+'), token.strip_prefix('-')) {
                (Some(name), _) => (true, name),
                (_, Some(name)) => (false, name),
                _ => (true, token),
            };
            let (t12, t13) = match name.to_ascii_lowercase().as_str() {
                "all" => (true, true),
                "tlsv1.2" | "tlsv1_2" => (true, false),
                "tlsv1.3" | "tlsv1_3" => (false, true),
                "sslv2" | "sslv3" | "tlsv1" | "tlsv1.1" | "tlsv1_1" => (false, false),
                _ => return None,
            };
            if t12 {
                v.tls12 = add;
            }
            if t13 {
                v.tls13 = add;
            }
        }
        (any && (v.tls12 || v.tls13)).then_some(v)
    }
}

/// A session's TLS settings (`SocketUseSSL=Y`); see the [module docs](self) for the keys.
/// Paths are resolved against the settings file's folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// ServerCertificateFile (acceptor): PEM certificate chain, own certificate first.
    pub server_certificate_file: Option<PathBuf>,
    /// ServerCertificateKeyFile (acceptor): PEM private key; `ServerCertificateFile` when
    /// absent.
    pub server_certificate_key_file: Option<PathBuf>,
    /// ClientCertificateFile (initiator): PEM certificate chain for mutual TLS.
    pub client_certificate_file: Option<PathBuf>,
    /// ClientCertificateKeyFile (initiator): PEM private key; `ClientCertificateFile` when
    /// absent.
    pub client_certificate_key_file: Option<PathBuf>,
    /// CertificationAuthoritiesFile: PEM CA certificates that may sign the peer's certificate.
    pub certification_authorities_file: Option<PathBuf>,
    /// CertificateVerifyLevel (acceptor): whether client certificates are asked for.
    pub certificate_verify_level: CertificateVerifyLevel,
    /// SSLProtocol: the allowed TLS versions.
    pub protocols: TlsVersions,
    /// SSLServerName (initiator): the name the acceptor's certificate must carry; the
    /// SocketConnectHost being dialled when absent.
    pub server_name: Option<String>,
}

/// Everything one `[SESSION]` says, with `[DEFAULT]` applied and QuickFIX's defaults filled in.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// The session's identity.
    pub id: SessionId,
    /// ConnectionType.
    pub connection_type: ConnectionType,
    /// DefaultApplVerID (FIXT.1.1), as written (`FIX.5.0SP2` or `9`).
    pub default_appl_ver_id: Option<String>,
    /// SocketAcceptHost (acceptor): the address to bind, all interfaces when absent.
    pub socket_accept_host: Option<String>,
    /// SocketAcceptPort (acceptor).
    pub socket_accept_port: Option<u16>,
    /// SocketConnectHost/SocketConnectPort then SocketConnectHost1/Port1, ... (initiator).
    pub socket_connect: Vec<(String, u16)>,
    /// SocketNodelay (default Y).
    pub socket_nodelay: bool,
    /// SocketBusyPoll=Y with SocketBusyPollTime (microseconds, default 100): after each
    /// pass a session's connection keeps polling its socket and send queue without
    /// parking its thread for this long (see [the socket section](self#socket)); `None`
    /// (default, SocketBusyPoll=N): it parks at once. Plain TCP only.
    pub socket_busy_poll: Option<Duration>,
    /// TLS settings when SocketUseSSL=Y; `None`: plain TCP.
    pub tls: Option<TlsSettings>,
    /// ReconnectInterval (default 30 s).
    pub reconnect_interval: Duration,
    /// HeartBtInt (initiator; an acceptor uses the one from the Logon).
    pub heartbeat_interval: Duration,
    /// StartTime/EndTime/StartDay/EndDay/TimeZone.
    pub schedule: Schedule,
    /// LogonTimeout (default 10 s).
    pub logon_timeout: Duration,
    /// LogoutTimeout (default 2 s).
    pub logout_timeout: Duration,
    /// ResetOnLogon.
    pub reset_on_logon: bool,
    /// ResetOnLogout.
    pub reset_on_logout: bool,
    /// ResetOnDisconnect.
    pub reset_on_disconnect: bool,
    /// RefreshOnLogon.
    pub refresh_on_logon: bool,
    /// PersistMessages (default Y): keep sent messages to answer ResendRequests.
    pub persist_messages: bool,
    /// FileStorePath: use a file store in this folder.
    pub file_store_path: Option<PathBuf>,
    /// FileStoreSync (`always`, `never` or a number N: every N writes).
    pub file_store_sync: SyncPolicy,
    /// FileLogPath: write message logs in this folder.
    pub file_log_path: Option<PathBuf>,
    /// StoreType (default `sqlite`).
    pub store_type: StoreType,
    /// SqliteStorePath: the SQLite database file.
    pub sqlite_store_path: Option<PathBuf>,
    /// SqliteStoreSync: `normal` (process-crash safe, the default) or `full` (power-loss
    /// safe); StoreDurability sets its default.
    pub sqlite_store_sync: crate::store::SqliteSync,
    /// The PostgreSQL connection string: PostgreSQLStoreURL, or one built from QuickFIX's
    /// PostgreSQLStoreHost/Port/Database/User/Password keys.
    pub postgres_store_url: Option<String>,
    /// PostgreSQLStoreSchema (default `public`).
    pub postgres_store_schema: String,
    /// PostgreSQLStoreLeaseTimeout (default 10 s).
    pub postgres_store_lease_timeout: Duration,
    /// CheckCompID (default Y).
    pub check_comp_id: bool,
    /// CheckLatency (default Y).
    pub check_latency: bool,
    /// MaxLatency (default 120 s).
    pub max_latency: Duration,
    /// ValidateUserDefinedFields (default Y).
    pub validate_user_defined_fields: bool,
    /// ValidateFieldsOutOfOrder (default Y).
    pub validate_fields_out_of_order: bool,
    /// ValidateFieldsHaveValues (default Y).
    pub validate_fields_have_values: bool,
    /// AllowUnknownMsgFields (default N).
    pub allow_unknown_msg_fields: bool,
    /// UseDataDictionary (default Y).
    pub use_data_dictionary: bool,
    /// DataDictionary (FIX.4.x).
    pub data_dictionary: Option<PathBuf>,
    /// TransportDataDictionary (FIXT.1.1).
    pub transport_data_dictionary: Option<PathBuf>,
    /// AppDataDictionary (FIXT.1.1).
    pub app_data_dictionary: Option<PathBuf>,
    /// SendRedundantResendRequests (default N).
    pub send_redundant_resend_requests: bool,
    /// ResendRequestChunkSize (0: ask for everything at once).
    pub resend_request_chunk_size: u64,
    /// Precision of outgoing SendingTime; from TimeStampPrecision or MillisecondsInTimeStamp.
    /// `None`: milliseconds for FIX.4.2 and later, seconds for FIX.4.0/4.1.
    pub timestamp_precision: Option<Precision>,
    /// EnableNextExpectedMsgSeqNum (default N): NextExpectedMsgSeqNum (789) on Logon and the recovery it implies.
    pub enable_next_expected_msg_seq_num: bool,
    /// EnableLastMsgSeqNumProcessed (default N): LastMsgSeqNumProcessed (369) on every message sent.
    pub enable_last_msg_seq_num_processed: bool,
    /// ClosedResendInterval (default N): a ResendRequest names its real end instead of 0 (infinity).
    pub closed_resend_interval: bool,
    /// ResetOnError (default N): sequence numbers reset when the session is ended by an error.
    pub reset_on_error: bool,
    /// DisconnectOnError (default N): disconnect instead of rejecting on a protocol error.
    pub disconnect_on_error: bool,
    /// TestRequestDelayMultiplier: a TestRequest goes out after (1 + this) x HeartBtInt of silence (default 0.2, QuickFIX C++'s 1.2 x).
    pub test_request_delay_multiplier: f64,
    /// HeartBeatTimeoutMultiplier: the session is dropped after (1 + this) x HeartBtInt of silence (default 1.4, QuickFIX C++'s 2.4 x).
    pub heart_beat_timeout_multiplier: f64,
    /// DisableHeartBeatCheck (default N): never drop the session for silence.
    pub disable_heart_beat_check: bool,
    /// AllowPosDup (default N): a PossDupFlag=Y message with a too-low MsgSeqNum is passed on instead of ignored.
    pub allow_pos_dup: bool,
    /// ForceResendWhenCorruptedStore (default N): resend what the store lost as gap fills instead of failing the resend.
    pub force_resend_when_corrupted_store: bool,
    /// RejectInvalidMessage (default Y): an invalid application message gets a Reject; N passes it on.
    pub reject_invalid_message: bool,
    /// AllowUnknownEnumValues (default N): enum values the dictionary does not list are accepted.
    pub allow_unknown_enum_values: bool,
    /// RequiresOrigSendingTime (default Y): a PossDupFlag=Y message must carry OrigSendingTime (122).
    pub requires_orig_sending_time: bool,
    /// ValidateIncomingMessage (default Y): validate received messages against the dictionary.
    pub validate_incoming_message: bool,
    /// ValidateSequenceNumbers (default Y): check received MsgSeqNum.
    pub validate_sequence_numbers: bool,
    /// ValidateChecksum (default Y): check received CheckSum (10).
    pub validate_checksum: bool,
    /// RejectGarbledMessage (default N): a garbled message gets a Reject instead of being ignored.
    pub reject_garbled_message: bool,
    /// FirstFieldInGroupIsDelimiter (default N): a group entry starts at its first field, whatever the order of the rest.
    pub first_field_in_group_is_delimiter: bool,
    /// ValidateUnorderedGroupFields (default Y): fields of a group entry out of the dictionary's order are an error.
    pub validate_unordered_group_fields: bool,
    /// LogonTag, LogonTag1, ...: `tag=value` fields added to every Logon sent.
    pub logon_tags: Vec<(fix_core::Tag, String)>,
    /// The folder relative paths are resolved against (the settings file's folder).
    pub base_dir: PathBuf,
    /// Every key as written, for application-specific keys.
    pub raw: BTreeMap<String, String>,
}

impl SessionSettings {
    /// The SQLite file of this session: SqliteStorePath, else `store.sqlite3` in
    /// FileStorePath.
    pub fn sqlite_store_path(&self) -> Option<PathBuf> {
        self.sqlite_store_path.clone().or_else(|| {
            self.file_store_path
                .as_ref()
                .map(|d| d.join("store.sqlite3"))
        })
    }

    /// Settings with QuickFIX's defaults for a session `id` of `connection_type`.
    pub fn new(id: SessionId, connection_type: ConnectionType) -> SessionSettings {
        SessionSettings {
            id,
            connection_type,
            default_appl_ver_id: None,
            socket_accept_host: None,
            socket_accept_port: None,
            socket_connect: Vec::new(),
            socket_nodelay: true,
            socket_busy_poll: None,
            tls: None,
            reconnect_interval: Duration::from_secs(30),
            heartbeat_interval: Duration::from_secs(30),
            schedule: Schedule::default(),
            logon_timeout: Duration::from_secs(10),
            logout_timeout: Duration::from_secs(2),
            reset_on_logon: false,
            reset_on_logout: false,
            reset_on_disconnect: false,
            refresh_on_logon: false,
            persist_messages: true,
            file_store_path: None,
            file_store_sync: SyncPolicy::Never,
            file_log_path: None,
            store_type: StoreType::Sqlite,
            sqlite_store_path: None,
            sqlite_store_sync: crate::store::SqliteSync::Normal,
            postgres_store_url: None,
            postgres_store_schema: "public".to_string(),
            postgres_store_lease_timeout: Duration::from_secs(10),
            check_comp_id: true,
            check_latency: true,
            max_latency: Duration::from_secs(120),
            validate_user_defined_fields: true,
            validate_fields_out_of_order: true,
            validate_fields_have_values: true,
            allow_unknown_msg_fields: false,
            use_data_dictionary: true,
            data_dictionary: None,
            transport_data_dictionary: None,
            app_data_dictionary: None,
            send_redundant_resend_requests: false,
            resend_request_chunk_size: 0,
            timestamp_precision: None,
            enable_next_expected_msg_seq_num: false,
            enable_last_msg_seq_num_processed: false,
            closed_resend_interval: false,
            reset_on_error: false,
            disconnect_on_error: false,
            test_request_delay_multiplier: 0.2,
            heart_beat_timeout_multiplier: 1.4,
            disable_heart_beat_check: false,
            allow_pos_dup: false,
            force_resend_when_corrupted_store: false,
            reject_invalid_message: true,
            allow_unknown_enum_values: false,
            requires_orig_sending_time: true,
            validate_incoming_message: true,
            validate_sequence_numbers: true,
            validate_checksum: true,
            reject_garbled_message: false,
            first_field_in_group_is_delimiter: false,
            validate_unordered_group_fields: true,
            logon_tags: Vec::new(),
            base_dir: PathBuf::from("."),
            raw: BTreeMap::new(),
        }
    }

    /// The precision of outgoing SendingTime for this session.
    pub fn sending_time_precision(&self) -> Precision {
        self.timestamp_precision
            .unwrap_or(match self.id.begin_string.as_str() {
                "FIX.4.0" | "FIX.4.1" => Precision::Seconds,
                _ => Precision::Millis,
            })
    }

    /// The validation options these settings ask for.
    pub fn validation_options(&self) -> fix_core::ValidationOptions {
        fix_core::ValidationOptions {
            check_fields_out_of_order: self.validate_fields_out_of_order,
            check_fields_have_values: self.validate_fields_have_values,
            check_user_defined_fields: self.validate_user_defined_fields,
            allow_unknown_message_fields: self.allow_unknown_msg_fields,
            ..fix_core::ValidationOptions::default()
        }
    }

    /// Loads the dictionary this session validates with: DataDictionary (FIX.4.x) or
    /// AppDataDictionary with TransportDataDictionary (FIXT.1.1); when UseDataDictionary=Y and
    /// no file is named, the built-in dictionary for the BeginString (and DefaultApplVerID).
    /// `None` when UseDataDictionary=N. Dictionaries are cached by path.
    pub fn load_dictionary(&self) -> Result<Option<Arc<Dictionary>>, SettingsError> {
        if !self.use_data_dictionary {
            return Ok(None);
        }
        let fixt = self.id.begin_string == "FIXT.1.1";
        let (app, transport) = if fixt {
            let app = match (&self.app_data_dictionary, &self.data_dictionary) {
                (Some(p), _) | (None, Some(p)) => p.clone(),
                (None, None) => {
                    PathBuf::from(builtin_app_name(self.default_appl_ver_id.as_deref()))
                }
            };
            let transport = self
                .transport_data_dictionary
                .clone()
                .unwrap_or_else(|| PathBuf::from("FIXT11.xml"));
            (app, Some(transport))
        } else {
            let app = match &self.data_dictionary {
                Some(p) => p.clone(),
                None => PathBuf::from(format!("{}.xml", self.id.begin_string.replace('.', ""))),
            };
            (app, None)
        };
        let key = (app.clone(), transport.clone(), self.base_dir.clone());
        static CACHE: OnceLock<Mutex<HashMap<DictKey, Arc<Dictionary>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(d) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(Some(d));
        }
        let app_xml = read_dictionary(&self.base_dir, &app)?;
        let mut model =
            fix_dict::model_from_str(&app_xml).map_err(|e| SettingsError::Dictionary {
                path: app.display().to_string(),
                message: e.to_string(),
            })?;
        if let Some(t) = &transport {
            let t_xml = read_dictionary(&self.base_dir, t)?;
            let t_model =
                fix_dict::model_from_str(&t_xml).map_err(|e| SettingsError::Dictionary {
                    path: t.display().to_string(),
                    message: e.to_string(),
                })?;
            model = model
                .with_transport(&t_model)
                .map_err(|e| SettingsError::Dictionary {
                    path: t.display().to_string(),
                    message: e.to_string(),
                })?;
        }
        let dict = Arc::new(fix_dict::layout::dictionary(&model));
        if let Ok(mut c) = cache.lock() {
            c.insert(key, dict.clone());
        }
        Ok(Some(dict))
    }
}

/// Cache key of a loaded dictionary: (app file, transport file, base folder).
type DictKey = (PathBuf, Option<PathBuf>, PathBuf);

fn builtin_app_name(appl_ver_id: Option<&str>) -> &'static str {
    match appl_ver_id {
        Some("FIX.5.0" | "7") => "FIX50.xml",
        Some("FIX.5.0SP1" | "8") => "FIX50SP1.xml",
        Some("FIX.4.0" | "2") => "FIX40.xml",
        Some("FIX.4.1" | "3") => "FIX41.xml",
        Some("FIX.4.2" | "4") => "FIX42.xml",
        Some("FIX.4.3" | "5") => "FIX43.xml",
        Some("FIX.4.4" | "6") => "FIX44.xml",
        _ => "FIX50SP2.xml",
    }
}

/// The built-in dictionaries, by file name.
fn builtin_dictionary(name: &str) -> Option<&'static str> {
    macro_rules! dict {
        ($f:literal) => {
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../dictionaries/", $f))
        };
    }
    Some(match name {
        "FIX40.xml" => dict!("FIX40.xml"),
        "FIX41.xml" => dict!("FIX41.xml"),
        "FIX42.xml" => dict!("FIX42.xml"),
        "FIX43.xml" => dict!("FIX43.xml"),
        "FIX44.xml" => dict!("FIX44.xml"),
        "FIX50.xml" => dict!("FIX50.xml"),
        "FIX50SP1.xml" => dict!("FIX50SP1.xml"),
        "FIX50SP2.xml" => dict!("FIX50SP2.xml"),
        "FIXT11.xml" => dict!("FIXT11.xml"),
        _ => return None,
    })
}

/// Reads a dictionary named in settings: relative to the settings file's folder, then to the
/// current folder, then the workspace's `dictionaries/` folder by file name, then the
/// built-in copy by file name (QuickFIX settings name paths like `spec/FIX44.xml`).
fn read_dictionary(base: &Path, path: &Path) -> Result<String, SettingsError> {
    let mut candidates = vec![base.join(path), path.to_path_buf()];
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../dictionaries")
            .join(&name),
    );
    for c in &candidates {
        if c.is_file() {
            return std::fs::read_to_string(c).map_err(|e| SettingsError::Dictionary {
                path: c.display().to_string(),
                message: e.to_string(),
            });
        }
    }
    builtin_dictionary(&name)
        .map(str::to_string)
        .ok_or_else(|| SettingsError::Dictionary {
            path: path.display().to_string(),
            message: "file not found".to_string(),
        })
}

/// Why settings could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The settings file could not be read.
    #[error("cannot read settings file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is neither a section header, a comment nor `Key=Value`.
    #[error("line {line}: cannot parse {text:?}")]
    Syntax {
        /// Line number (1-based).
        line: usize,
        /// The line.
        text: String,
    },
    /// A key this crate does not know.
    #[error("unknown key {key} in {section} at line {line}")]
    UnknownKey {
        /// The key.
        key: String,
        /// `DEFAULT` or `SESSION n` (1-based).
        section: String,
        /// Line number (1-based; 0 for TOML).
        line: usize,
    },
    /// A value that does not fit its key.
    #[error("bad value {value:?} for {key} in {section} at line {line}: {reason}")]
    BadValue {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// `DEFAULT` or `SESSION n`.
        section: String,
        /// Line number (1-based; 0 for TOML).
        line: usize,
        /// What is expected.
        reason: String,
    },
    /// A key every session needs is missing.
    #[error("missing {key} in {section}")]
    Missing {
        /// The key.
        key: String,
        /// `SESSION n`.
        section: String,
    },
    /// Two sessions with the same id.
    #[error("session {0} is defined twice")]
    Duplicate(String),
    /// TOML that does not parse.
    #[error("TOML: {0}")]
    Toml(String),
    /// A dictionary could not be loaded.
    #[error("dictionary {path}: {message}")]
    Dictionary {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Every key the settings understand.
pub const KNOWN_KEYS: &[&str] = &[
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
    "SocketAcceptHost",
    "SocketAcceptPort",
    "SocketConnectHost",
    "SocketConnectPort",
    "SocketReuseAddress",
    "SocketNodelay",
    "SocketBusyPoll",
    "SocketBusyPollTime",
    "SocketUseSSL",
    "ServerCertificateFile",
    "ServerCertificateKeyFile",
    "ClientCertificateFile",
    "ClientCertificateKeyFile",
    "CertificationAuthoritiesFile",
    "CertificateVerifyLevel",
    "SSLProtocol",
    "SSLServerName",
    "ReconnectInterval",
    "HeartBtInt",
    "StartTime",
    "EndTime",
    "StartDay",
    "EndDay",
    "TimeZone",
    "UseLocalTime",
    "LogonTimeout",
    "LogoutTimeout",
    "ResetOnLogon",
    "ResetOnLogout",
    "ResetOnDisconnect",
    "RefreshOnLogon",
    "PersistMessages",
    "FileStorePath",
    "FileStoreSync",
    "FileLogPath",
    "StoreType",
    "SqliteStorePath",
    "SqliteStoreSync",
    "StoreDurability",
    "PostgreSQLStoreURL",
    "PostgreSQLStoreHost",
    "PostgreSQLStorePort",
    "PostgreSQLStoreDatabase",
    "PostgreSQLStoreUser",
    "PostgreSQLStorePassword",
    "PostgreSQLStoreSchema",
    "PostgreSQLStoreLeaseTimeout",
    "CheckCompID",
    "CheckLatency",
    "MaxLatency",
    "ValidateUserDefinedFields",
    "ValidateFieldsOutOfOrder",
    "ValidateFieldsHaveValues",
    "AllowUnknownMsgFields",
    "UseDataDictionary",
    "DataDictionary",
    "TransportDataDictionary",
    "AppDataDictionary",
    "SendRedundantResendRequests",
    "ResendRequestChunkSize",
    "TimeStampPrecision",
    "TimestampPrecision",
    "MillisecondsInTimeStamp",
];

/// QuickFIX keys that only tune what this engine does by itself or has no counterpart for
/// (screen logging, log backups, socket buffer sizes, field order preservation): accepted so
/// that a QuickFIX settings file loads, with a warning that they have no effect.
/// `ValidateLengthAndChecksum` is accepted as `Y` only: BodyLength and CheckSum are always
/// checked.
pub const COMPATIBILITY_KEYS: &[&str] = &[
    "ScreenLogShowIncoming",
    "ScreenLogShowOutgoing",
    "ScreenLogShowEvents",
    "ScreenLogShowHeartBeats",
    "FileLogBackupPath",
    "SocketSendBufferSize",
    "SocketReceiveBufferSize",
    "PreserveMessageFieldsOrder",
    "ValidateLengthAndChecksum",
];

fn known(key: &str) -> bool {
    if KNOWN_KEYS.contains(&key) || COMPATIBILITY_KEYS.contains(&key) {
        return true;
    }
    // Failover hosts: SocketConnectHost1, SocketConnectPort1, ...
    for prefix in ["SocketConnectHost", "SocketConnectPort"] {
        if let Some(n) = key.strip_prefix(prefix) {
            return !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
        }
    }
    false
}

#[derive(Debug, Clone)]
struct Entry {
    value: String,
    section: String,
    line: usize,
}

type Raw = BTreeMap<String, Entry>;

/// All sessions of one settings file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// One entry per `[SESSION]`, in file order.
    pub sessions: Vec<SessionSettings>,
}

impl Settings {
    /// Reads a QuickFIX-style settings file; relative paths in it resolve against its folder.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Settings, SettingsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        if path.extension().is_some_and(|e| e == "toml") {
            return Settings::from_toml_str(&text, &base);
        }
        Settings::from_str_in(&text, &base)
    }

    /// Parses QuickFIX-style settings text; relative paths resolve against `base`.
    pub fn from_str_in(text: &str, base: &Path) -> Result<Settings, SettingsError> {
        let mut default = Raw::new();
        let mut sessions: Vec<Raw> = Vec::new();
        let mut current: Option<usize> = None; // None: DEFAULT or before any section
        let mut in_section = false;
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
                continue;
            }
            if l.starts_with('[') && l.ends_with(']') {
                let name = l[1..l.len() - 1].trim();
                if name.eq_ignore_ascii_case("DEFAULT") {
                    current = None;
                } else if name.eq_ignore_ascii_case("SESSION") {
                    sessions.push(Raw::new());
                    current = Some(sessions.len() - 1);
                } else {
                    return Err(SettingsError::Syntax {
                        line: n,
                        text: line.to_string(),
                    });
                }
                in_section = true;
                continue;
            }
            let Some((k, v)) = l.split_once('=') else {
                return Err(SettingsError::Syntax {
                    line: n,
                    text: line.to_string(),
                });
            };
            if !in_section {
                return Err(SettingsError::Syntax {
                    line: n,
                    text: line.to_string(),
                });
            }
            let key = k.trim().to_string();
            let section = match current {
                None => "DEFAULT".to_string(),
                Some(s) => format!("SESSION {}", s + 1),
            };
            if !known(&key) {
                return Err(SettingsError::UnknownKey {
                    key,
                    section,
                    line: n,
                });
            }
            let entry = Entry {
                value: v.trim().to_string(),
                section,
                line: n,
            };
            match current {
                None => default.insert(key, entry),
                Some(s) => sessions[s].insert(key, entry),
            };
        }
        build_all(default, sessions, base)
    }

    /// Parses settings from TOML: an optional `[default]` table and `[[session]]` tables
    /// with QuickFIX key names.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<Settings, SettingsError> {
        let file: TomlFile =
            toml::from_str(text).map_err(|e| SettingsError::Toml(e.to_string()))?;
        file.into_settings(base)
    }

    /// The session with `id`.
    pub fn session(&self, id: &SessionId) -> Option<&SessionSettings> {
        self.sessions.iter().find(|s| &s.id == id)
    }
}

impl std::str::FromStr for Settings {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<Settings, SettingsError> {
        Settings::from_str_in(s, Path::new("."))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default, alias = "DEFAULT")]
    default: BTreeMap<String, toml::Value>,
    #[serde(default, alias = "SESSION")]
    session: Vec<BTreeMap<String, toml::Value>>,
}

impl TomlFile {
    fn into_settings(self, base: &Path) -> Result<Settings, SettingsError> {
        fn conv(table: BTreeMap<String, toml::Value>, section: &str) -> Result<Raw, SettingsError> {
            let mut raw = Raw::new();
            for (key, v) in table {
                if !known(&key) {
                    return Err(SettingsError::UnknownKey {
                        key,
                        section: section.to_string(),
                        line: 0,
                    });
                }
                let value = match v {
                    toml::Value::String(s) => s,
                    toml::Value::Boolean(b) => if b { "Y" } else { "N" }.to_string(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    other => {
                        return Err(SettingsError::BadValue {
                            key,
                            value: other.to_string(),
                            section: section.to_string(),
                            line: 0,
                            reason: "expected a string, number or boolean".into(),
                        })
                    }
                };
                raw.insert(
                    key,
                    Entry {
                        value,
                        section: section.to_string(),
                        line: 0,
                    },
                );
            }
            Ok(raw)
        }
        let default = conv(self.default, "DEFAULT")?;
        let sessions = self
            .session
            .into_iter()
            .enumerate()
            .map(|(i, t)| conv(t, &format!("SESSION {}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        build_all(default, sessions, base)
    }
}

impl<'de> Deserialize<'de> for Settings {
    /// Deserialises the TOML form (`default` table, `session` array); relative paths resolve
    /// against the current folder.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Settings, D::Error> {
        TomlFile::deserialize(d)?
            .into_settings(Path::new("."))
            .map_err(serde::de::Error::custom)
    }
}

fn build_all(default: Raw, sessions: Vec<Raw>, base: &Path) -> Result<Settings, SettingsError> {
    let mut out: Vec<SessionSettings> = Vec::new();
    for (i, s) in sessions.into_iter().enumerate() {
        let mut merged = default.clone();
        merged.extend(s);
        expand_env(&mut merged)?;
        let section = format!("SESSION {}", i + 1);
        let built = build(&merged, &section, base)?;
        if out.iter().any(|o| o.id == built.id) {
            return Err(SettingsError::Duplicate(built.id.to_string()));
        }
        out.push(built);
    }
    Ok(Settings { sessions: out })
}

struct Getter<'a> {
    raw: &'a Raw,
}

impl Getter<'_> {
    fn bad(&self, key: &str, reason: &str) -> SettingsError {
        let e = self.raw.get(key);
        SettingsError::BadValue {
            key: key.to_string(),
            value: e.map(|e| e.value.clone()).unwrap_or_default(),
            section: e.map(|e| e.section.clone()).unwrap_or_default(),
            line: e.map(|e| e.line).unwrap_or(0),
            reason: reason.to_string(),
        }
    }
    fn str(&self, key: &str) -> Option<&str> {
        self.raw.get(key).map(|e| e.value.as_str())
    }
    fn bool(&self, key: &str, default: bool) -> Result<bool, SettingsError> {
        match self.str(key) {
            None => Ok(default),
            Some("Y" | "y" | "true" | "TRUE" | "yes") => Ok(true),
            Some("N" | "n" | "false" | "FALSE" | "no") => Ok(false),
            Some(_) => Err(self.bad(key, "expected Y or N")),
        }
    }
    fn u64(&self, key: &str) -> Result<Option<u64>, SettingsError> {
        self.str(key)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| self.bad(key, "expected a whole number"))
            })
            .transpose()
    }
    fn secs(&self, key: &str, default: u64) -> Result<Duration, SettingsError> {
        Ok(Duration::from_secs(self.u64(key)?.unwrap_or(default)))
    }
    fn port(&self, key: &str) -> Result<Option<u16>, SettingsError> {
        self.str(key)
            .map(|v| {
                v.parse::<u16>()
                    .map_err(|_| self.bad(key, "expected a port number"))
            })
            .transpose()
    }
    fn time(&self, key: &str) -> Result<Option<NaiveTime>, SettingsError> {
        self.str(key)
            .map(|v| {
                NaiveTime::parse_from_str(v, "%H:%M:%S")
                    .map_err(|_| self.bad(key, "expected HH:MM:SS"))
            })
            .transpose()
    }
    fn day(&self, key: &str) -> Result<Option<Weekday>, SettingsError> {
        self.str(key)
            .map(|v| parse_day(v).ok_or_else(|| self.bad(key, "expected a day of the week")))
            .transpose()
    }
    fn path(&self, key: &str) -> Option<PathBuf> {
        self.str(key).map(PathBuf::from)
    }
}

fn parse_day(v: &str) -> Option<Weekday> {
    let l = v.to_ascii_lowercase();
    let days = [
        ("su", Weekday::Sun),
        ("mo", Weekday::Mon),
        ("tu", Weekday::Tue),
        ("we", Weekday::Wed),
        ("th", Weekday::Thu),
        ("fr", Weekday::Fri),
        ("sa", Weekday::Sat),
    ];
    if l.len() < 2 {
        return None;
    }
    let full = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    days.iter()
        .zip(full)
        .find(|((p, _), f)| l.starts_with(p) && f.starts_with(&l))
        .map(|((_, d), _)| *d)
}

/// Replaces `${NAME}` in every value with the environment variable NAME.
fn expand_env(raw: &mut Raw) -> Result<(), SettingsError> {
    for (key, e) in raw.iter_mut() {
        if !e.value.contains("${") {
            continue;
        }
        let bad = |reason: String| SettingsError::BadValue {
            key: key.clone(),
            value: e.value.clone(),
            section: e.section.clone(),
            line: e.line,
            reason,
        };
        let mut out = String::new();
        let mut rest = e.value.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| bad("`${` without a closing `}`".into()))?;
            let name = &after[..end];
            let value = std::env::var(name)
                .map_err(|_| bad(format!("environment variable {name} is not set")))?;
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        e.value = out;
    }
    Ok(())
}

/// A libpq key=value connection string from QuickFIX C++'s PostgreSQLStore* keys (values
/// quoted, so spaces and quotes in a password survive).
fn postgres_keys_to_url(g: &Getter<'_>) -> Option<String> {
    let keys = [
        ("PostgreSQLStoreHost", "host"),
        ("PostgreSQLStorePort", "port"),
        ("PostgreSQLStoreDatabase", "dbname"),
        ("PostgreSQLStoreUser", "user"),
        ("PostgreSQLStorePassword", "password"),
    ];
    let parts: Vec<String> = keys
        .iter()
        .filter_map(|(key, name)| {
            g.str(key).map(|v| {
                let quoted = v.replace('\\', "\\\\").replace('\'', "\\'");
                format!("{name}='{quoted}'")
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn build(raw: &Raw, section: &str, base: &Path) -> Result<SessionSettings, SettingsError> {
    let g = Getter { raw };
    let required = |key: &str| {
        g.str(key)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| SettingsError::Missing {
                key: key.to_string(),
                section: section.to_string(),
            })
    };
    let begin_string = required("BeginString")?;
    if !matches!(
        begin_string.as_str(),
        "FIX.4.0" | "FIX.4.1" | "FIX.4.2" | "FIX.4.3" | "FIX.4.4" | "FIXT.1.1"
    ) {
        return Err(g.bad("BeginString", "expected FIX.4.0 to FIX.4.4 or FIXT.1.1"));
    }
    let id = SessionId {
        begin_string,
        sender_comp_id: required("SenderCompID")?,
        target_comp_id: required("TargetCompID")?,
        qualifier: g.str("SessionQualifier").map(str::to_string),
    };
    let connection_type = match required("ConnectionType")?.as_str() {
        "acceptor" => ConnectionType::Acceptor,
        "initiator" => ConnectionType::Initiator,
        _ => return Err(g.bad("ConnectionType", "expected acceptor or initiator")),
    };
    let mut s = SessionSettings::new(id, connection_type);
    s.base_dir = base.to_path_buf();
    s.raw = raw
        .iter()
        .map(|(k, e)| (k.clone(), e.value.clone()))
        .collect();
    s.default_appl_ver_id = g.str("DefaultApplVerID").map(str::to_string);
    if s.id.begin_string == "FIXT.1.1" && s.default_appl_ver_id.is_none() {
        return Err(SettingsError::Missing {
            key: "DefaultApplVerID".into(),
            section: section.to_string(),
        });
    }
    s.socket_accept_host = g.str("SocketAcceptHost").map(str::to_string);
    s.socket_accept_port = g.port("SocketAcceptPort")?;
    if connection_type == ConnectionType::Acceptor && s.socket_accept_port.is_none() {
        return Err(SettingsError::Missing {
            key: "SocketAcceptPort".into(),
            section: section.to_string(),
        });
    }
    let mut suffix = String::new();
    let mut n = 0;
    loop {
        let hk = format!("SocketConnectHost{suffix}");
        let pk = format!("SocketConnectPort{suffix}");
        match (g.str(&hk), g.port(&pk)?) {
            (Some(h), Some(p)) => s.socket_connect.push((h.to_string(), p)),
            (None, None) if n > 0 => break,
            (None, None) => {}
            (Some(_), None) => {
                return Err(SettingsError::Missing {
                    key: pk,
                    section: section.to_string(),
                });
            }
            (None, Some(_)) => {
                return Err(SettingsError::Missing {
                    key: hk,
                    section: section.to_string(),
                });
            }
        }
        n += 1;
        suffix = n.to_string();
    }
    if connection_type == ConnectionType::Initiator && s.socket_connect.is_empty() {
        return Err(SettingsError::Missing {
            key: "SocketConnectHost".into(),
            section: section.to_string(),
        });
    }
    s.socket_nodelay = g.bool("SocketNodelay", true)?;
    let busy_poll_time = g.u64("SocketBusyPollTime")?.unwrap_or(100);
    s.socket_busy_poll = g
        .bool("SocketBusyPoll", false)?
        .then(|| Duration::from_micros(busy_poll_time))
        .filter(|d| !d.is_zero());
    s.tls = build_tls(&g, connection_type, section, base)?;
    s.reconnect_interval = g.secs("ReconnectInterval", 30)?;
    s.heartbeat_interval = g.secs("HeartBtInt", 30)?;
    if connection_type == ConnectionType::Initiator && g.str("HeartBtInt").is_none() {
        return Err(SettingsError::Missing {
            key: "HeartBtInt".into(),
            section: section.to_string(),
        });
    }
    let tz = match g.str("TimeZone") {
        None => chrono_tz::UTC,
        Some(v) => v
            .parse::<chrono_tz::Tz>()
            .map_err(|_| g.bad("TimeZone", "expected an IANA time zone name"))?,
    };
    s.schedule = Schedule {
        start_time: g.time("StartTime")?.unwrap_or(NaiveTime::MIN),
        end_time: g.time("EndTime")?.unwrap_or(NaiveTime::MIN),
        start_day: g.day("StartDay")?,
        end_day: g.day("EndDay")?,
        time_zone: tz,
    };
    if s.schedule.start_day.is_some() != s.schedule.end_day.is_some() {
        let key = if s.schedule.start_day.is_some() {
            "EndDay"
        } else {
            "StartDay"
        };
        return Err(SettingsError::Missing {
            key: key.into(),
            section: section.to_string(),
        });
    }
    g.bool("UseLocalTime", false)?;
    if !g.bool("ValidateLengthAndChecksum", true)? {
        return Err(g.bad(
            "ValidateLengthAndChecksum",
            "only Y: BodyLength and CheckSum are always validated",
        ));
    }
    for key in COMPATIBILITY_KEYS {
        if raw.contains_key(*key) && *key != "ValidateLengthAndChecksum" {
            tracing::warn!(
                key = *key,
                section,
                "QuickFIX setting accepted for compatibility; it has no effect here"
            );
        }
    }
    g.bool("SocketReuseAddress", true)?;
    s.logon_timeout = g.secs("LogonTimeout", 10)?;
    s.logout_timeout = g.secs("LogoutTimeout", 2)?;
    s.reset_on_logon = g.bool("ResetOnLogon", false)?;
    s.reset_on_logout = g.bool("ResetOnLogout", false)?;
    s.reset_on_disconnect = g.bool("ResetOnDisconnect", false)?;
    s.refresh_on_logon = g.bool("RefreshOnLogon", false)?;
    s.persist_messages = g.bool("PersistMessages", true)?;
    s.file_store_path = g.path("FileStorePath").map(|p| base.join(p));
    let power_loss = match g
        .str("StoreDurability")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("process-crash") => false,
        Some("power-loss") => true,
        Some(_) => return Err(g.bad("StoreDurability", "expected process-crash or power-loss")),
    };
    s.file_store_sync = match g.str("FileStoreSync") {
        None if power_loss => SyncPolicy::Always,
        None => SyncPolicy::Never,
        Some("always" | "Y") => SyncPolicy::Always,
        Some("never" | "N") => SyncPolicy::Never,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => SyncPolicy::EveryN(n),
            _ => {
                return Err(g.bad(
                    "FileStoreSync",
                    "expected always, never or a positive number",
                ))
            }
        },
    };
    s.file_log_path = g.path("FileLogPath").map(|p| base.join(p));
    s.store_type = match g.str("StoreType").map(str::to_ascii_lowercase).as_deref() {
        None | Some("sqlite") => StoreType::Sqlite,
        Some("postgresql" | "postgres") => StoreType::Postgres,
        Some("file") => StoreType::File,
        Some("memory") => StoreType::Memory,
        Some(_) => return Err(g.bad("StoreType", "expected sqlite, postgresql, file or memory")),
    };
    s.sqlite_store_path = g.path("SqliteStorePath").map(|p| base.join(p));
    s.sqlite_store_sync = match g
        .str("SqliteStoreSync")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None if power_loss => crate::store::SqliteSync::Full,
        None => crate::store::SqliteSync::Normal,
        Some("full") => crate::store::SqliteSync::Full,
        Some("normal") => crate::store::SqliteSync::Normal,
        Some(_) => return Err(g.bad("SqliteStoreSync", "expected full or normal")),
    };
    g.port("PostgreSQLStorePort")?;
    s.postgres_store_url = match (g.str("PostgreSQLStoreURL"), postgres_keys_to_url(&g)) {
        (Some(_), Some(_)) => {
            return Err(g.bad(
                "PostgreSQLStoreURL",
                "give either PostgreSQLStoreURL or PostgreSQLStoreHost/Port/Database/User/Password, not both",
            ))
        }
        (Some(url), None) => Some(url.to_string()),
        (None, keys) => keys,
    };
    if let Some(schema) = g.str("PostgreSQLStoreSchema") {
        let ok = !schema.is_empty()
            && schema.len() <= 63
            && schema
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !schema.as_bytes()[0].is_ascii_digit();
        if !ok {
            return Err(g.bad(
                "PostgreSQLStoreSchema",
                "expected a lower-case SQL identifier (a-z, 0-9, _; at most 63 bytes)",
            ));
        }
        s.postgres_store_schema = schema.to_string();
    }
    s.postgres_store_lease_timeout = g.secs("PostgreSQLStoreLeaseTimeout", 10)?;
    if s.postgres_store_lease_timeout.is_zero() {
        return Err(g.bad("PostgreSQLStoreLeaseTimeout", "expected at least 1 second"));
    }
    s.check_comp_id = g.bool("CheckCompID", true)?;
    s.check_latency = g.bool("CheckLatency", true)?;
    s.max_latency = g.secs("MaxLatency", 120)?;
    s.validate_user_defined_fields = g.bool("ValidateUserDefinedFields", true)?;
    s.validate_fields_out_of_order = g.bool("ValidateFieldsOutOfOrder", true)?;
    s.validate_fields_have_values = g.bool("ValidateFieldsHaveValues", true)?;
    s.allow_unknown_msg_fields = g.bool("AllowUnknownMsgFields", false)?;
    s.use_data_dictionary = g.bool("UseDataDictionary", true)?;
    s.data_dictionary = g.path("DataDictionary");
    s.transport_data_dictionary = g.path("TransportDataDictionary");
    s.app_data_dictionary = g.path("AppDataDictionary");
    s.send_redundant_resend_requests = g.bool("SendRedundantResendRequests", false)?;
    s.resend_request_chunk_size = g.u64("ResendRequestChunkSize")?.unwrap_or(0);
    // QuickFIX/J spells it TimeStampPrecision, QuickFIX C++ TimestampPrecision.
    let precision_key = match g.str("TimeStampPrecision") {
        Some(_) => "TimeStampPrecision",
        None => "TimestampPrecision",
    };
    s.timestamp_precision = match g.u64(precision_key)? {
        Some(d) => Some(
            Precision::for_digits(usize::try_from(d).unwrap_or(usize::MAX))
                .filter(|p| p.digits() as u64 == d)
                .ok_or_else(|| g.bad(precision_key, "expected 0, 3, 6 or 9"))?,
        ),
        None => match g.str("MillisecondsInTimeStamp") {
            None => None,
            Some(_) => Some(if g.bool("MillisecondsInTimeStamp", true)? {
                Precision::Millis
            } else {
                Precision::Seconds
            }),
        },
    };
    Ok(s)
}

/// The TLS keys: always checked, kept when SocketUseSSL=Y.
fn build_tls(
    g: &Getter<'_>,
    connection_type: ConnectionType,
    section: &str,
    base: &Path,
) -> Result<Option<TlsSettings>, SettingsError> {
    let path = |key: &str| g.path(key).map(|p| base.join(p));
    let tls = TlsSettings {
        server_certificate_file: path("ServerCertificateFile"),
        server_certificate_key_file: path("ServerCertificateKeyFile"),
        client_certificate_file: path("ClientCertificateFile"),
        client_certificate_key_file: path("ClientCertificateKeyFile"),
        certification_authorities_file: path("CertificationAuthoritiesFile"),
        certificate_verify_level: match g.str("CertificateVerifyLevel") {
            None | Some("0") => CertificateVerifyLevel::None,
            Some("1") => CertificateVerifyLevel::Require,
            Some("2") => CertificateVerifyLevel::Optional,
            Some(_) => {
                return Err(g.bad(
                    "CertificateVerifyLevel",
                    "expected 0 (no client certificate), 1 (required) or 2 (optional)",
                ))
            }
        },
        protocols: match g.str("SSLProtocol") {
            None => TlsVersions::default(),
            Some(v) => TlsVersions::parse(v).ok_or_else(|| {
                g.bad(
                    "SSLProtocol",
                    "expected TLS versions such as TLSv1.2 TLSv1.3 (+/- prefixes, all), \
                     leaving TLSv1.2 or TLSv1.3 enabled",
                )
            })?,
        },
        server_name: match g.str("SSLServerName") {
            None => None,
            Some(v) => {
                rustls::pki_types::ServerName::try_from(v)
                    .map_err(|_| g.bad("SSLServerName", "expected a DNS name or an IP address"))?;
                Some(v.to_string())
            }
        },
    };
    if !g.bool("SocketUseSSL", false)? {
        return Ok(None);
    }
    let missing = |key: &str| SettingsError::Missing {
        key: key.to_string(),
        section: section.to_string(),
    };
    match connection_type {
        ConnectionType::Acceptor => {
            if tls.server_certificate_file.is_none() {
                return Err(missing("ServerCertificateFile"));
            }
            if tls.certificate_verify_level != CertificateVerifyLevel::None
                && tls.certification_authorities_file.is_none()
            {
                return Err(missing("CertificationAuthoritiesFile"));
            }
        }
        ConnectionType::Initiator => {
            if tls.certification_authorities_file.is_none() {
                return Err(missing("CertificationAuthoritiesFile"));
            }
            if tls.client_certificate_key_file.is_some() && tls.client_certificate_file.is_none() {
                return Err(missing("ClientCertificateFile"));
            }
        }
    }
    Ok(Some(tls))
}

#[cfg(test)]
mod tests {
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
            Err(SettingsError::UnknownKey { key, section, line }) => {
                assert_eq!(
                    (key.as_str(), section.as_str(), line),
                    ("FooBar", "SESSION 1", 5)
                );
            }
            other => panic!("{other:?}"),
        }
        let bad = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSenderCompID=A\nHeartBtInt=x\n\
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
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/acceptance");
        // at-all.cfg is parsed but only at.cfg's dictionaries are loaded here (speed).
        if let Ok(all) = Settings::from_file(dir.join("at-all.cfg")) {
            assert_eq!(all.sessions.len(), 10);
        }
        for f in ["at.cfg"] {
            let p = dir.join(f);
            if !p.exists() {
                continue;
            }
            let s = Settings::from_file(&p).unwrap();
            for sess in &s.sessions {
                let d = sess.load_dictionary().unwrap().unwrap();
                assert_eq!(d.begin_string, sess.id.begin_string);
            }
        }
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

    const STORE: &str = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=1\nSenderCompID=S\nBeginString=FIX.4.4\n";

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
        // Keys with behaviour we do not implement stay errors rather than being ignored.
        let text = format!("{STORE}[SESSION]\nTargetCompID=A\nLogonTime=08:00:00\n");
        assert!(matches!(
            Settings::from_str_in(&text, Path::new(".")),
            Err(SettingsError::UnknownKey { .. })
        ));
    }
}
