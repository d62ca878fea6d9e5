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
//! Every key of QuickFIX/J, QuickFIX C++ and QuickFIX/Go loads, matched case-insensitively
//! (`socketconnecthost` is `SocketConnectHost`): it takes effect ([`KNOWN_KEYS`]; this
//! engine adds its own, [`ENGINE_KEYS`]), or, for
//! what this engine does its own way (screen logs, JVM keystores, other engines' stores,
//! socket buffer sizes), it is accepted with a warning saying why it has no effect
//! ([`COMPATIBILITY_KEYS`]). A key no QuickFIX knows is an error naming the key, the
//! section, the line and the nearest known key; so is a bad value.
//!
//! Where the engines spell a setting differently, each spelling works: `SocketNodelay` and
//! `SocketTcpNoDelay`, `SocketAcceptHost` and `SocketAcceptAddress`, `SocketLocalHost` and
//! `SocketConnectSourceHost`, `TimeStampPrecision` (`SECONDS`, `MILLIS`, `MICROS`, `NANOS`)
//! and `TimestampPrecision` (`0`, `3`, `6`, `9`), `SSLProtocol`, `EnabledProtocols` and
//! `SocketMinimumTLSVersion`, and so on; two spellings of one setting with different values
//! are an error.
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
//! | `StoreDurability` | `process-crash` (default: what is sent was handed to the OS first, as QuickFIX's FileStore) or `power-loss` (fsynced before it is sent; sessions saving at once share the fsync): the default of `SqliteStoreSync` and `FileStoreSync` |
//! | `SqliteStoreSync` | `normal` (process-crash safe) or `full` (power-loss safe); default from `StoreDurability` |
//! | `PostgreSQLStoreURL` | a connection string (`postgres://user@host:5432/db` or `host=... dbname=...`) |
//! | `PostgreSQLStoreHost`, `PostgreSQLStorePort`, `PostgreSQLStoreDatabase`, `PostgreSQLStoreUser`, `PostgreSQLStorePassword` | QuickFIX C++'s keys, used when there is no URL |
//! | `PostgreSQLStoreSchema` | the schema holding the tables (default `public`), created and migrated by the store |
//! | `PostgreSQLStoreLeaseTimeout` | seconds a session's lease lasts without renewal (default 10): a standby takes over that long after the active engine stops |
//!
//! ## Schedule
//!
//! | key | meaning |
//! |---|---|
//! | `StartTime`, `EndTime` | `HH:MM:SS`, optionally followed by a time zone (`08:00:00 US/Central`); default 00:00:00 (a daily 24-hour session) |
//! | `StartDay`, `EndDay` | a weekly session from StartDay StartTime to EndDay EndTime |
//! | `Weekdays` | `Mon,Tue,...`: a daily session runs only on these days (by the day a period starts); not with StartDay/EndDay |
//! | `NonStopSession` | `Y`: always in session, never reset by the schedule |
//! | `LogonTime`, `LogoutTime`, `LogonDay`, `LogoutDay` | within each session period, when the session may be logged on (defaults: StartTime, EndTime, StartDay, EndDay); outside it the session logs out but keeps its sequence numbers |
//! | `TimeZone` | the IANA zone the times are in (default UTC) |
//! | `UseLocalTime` | `Y`: the machine's time zone |
//!
//! ## Protocol
//!
//! `LogonTag=553=user`, `LogonTag1=554=secret`, ...: fields added to every Logon sent.
//! The recovery and validation keys (`EnableNextExpectedMsgSeqNum`,
//! `ResendRequestChunkSize`, `RejectInvalidMessage`, `ValidateChecksum`, ...) are read
//! into the [`SessionSettings`] field of the same name, whose documentation gives the
//! default. `AppDataDictionary.FIX.4.4=...` names the application dictionary of one
//! ApplVerID on a FIXT.1.1 session.
//!
//! ## Metrics and health
//!
//! `HttpAcceptPort=N` in `[DEFAULT]` makes the [`Acceptor`](crate::Acceptor) or
//! [`Initiator`](crate::Initiator) started from the file serve Prometheus `GET /metrics` and
//! JSON `GET /health` on port N of every interface (0 picks a free port, reported by the
//! handle's `http_addr`); see [`crate::metrics`]. It needs the crate's `metrics` feature (on
//! by default). An acceptor and an initiator started from one file would both bind it: give
//! them separate files or ports.
//!
//! ## Dynamic sessions
//!
//! A `[SESSION]` with `AcceptorTemplate=Y` (QuickFIX/J) or `DynamicSessions=Y`
//! (QuickFIX/Go) is an [`AcceptorTemplate`], not a session: its BeginString and CompIDs may
//! be `*` (any), and a session is made from it when a matching Logon arrives.
//! `DynamicSessions=Y` in `[DEFAULT]` is a template that accepts any session.
//!
//! ## Socket
//!
//! | key | meaning |
//! |---|---|
//! | `SocketNodelay`, `SocketTcpNoDelay` | `Y` (default) or `N`: TCP_NODELAY on the session's connections |
//! | `SocketKeepAlive` | `Y` or `N` (default): TCP keep-alive |
//! | `SocketAcceptHost`, `SocketAcceptAddress` | acceptor: the address to listen on |
//! | `AllowedRemoteAddresses` | acceptor: addresses or host names (resolved as a connection comes in) allowed to connect, separated by commas; a connection from another peer is closed before a byte is read (when no session of the port admits it) or once its Logon names a session that does not |
//! | `SocketConnectTimeout` | initiator: seconds a connection attempt may take; one that takes longer is a failed attempt (the next address after ReconnectInterval) |
//! | `SocketLocalHost`/`SocketLocalPort`, `SocketConnectSourceHost`/`SocketConnectSourcePort` | initiator: the local address and port to connect from |
//! | `HostSelectionPolicy` | initiator: `ROUND_ROBIN` (default: each attempt goes to the address after the last one tried, also after a session that ran) or `PRIORITY` (after a session that logged on, back to the first address; the others only after it failed) |
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
//! | `CertificationAuthoritiesDirectory` | both | a folder of PEM files with more trusted CA certificates |
//! | `CertificateRevocationListFile`, `CertificateRevocationListDirectory` | both | PEM certificate revocation lists (a file, a folder of files): a revoked peer certificate is refused |
//! | `SSLCipherSuite`, `CipherSuites` | both | the cipher suites allowed, OpenSSL (`ECDHE-RSA-AES128-GCM-SHA256:...`) or IANA (`TLS_AES_128_GCM_SHA256,...`) names; suites rustls does not implement are left out with a warning; a TLS version none of the named suites is for keeps all its suites |
//!
//! QuickFIX/J's and QuickFIX/Go's names work too: `NeedClientAuth=Y` is
//! `CertificateVerifyLevel=1`, `EnabledProtocols` is `SSLProtocol`, `SNIHostName` and
//! `SocketServerName` are `SSLServerName`, `SocketCAFile` is `CertificationAuthoritiesFile`,
//! `SocketCertificateFile`/`SocketPrivateKeyFile` are the session's own certificate and key
//! (server or client by ConnectionType), and `SocketMinimumTLSVersion=TLS13` allows TLS 1.3
//! only.
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

mod build;
mod dictionary;
mod dynamic;
mod error;
mod ini;
mod keys;
mod protocol;
mod schedule;
mod session;
mod session_id;
mod socket;
mod store;
mod tls;
mod toml_form;
mod validation;
mod values;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use dynamic::{AcceptorTemplate, IdPattern};
pub use error::SettingsError;
pub use keys::{COMPATIBILITY_KEYS, ENGINE_KEYS, KNOWN_KEYS};
pub use schedule::{Schedule, Window};
pub use session::{ConnectionType, SessionSettings};
pub use session_id::SessionId;
pub use socket::{HostSelectionPolicy, RemoteAddress};
pub use store::{StoreType, SyncPolicy};
#[cfg(feature = "tls")]
pub(crate) use tls::suite_name;
pub use tls::{CertificateVerifyLevel, TlsSettings, TlsVersions};

use toml_form::TomlFile;

/// All sessions of one settings file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// One entry per `[SESSION]`, in file order (templates aside).
    pub sessions: Vec<SessionSettings>,
    /// The acceptor templates (dynamic sessions), in file order.
    pub templates: Vec<AcceptorTemplate>,
    /// `HttpAcceptPort` of `[DEFAULT]`: the port an acceptor or initiator serves `/metrics`
    /// and `/health` on (0 picks a free port); see [`crate::metrics`].
    pub http_accept_port: Option<u16>,
}

impl Settings {
    /// Reads a QuickFIX-style settings file (TOML when its name ends in `.toml`); relative
    /// paths in it resolve against its folder.
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
        build::build_all(ini::parse(text)?, base)
    }

    /// Parses settings from TOML: an optional `[default]` table and `[[session]]` tables
    /// with QuickFIX key names.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<Settings, SettingsError> {
        let file: TomlFile = toml::from_str(text).map_err(SettingsError::Toml)?;
        build::build_all(file.into_sections()?, base)
    }

    /// The session with `id`.
    pub fn session(&self, id: &SessionId) -> Option<&SessionSettings> {
        self.sessions.iter().find(|s| &s.id == id)
    }

    /// The first template a session `id` may be made from, if any.
    pub fn template_for(&self, id: &SessionId) -> Option<&AcceptorTemplate> {
        self.templates.iter().find(|t| t.matches(id))
    }
}

impl std::str::FromStr for Settings {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<Settings, SettingsError> {
        Settings::from_str_in(s, Path::new("."))
    }
}

impl<'de> Deserialize<'de> for Settings {
    /// Deserialises the TOML form (`default` table, `session` array); relative paths resolve
    /// against the current folder.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Settings, D::Error> {
        let sections = TomlFile::deserialize(d)?
            .into_sections()
            .map_err(serde::de::Error::custom)?;
        build::build_all(sections, Path::new(".")).map_err(serde::de::Error::custom)
    }
}
