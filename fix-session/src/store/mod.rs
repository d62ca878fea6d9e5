//! Message stores: where a session keeps its sequence numbers and the messages it sent (to
//! answer ResendRequests).
//!
//! The trait is async and object-safe (methods return boxed futures) so that SQL stores can do
//! real I/O. Sequence numbers are read from a cache the store keeps in memory (loaded at open
//! and on [`MessageStore::refresh`]); every change goes to durable storage before the returned
//! future completes. [`MessageStore::save_and_increment`] saves an outgoing message and advances
//! the next sender sequence number in one call, so a database store can do both in one
//! transaction (persist-then-send).

mod file;
mod memory;

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use thiserror::Error;

pub use file::FileStore;
pub use memory::MemoryStore;

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
