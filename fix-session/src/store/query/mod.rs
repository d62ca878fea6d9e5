//! Reading a store without writing to it: what operators' tools (`fix store`) use to list
//! sessions and look at the messages they sent, while the engine runs or after.
//!
//! [`open_read_only`] opens the store a session's settings name (`StoreType`) so that
//! nothing can be written: SQLite read-only, the file store's files opened for reading,
//! a PostgreSQL connection with read-only transactions and no lease taken.

mod file;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;

use std::time::SystemTime;

use super::{StoreError, StoreFuture};
use crate::settings::{SessionSettings, StoreType};

/// What a store holds for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// MsgSeqNum of the next message the session sends.
    pub next_sender_seq: u64,
    /// MsgSeqNum the session expects next.
    pub next_target_seq: u64,
    /// When the session's store was created or last reset.
    pub creation_time: SystemTime,
    /// How many sent messages are kept (to answer ResendRequests).
    pub message_count: u64,
}

/// Read-only access to one session's store.
pub trait StoreReader: Send {
    /// The session's sequence numbers, creation time and message count; `None` when the
    /// store holds nothing for the session (it never ran with this store).
    fn session(&mut self) -> StoreFuture<'_, Option<StoredSession>>;
    /// The saved messages with sequence numbers in `begin..=end`, in order.
    fn messages(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>>;
}

/// Opens the store `settings` names for reading only. A store that does not exist yet is
/// not created: its session reads as `None`.
pub fn open_read_only(settings: &SessionSettings) -> StoreFuture<'static, Box<dyn StoreReader>> {
    let settings = settings.clone();
    Box::pin(async move {
        match settings.store_type {
            StoreType::Sqlite => {
                let path = settings.sqlite_store_path().ok_or_else(|| {
                    StoreError::Config(format!(
                        "session {}: set SqliteStorePath or FileStorePath for the SQLite store",
                        settings.id
                    ))
                })?;
                Ok(Box::new(sqlite::Reader::new(path, &settings.id)) as Box<dyn StoreReader>)
            }
            StoreType::File => {
                let dir = settings.file_store_path.clone().ok_or_else(|| {
                    StoreError::Config(format!(
                        "session {}: StoreType=file needs FileStorePath",
                        settings.id
                    ))
                })?;
                Ok(Box::new(file::Reader::new(&dir, &settings.id)) as Box<dyn StoreReader>)
            }
            #[cfg(feature = "postgres")]
            StoreType::Postgres => {
                Ok(Box::new(postgres::Reader::connect(&settings).await?) as Box<dyn StoreReader>)
            }
            #[cfg(not(feature = "postgres"))]
            StoreType::Postgres => Err(StoreError::Config(format!(
                "session {}: StoreType=postgresql needs fix-session's `postgres` feature",
                settings.id
            ))),
            StoreType::Memory => Err(StoreError::Config(format!(
                "session {}: StoreType=memory keeps nothing once the engine stops",
                settings.id
            ))),
        }
    })
}

/// Runs blocking store reads off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Io {
            path: String::new(),
            source: std::io::Error::other(e),
        })?
}
