//! Message stores: where a session keeps its sequence numbers and the messages it sent (to
//! answer ResendRequests).
//!
//! The trait is async and object-safe (methods return boxed futures) so that SQL stores can do
//! real I/O. Sequence numbers are read from a cache the store keeps in memory (loaded at open
//! and on [`MessageStore::refresh`]); every change goes to durable storage before the returned
//! future completes. [`MessageStore::save_and_increment`] saves an outgoing message and advances
//! the next sender sequence number in one call, so a database store can do both in one
//! transaction (persist-then-send).

pub mod conformance;
mod file;
mod memory;
mod sqlite;

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use thiserror::Error;

pub use file::FileStore;
pub use memory::MemoryStore;
pub use sqlite::{SqliteDatabase, SqliteStore, SqliteSync};

/// A boxed future returned by store methods.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Why a store operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// File or network I/O failed.
    #[error("store I/O error on {path}: {source}")]
    Io {
        /// What was being accessed.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// Stored data could not be read back.
    #[error("corrupt store {path}: {message}")]
    Corrupt {
        /// What was being read.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An SQLite call failed.
    #[error("sqlite store {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// The error.
        source: rusqlite::Error,
    },
    /// The store is not usable as configured (missing path or connection string...).
    #[error("store configuration: {0}")]
    Config(String),
}

/// Persistent state of one session: sequence numbers, sent messages, creation time.
pub trait MessageStore: Send {
    /// MsgSeqNum of the next message we send.
    fn next_sender_seq(&self) -> u64;
    /// MsgSeqNum we expect on the next message received.
    fn next_target_seq(&self) -> u64;
    /// When the store (the current session period) was created or last reset.
    fn creation_time(&self) -> SystemTime;
    /// Sets the next sender sequence number.
    fn set_next_sender_seq(&mut self, seq: u64) -> StoreFuture<'_, ()>;
    /// Sets the next target sequence number.
    fn set_next_target_seq(&mut self, seq: u64) -> StoreFuture<'_, ()>;
    /// Adds one to the next target sequence number.
    fn incr_next_target_seq(&mut self) -> StoreFuture<'_, ()> {
        let next = self.next_target_seq() + 1;
        self.set_next_target_seq(next)
    }
    /// Saves an outgoing message under `seq` and sets the next sender sequence number to
    /// `seq + 1`, durably, before completing.
    fn save_and_increment(&mut self, seq: u64, message: &[u8]) -> StoreFuture<'_, ()>;
    /// Saves a batch of outgoing messages (in increasing sequence order, taken out of
    /// `messages`, which is left empty) and sets the next sender sequence number to the last
    /// one's plus one, durably, before completing: what drivers call before writing the
    /// batch to the socket. The default calls [`MessageStore::save_and_increment`] for each
    /// message; stores override it to save the batch in one operation (one transaction, one
    /// write, one sync).
    fn save_batch<'a>(&'a mut self, messages: &'a mut Vec<(u64, Vec<u8>)>) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            for (seq, message) in messages.drain(..) {
                self.save_and_increment(seq, &message).await?;
            }
            Ok(())
        })
    }
    /// The saved messages with sequence numbers in `begin..=end`, in order (missing ones are
    /// left out).
    fn get(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>>;
    /// Drops every message, sets both sequence numbers to 1 and the creation time to `now`.
    fn reset(&mut self, now: SystemTime) -> StoreFuture<'_, ()>;
    /// Reloads the cached state from durable storage (after another process changed it).
    fn refresh(&mut self) -> StoreFuture<'_, ()>;
}

/// Makes the store for a session: what drivers take, one store per session.
pub trait StoreFactory: Send + Sync {
    /// Opens (or creates) the store for `id`.
    fn create(
        &self,
        settings: &crate::settings::SessionSettings,
    ) -> StoreFuture<'static, Box<dyn MessageStore>>;
}

/// Makes a [`MemoryStore`] per session.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryStoreFactory;

impl StoreFactory for MemoryStoreFactory {
    fn create(
        &self,
        _settings: &crate::settings::SessionSettings,
    ) -> StoreFuture<'static, Box<dyn MessageStore>> {
        Box::pin(async {
            Ok(Box::new(MemoryStore::new(SystemTime::now())) as Box<dyn MessageStore>)
        })
    }
}

/// Makes a [`FileStore`] per session in the session's FileStorePath (or a memory store when
/// FileStorePath is not set).
#[derive(Debug, Clone, Copy, Default)]
pub struct FileStoreFactory;

impl StoreFactory for FileStoreFactory {
    fn create(
        &self,
        settings: &crate::settings::SessionSettings,
    ) -> StoreFuture<'static, Box<dyn MessageStore>> {
        let dir = settings.file_store_path.clone();
        let id = settings.id.clone();
        let sync = settings.file_store_sync;
        Box::pin(async move {
            match dir {
                Some(dir) => {
                    let store =
                        tokio::task::spawn_blocking(move || FileStore::open(&dir, &id, sync))
                            .await
                            .map_err(|e| StoreError::Io {
                                path: String::new(),
                                source: std::io::Error::other(e),
                            })??;
                    Ok(Box::new(store) as Box<dyn MessageStore>)
                }
                None => Ok(Box::new(MemoryStore::new(SystemTime::now())) as Box<dyn MessageStore>),
            }
        })
    }
}

/// Makes an [`SqliteStore`] per session, all in one database file per path.
///
/// The file is the session's `SqliteStorePath`, or `store.sqlite3` in its FileStorePath; a
/// session with neither is a configuration error. Databases are opened once and shared by the
/// sessions that name the same file.
#[derive(Debug, Default)]
pub struct SqliteStoreFactory {
    open: std::sync::Mutex<Vec<std::sync::Arc<SqliteDatabase>>>,
}

impl SqliteStoreFactory {
    /// A factory with no database opened yet.
    pub fn new() -> SqliteStoreFactory {
        SqliteStoreFactory::default()
    }

    fn database(
        &self,
        path: &std::path::Path,
        sync: SqliteSync,
    ) -> Result<std::sync::Arc<SqliteDatabase>, StoreError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(db) = open.iter().find(|db| db.path() == path) {
            return Ok(db.clone());
        }
        let db = SqliteDatabase::open(path, sync)?;
        open.push(db.clone());
        Ok(db)
    }
}

impl StoreFactory for SqliteStoreFactory {
    fn create(
        &self,
        settings: &crate::settings::SessionSettings,
    ) -> StoreFuture<'static, Box<dyn MessageStore>> {
        let id = settings.id.clone();
        let path = settings.sqlite_store_path();
        let sync = settings.sqlite_store_sync;
        let db = path
            .ok_or_else(|| {
                StoreError::Config(format!(
                    "session {id}: set SqliteStorePath or FileStorePath for the SQLite store"
                ))
            })
            .and_then(|p| self.database(&p, sync));
        Box::pin(async move {
            let db = db?;
            let store = tokio::task::spawn_blocking(move || db.store(&id))
                .await
                .map_err(|e| StoreError::Io {
                    path: String::new(),
                    source: std::io::Error::other(e),
                })??;
            Ok(Box::new(store) as Box<dyn MessageStore>)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{ConnectionType, SessionId, SessionSettings};

    fn template() -> SessionSettings {
        SessionSettings::new(
            SessionId::new("FIX.4.4", "US", "THEM"),
            ConnectionType::Acceptor,
        )
    }

    #[tokio::test]
    async fn memory_store_conforms() {
        conformance::check(&MemoryStoreFactory, &template(), false).await;
    }

    #[tokio::test]
    async fn file_store_conforms() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = template();
        t.file_store_path = Some(dir.path().to_path_buf());
        conformance::check(&FileStoreFactory, &t, true).await;
    }

    #[tokio::test]
    async fn sqlite_store_conforms() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = template();
        t.sqlite_store_path = Some(dir.path().join("engine.sqlite3"));
        conformance::check(&SqliteStoreFactory::new(), &t, true).await;
        // A second factory (another engine process) on the same file sees the same data.
        let mut t2 = t.clone();
        t2.id.target_comp_id = "THEM-survives_reopen-a".into();
        let s = SqliteStoreFactory::new().create(&t2).await.unwrap();
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (4, 12));
    }

    #[tokio::test]
    async fn sqlite_store_without_a_path_is_a_configuration_error() {
        match SqliteStoreFactory::new().create(&template()).await {
            Err(StoreError::Config(m)) => assert!(m.contains("SqliteStorePath"), "{m}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("opened a store without a path"),
        }
    }
}
