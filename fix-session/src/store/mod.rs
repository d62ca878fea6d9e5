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
#[cfg(feature = "postgres")]
mod postgres;
pub mod query;
mod sqlite;

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use thiserror::Error;

pub use file::FileStore;
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, PostgresStoreFactory};
pub use query::{open_read_only, StoreReader, StoredSession};
pub use sqlite::{CommitStats, SqliteDatabase, SqliteStore, SqliteSync};

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
    /// A PostgreSQL call failed (after retries, for a broken connection).
    #[cfg(feature = "postgres")]
    #[error("postgres store: {0}")]
    Postgres(#[source] tokio_postgres::Error),
    /// Another engine holds this session's lease now: this store may not write any more.
    #[error(
        "session {session}: lease epoch {epoch} was taken over by another engine; not writing"
    )]
    Fenced {
        /// The session.
        session: String,
        /// The epoch this store held.
        epoch: i64,
    },
    /// The lease has not been renewed for its whole timeout: another engine may have taken
    /// the session over, so nothing may be written now.
    #[error("session {session}: lease not renewed for {secs:.1} s, it may have been taken over by another engine; not writing")]
    LeaseExpired {
        /// The session.
        session: String,
        /// Seconds since the lease was last known to be held.
        secs: f64,
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
    /// [`MessageStore::save_batch`] and [`MessageStore::set_next_target_seq`] in one durable
    /// step: what drivers call when a batch answers messages just received, so that a crash
    /// cannot keep the answers and lose that the messages were consumed, or the reverse.
    /// The default does the two in turn; database stores use one transaction.
    fn save_batch_and_target<'a>(
        &'a mut self,
        messages: &'a mut Vec<(u64, Vec<u8>)>,
        next_target: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.save_batch(messages).await?;
            self.set_next_target_seq(next_target).await
        })
    }
    /// The saved messages with sequence numbers in `begin..=end`, in order (missing ones are
    /// left out).
    fn get(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>>;
    /// Drops every message, sets both sequence numbers to 1 and the creation time to `now`.
    fn reset(&mut self, now: SystemTime) -> StoreFuture<'_, ()>;
    /// Reloads the cached state from durable storage (after another process changed it).
    fn refresh(&mut self) -> StoreFuture<'_, ()>;
    /// Whether what was persisted may be written to the socket now. Stores shared with a
    /// standby engine fail once their lease may have lapsed (renewed longer ago than the
    /// lease timeout, as when this process was paused): a standby may be running the session
    /// by now. Drivers check it between persisting a batch and writing it.
    fn writable(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Whether other engine processes may run this session on the same storage (a shared
    /// database with leases): drivers then [`MessageStore::refresh`] it before every
    /// connection, as RefreshOnLogon=Y asks for any store.
    fn shared(&self) -> bool {
        false
    }
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
    open: std::sync::Arc<std::sync::Mutex<Vec<std::sync::Arc<SqliteDatabase>>>>,
}

impl SqliteStoreFactory {
    /// A factory with no database opened yet.
    pub fn new() -> SqliteStoreFactory {
        SqliteStoreFactory::default()
    }
}

/// The database at `path` from `open`, opening it if it is not there yet (blocking).
fn sqlite_database(
    open: &std::sync::Mutex<Vec<std::sync::Arc<SqliteDatabase>>>,
    path: &std::path::Path,
    sync: SqliteSync,
) -> Result<std::sync::Arc<SqliteDatabase>, StoreError> {
    let mut open = open.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(db) = open.iter().find(|db| db.path() == path) {
        return Ok(db.clone());
    }
    let db = SqliteDatabase::open(path, sync)?;
    open.push(db.clone());
    Ok(db)
}

impl StoreFactory for SqliteStoreFactory {
    fn create(
        &self,
        settings: &crate::settings::SessionSettings,
    ) -> StoreFuture<'static, Box<dyn MessageStore>> {
        let id = settings.id.clone();
        let path = settings.sqlite_store_path();
        let sync = settings.sqlite_store_sync;
        let open = self.open.clone();
        Box::pin(async move {
            let path = path.ok_or_else(|| {
                StoreError::Config(format!(
                    "session {id}: set SqliteStorePath or FileStorePath for the SQLite store"
                ))
            })?;
            // Opening, migrating and reading the session's row block: off the async threads.
            let store = tokio::task::spawn_blocking(move || {
                sqlite_database(&open, &path, sync)?.store(&id)
            })
            .await
            .map_err(|e| StoreError::Io {
                path: String::new(),
                source: std::io::Error::other(e),
            })??;
            Ok(Box::new(store) as Box<dyn MessageStore>)
        })
    }
}

/// Opens the store each session's settings ask for (`StoreType`: SQLite by default,
/// PostgreSQL, file or memory): what an engine configured from a settings file uses.
///
/// SQLite files and PostgreSQL connections are shared by the sessions that name the same
/// file or database; the factory is one PostgreSQL lease owner (one per engine process).
#[derive(Debug, Default)]
pub struct SettingsStoreFactory {
    sqlite: SqliteStoreFactory,
    #[cfg(feature = "postgres")]
    postgres: PostgresStoreFactory,
}

impl SettingsStoreFactory {
    /// A factory with nothing opened yet.
    pub fn new() -> SettingsStoreFactory {
        SettingsStoreFactory::default()
    }

    /// The same, owning PostgreSQL leases under `owner` (see `PostgresStoreFactory::with_owner`;
    /// without the `postgres` feature the owner is unused).
    pub fn with_postgres_owner(owner: &str) -> SettingsStoreFactory {
        #[cfg(not(feature = "postgres"))]
        let _ = owner;
        SettingsStoreFactory {
            sqlite: SqliteStoreFactory::new(),
            #[cfg(feature = "postgres")]
            postgres: PostgresStoreFactory::with_owner(owner),
        }
    }
}

impl StoreFactory for SettingsStoreFactory {
    fn create(
        &self,
        settings: &crate::settings::SessionSettings,
    ) -> StoreFuture<'static, Box<dyn MessageStore>> {
        use crate::settings::StoreType;
        match settings.store_type {
            StoreType::Sqlite => self.sqlite.create(settings),
            #[cfg(feature = "postgres")]
            StoreType::Postgres => self.postgres.create(settings),
            #[cfg(not(feature = "postgres"))]
            StoreType::Postgres => {
                let id = settings.id.clone();
                Box::pin(async move {
                    Err(StoreError::Config(format!(
                        "session {id}: StoreType=postgresql needs fix-session's `postgres` feature"
                    )))
                })
            }
            StoreType::Memory => MemoryStoreFactory.create(settings),
            StoreType::File if settings.file_store_path.is_none() => {
                let id = settings.id.clone();
                Box::pin(async move {
                    Err(StoreError::Config(format!(
                        "session {id}: StoreType=file needs FileStorePath"
                    )))
                })
            }
            StoreType::File => FileStoreFactory.create(settings),
        }
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

    #[test]
    fn store_durability_names_the_sync_of_both_embedded_stores() {
        use crate::settings::{Settings, SyncPolicy};
        let parse = |keys: &str| {
            let text = format!(
                "[DEFAULT]\nConnectionType=acceptor\nBeginString=FIX.4.4\nSenderCompID=US\n\
                 SocketAcceptPort=1\n{keys}[SESSION]\nTargetCompID=A\n"
            );
            Settings::from_str_in(&text, std::path::Path::new("/")).map(|s| {
                (
                    s.sessions[0].sqlite_store_sync,
                    s.sessions[0].file_store_sync,
                )
            })
        };
        let crash = (SqliteSync::Normal, SyncPolicy::Never);
        let power = (SqliteSync::Full, SyncPolicy::Always);
        assert_eq!(parse("").unwrap(), crash);
        assert_eq!(parse("StoreDurability=process-crash\n").unwrap(), crash);
        assert_eq!(parse("StoreDurability=power-loss\n").unwrap(), power);
        // The store's own key wins over the default StoreDurability gives it.
        assert_eq!(
            parse("StoreDurability=power-loss\nSqliteStoreSync=normal\n").unwrap(),
            (SqliteSync::Normal, SyncPolicy::Always)
        );
        let e = parse("StoreDurability=disk\n").unwrap_err().to_string();
        assert!(e.contains("StoreDurability"), "{e}");
    }

    #[tokio::test]
    async fn sqlite_store_without_a_path_is_a_configuration_error() {
        match SqliteStoreFactory::new().create(&template()).await {
            Err(StoreError::Config(m)) => assert!(m.contains("SqliteStorePath"), "{m}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("opened a store without a path"),
        }
    }

    #[cfg(not(feature = "postgres"))]
    #[tokio::test]
    async fn postgresql_without_the_feature_is_a_configuration_error() {
        let mut t = template();
        t.store_type = crate::settings::StoreType::Postgres;
        match SettingsStoreFactory::new().create(&t).await {
            Err(StoreError::Config(m)) => assert!(m.contains("`postgres` feature"), "{m}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("opened a PostgreSQL store without the feature"),
        }
    }

    /// The PostgreSQL test database: `FIX_TEST_POSTGRES_URL`, else a throwaway local server,
    /// else `None` after a visible skip line (see `fix-test-postgres`).
    #[cfg(feature = "postgres")]
    pub(crate) fn postgres_url() -> Option<String> {
        fix_test_postgres::url()
    }

    /// A schema name no other test or earlier run uses.
    #[cfg(feature = "postgres")]
    pub(crate) fn unique_schema(tag: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("fix_test_{tag}_{}_{nanos:x}", std::process::id())
    }

    #[cfg(feature = "postgres")]
    fn postgres_template(url: &str, schema: &str) -> SessionSettings {
        let mut t = template();
        t.store_type = crate::settings::StoreType::Postgres;
        t.postgres_store_url = Some(url.to_string());
        t.postgres_store_schema = schema.to_string();
        t.postgres_store_lease_timeout = std::time::Duration::from_secs(2);
        t
    }

    #[cfg(feature = "postgres")]
    async fn drop_schema(url: &str, schema: &str) {
        let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await
            .unwrap();
    }

    #[cfg(feature = "postgres")]
    #[tokio::test]
    async fn postgres_store_conforms() {
        let Some(url) = postgres_url() else { return };
        let schema = unique_schema("conf");
        let t = postgres_template(&url, &schema);
        conformance::check(&SettingsStoreFactory::new(), &t, true).await;
        drop_schema(&url, &schema).await;
    }

    #[cfg(feature = "postgres")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_engines_starting_together_migrate_once() {
        let Some(url) = postgres_url() else { return };
        let schema = unique_schema("race");
        let opens = (0..6).map(|i| {
            let mut t = postgres_template(&url, &schema);
            t.id.target_comp_id = format!("PEER{i}");
            tokio::spawn(async move {
                let f = PostgresStoreFactory::with_owner(&format!("engine-{i}"));
                f.open(&t).await.map(|s| s.next_sender_seq())
            })
        });
        for open in opens.collect::<Vec<_>>() {
            assert_eq!(open.await.unwrap().unwrap(), 1);
        }
        let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let v: i32 = c
            .query_one(
                &format!("SELECT version FROM \"{schema}\".fix_schema_version"),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(v, 1);
        drop_schema(&url, &schema).await;
    }

    #[cfg(feature = "postgres")]
    #[tokio::test]
    async fn postgres_lease_fences_a_former_owner() {
        let Some(url) = postgres_url() else { return };
        let schema = unique_schema("fence");
        let t = postgres_template(&url, &schema);
        let (active, standby) = (
            PostgresStoreFactory::with_owner("engine-a"),
            PostgresStoreFactory::with_owner("engine-b"),
        );
        let mut stale = active.open(&t).await.unwrap();
        stale.save_and_increment(1, b"from a").await.unwrap();
        assert!(stale.writable().is_ok());
        // The standby waits while the active renews its lease...
        let waiting = tokio::time::timeout(std::time::Duration::from_secs(3), standby.create(&t));
        assert!(
            waiting.await.is_err(),
            "standby took a lease that was being renewed"
        );
        // ...and takes over once the active stops renewing (paused, like SIGSTOP).
        stale.stop_renewing();
        let started = std::time::Instant::now();
        let mut b = standby.create(&t).await.unwrap();
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_secs(6),
            "takeover took {took:?}"
        );
        assert_eq!(b.next_sender_seq(), 2);
        // Not renewed for a whole lease timeout: whatever it persisted before, it may not
        // write it to a socket now.
        assert!(matches!(
            stale.writable(),
            Err(StoreError::LeaseExpired { .. })
        ));
        assert!(b.writable().is_ok());
        b.save_and_increment(2, b"from b").await.unwrap();
        // The former owner wakes up: every write is refused, nothing it writes lands.
        match stale.save_and_increment(2, b"stale a").await {
            Err(StoreError::Fenced { .. }) => {}
            other => panic!("stale write not fenced: {other:?}"),
        }
        match stale.set_next_target_seq(99).await {
            Err(StoreError::Fenced { .. }) => {}
            other => panic!("stale write not fenced: {other:?}"),
        }
        assert!(matches!(
            stale.reset(SystemTime::now()).await,
            Err(StoreError::Fenced { .. })
        ));
        // While b holds the lease, the former owner cannot take it back.
        assert!(matches!(
            stale.refresh().await,
            Err(StoreError::Fenced { .. })
        ));
        assert_eq!(
            b.get(1, 5).await.unwrap(),
            vec![(1, b"from a".to_vec()), (2, b"from b".to_vec())]
        );
        b.refresh().await.unwrap();
        assert_eq!((b.next_sender_seq(), b.next_target_seq()), (3, 1));
        drop((b, stale));
        drop_schema(&url, &schema).await;
    }

    #[cfg(feature = "postgres")]
    #[tokio::test]
    async fn postgres_store_survives_a_broken_connection() {
        let Some(url) = postgres_url() else { return };
        let schema = unique_schema("reconnect");
        let t = postgres_template(&url, &schema);
        let owner = format!("reconnect-{schema}");
        let factory = PostgresStoreFactory::with_owner(&owner);
        let mut s = factory.open(&t).await.unwrap();
        s.save_and_increment(1, b"before").await.unwrap();
        // Kill the store's server connection, as a database restart or failover would.
        let (admin, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let killed = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&format!("fix-session {owner}")],
            )
            .await
            .unwrap();
        assert_eq!(killed.len(), 1, "the store's connection was not found");
        // The next write reconnects and lands; nothing is lost or doubled.
        s.save_and_increment(2, b"after").await.unwrap();
        s.set_next_target_seq(5).await.unwrap();
        assert_eq!(
            s.get(1, 9).await.unwrap(),
            vec![(1, b"before".to_vec()), (2, b"after".to_vec())]
        );
        s.refresh().await.unwrap();
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (3, 5));
        drop(s);
        drop_schema(&url, &schema).await;
    }
}
