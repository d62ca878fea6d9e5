//! [`SessionSettings`]: everything one `[SESSION]` says, typed, with QuickFIX's defaults.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use fix_core::value::Precision;

use super::schedule::Schedule;
use super::socket::{HostSelectionPolicy, RemoteAddress};
use super::store::{StoreType, SyncPolicy};
use super::tls::TlsSettings;
use super::SessionId;

/// Whether a session accepts connections or makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionType {
    /// Listens on SocketAcceptPort.
    Acceptor,
    /// Connects to SocketConnectHost:SocketConnectPort (and the failovers).
    Initiator,
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
    /// SocketAcceptHost (QuickFIX/Go) or SocketAcceptAddress (QuickFIX/J), acceptor: the
    /// address to bind, all interfaces when absent.
    pub socket_accept_host: Option<String>,
    /// SocketAcceptPort (acceptor).
    pub socket_accept_port: Option<u16>,
    /// SocketConnectHost/SocketConnectPort then SocketConnectHost1/Port1, ... (initiator).
    pub socket_connect: Vec<(String, u16)>,
    /// SocketNodelay (QuickFIX C++) or SocketTcpNoDelay (QuickFIX/J), default Y: TCP_NODELAY
    /// on the session's connections.
    pub socket_nodelay: bool,
    /// SocketBusyPoll=Y with SocketBusyPollTime (microseconds, default 100): after each
    /// pass a session's connection keeps polling its socket and send queue without
    /// parking its thread for this long (see [the socket section](crate::settings#socket)); `None`
    /// (default, SocketBusyPoll=N): it parks at once. Plain TCP only.
    pub socket_busy_poll: Option<Duration>,
    /// SocketConnectTimeout (initiator, seconds): how long connecting to one address may
    /// take before the next is tried; `None` (default): the operating system's timeout.
    pub socket_connect_timeout: Option<Duration>,
    /// SocketLocalHost (QuickFIX/J) or SocketConnectSourceHost (QuickFIX C++), initiator:
    /// the local address outgoing connections are bound to; `None`: chosen by the system.
    pub socket_local_host: Option<String>,
    /// SocketLocalPort (QuickFIX/J) or SocketConnectSourcePort (QuickFIX C++), initiator:
    /// the local port outgoing connections are bound to; `None`: chosen by the system.
    pub socket_local_port: Option<u16>,
    /// HostSelectionPolicy (initiator): which of the `socket_connect` addresses a reconnect
    /// tries first.
    pub host_selection_policy: HostSelectionPolicy,
    /// AllowedRemoteAddresses (acceptor): the only peers that may connect to this session
    /// (addresses or host names); empty (default): any.
    pub allowed_remote_addresses: Vec<RemoteAddress>,
    /// SocketKeepAlive (default N): TCP keep-alive probes on the session's connections.
    pub socket_keep_alive: bool,
    /// TLS settings when SocketUseSSL=Y; `None`: plain TCP.
    pub tls: Option<TlsSettings>,
    /// ReconnectInterval (default 30 s).
    pub reconnect_interval: Duration,
    /// HeartBtInt (initiator; an acceptor uses the one from the Logon).
    pub heartbeat_interval: Duration,
    /// StartTime/EndTime/StartDay/EndDay/Weekdays/NonStopSession/LogonTime/LogoutTime/
    /// LogonDay/LogoutDay/TimeZone/UseLocalTime.
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
    /// AppDataDictionary (FIXT.1.1): the application dictionary of the session's
    /// DefaultApplVerID.
    pub app_data_dictionary: Option<PathBuf>,
    /// `AppDataDictionary.<BeginString>` (QuickFIX/J, FIXT.1.1): the application dictionary
    /// of messages of another ApplVerID, by its BeginString form (`FIX.4.4`,
    /// `FIX.5.0SP2`).
    pub app_data_dictionaries: BTreeMap<String, PathBuf>,
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
    /// Every key of the session (with `[DEFAULT]` applied) and its value as written, keys
    /// spelt as this crate spells them (`SocketConnectHost1`, `LogonTag2`).
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
            socket_connect_timeout: None,
            socket_local_host: None,
            socket_local_port: None,
            host_selection_policy: HostSelectionPolicy::default(),
            allowed_remote_addresses: Vec::new(),
            socket_keep_alive: false,
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
            app_data_dictionaries: BTreeMap::new(),
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
            allow_unknown_enum_values: self.allow_unknown_enum_values,
            check_group_field_order: self.validate_unordered_group_fields,
            first_field_in_group_is_delimiter: self.first_field_in_group_is_delimiter,
            ..fix_core::ValidationOptions::default()
        }
    }
}
