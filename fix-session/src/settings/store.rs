//! Store and log settings: StoreType, the file, SQLite and PostgreSQL stores,
//! PersistMessages, FileLogPath.

use std::path::Path;

use super::values::Getter;
use super::{SessionSettings, SettingsError};

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

/// Reads the store and log keys into `s`; relative paths resolve against `base`.
pub(crate) fn build(
    g: &Getter<'_>,
    s: &mut SessionSettings,
    base: &Path,
) -> Result<(), SettingsError> {
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
    s.file_store_sync = file_store_sync(g, power_loss)?;
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
    postgres(g, s)
}

/// FileStoreSync: `always`/`Y` (QuickFIX/J and QuickFIX/Go), `never`/`N`, or every N writes;
/// by default from StoreDurability (`always` when power-loss safe).
fn file_store_sync(g: &Getter<'_>, power_loss: bool) -> Result<SyncPolicy, SettingsError> {
    let Some(v) = g.str("FileStoreSync") else {
        return Ok(if power_loss {
            SyncPolicy::Always
        } else {
            SyncPolicy::Never
        });
    };
    match v.to_ascii_lowercase().as_str() {
        "always" | "y" => Ok(SyncPolicy::Always),
        "never" | "n" => Ok(SyncPolicy::Never),
        n => match n.parse::<u32>() {
            Ok(n) if n > 0 => Ok(SyncPolicy::EveryN(n)),
            _ => Err(g.bad(
                "FileStoreSync",
                "expected always (Y), never (N) or a positive number",
            )),
        },
    }
}

fn postgres(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    g.port("PostgreSQLStorePort")?;
    s.postgres_store_url = match (g.str("PostgreSQLStoreURL"), postgres_keys_to_url(g)) {
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
