//! The embedded default store: one SQLite file per engine (bundled SQLite, WAL mode) holding the
//! sequence numbers and sent messages of every session.
//!
//! Every change is committed before the returned future completes: a batch of outgoing
//! messages and the next sender sequence number go in together, before the driver writes them
//! to the socket (persist, then send). How far a commit is safe is the file's
//! [`SqliteSync`]: process-crash safe (`NORMAL`, the default: the commit is in the OS before
//! the send, as QuickFIX's FileStore) or power-loss safe (`FULL`: fsync before the send).
//!
//! One writer thread per file owns its connection and takes every session's work in turn;
//! saves waiting together are committed in one transaction (group commit: under `FULL`,
//! sessions sending at once share an fsync), and WAL checkpoints run on a thread of their own
//! (see [`writer`]), never on a session's path. The schema is versioned with
//! `PRAGMA user_version` and migrated when the file is opened.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::oneshot;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::{MessageStore, StoreError, StoreFuture};
use crate::settings::SessionId;
pub use writer::CommitStats;
use writer::{Counters, Job, Save};

mod writer;

/// Schema migrations, applied in order; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: sessions and messages.
    "CREATE TABLE fix_sessions (
         session_key   TEXT PRIMARY KEY,
         next_sender   INTEGER NOT NULL,
         next_target   INTEGER NOT NULL,
         creation_time INTEGER NOT NULL
     );
     CREATE TABLE fix_messages (
         session_key TEXT NOT NULL,
         seq         INTEGER NOT NULL,
         body        BLOB NOT NULL,
         PRIMARY KEY (session_key, seq)
     ) WITHOUT ROWID;",
];

/// How durable a commit is before the message is sent (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// Power-loss safe: every commit is fsynced before it returns (one fsync per group
    /// commit, shared by the sessions saving at once).
    Full,
    /// Process-crash safe (the default): a commit is in the OS before it returns, as with
    /// QuickFIX's FileStore; the OS writes it out later (checkpoints fsync, off the
    /// sessions' path).
    #[default]
    Normal,
}

/// One SQLite database file, shared by the stores of all sessions that use it.
#[derive(Debug)]
pub struct SqliteDatabase {
    path: PathBuf,
    /// The writer thread's queue (see [`writer`]).
    jobs: Mutex<Sender<Job>>,
    counters: Arc<Counters>,
}

fn err(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.display().to_string(),
        source: e,
    }
}

/// Unix nanoseconds of `t` (0 before 1970; saturates after 2262).
pub(crate) fn to_nanos(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The time `nanos` Unix nanoseconds (negative values clamp to the epoch).
pub(crate) fn from_nanos(nanos: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_nanos(u64::try_from(nanos).unwrap_or(0))
}

/// A sequence number as SQLite's (and PostgreSQL's) signed 64-bit integer.
pub(crate) fn seq_to_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// A stored sequence number back (negative ones, which we never write, read as 0).
pub(crate) fn seq_from_i64(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

impl SqliteDatabase {
    /// Opens (or creates) the database file at `path`, creating its folder, switching it to
    /// WAL mode and applying any missing schema migrations.
    pub fn open(path: &Path, sync: SqliteSync) -> Result<Arc<SqliteDatabase>, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io {
                path: dir.display().to_string(),
                source: e,
            })?;
        }
        let mut conn = connect(path, sync)?;
        migrate(&mut conn).map_err(|e| err(path, e))?;
        // Checkpoints are the checkpointer thread's job, not the writer's.
        conn.execute_batch("PRAGMA wal_autocheckpoint=0;")
            .map_err(|e| err(path, e))?;
        let checkpoints = connect(path, sync)?;
        let counters = Arc::new(Counters::default());
        let jobs =
            writer::start("fix-sqlite", conn, checkpoints, counters.clone()).map_err(|e| {
                StoreError::Io {
                    path: path.display().to_string(),
                    source: e,
                }
            })?;
        Ok(Arc::new(SqliteDatabase {
            path: path.to_path_buf(),
            jobs: Mutex::new(jobs),
            counters,
        }))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many group commits this process made to the file, and how many saves and
    /// messages they held: messages per commit is messages per fsync under
    /// [`SqliteSync::Full`].
    pub fn commit_stats(&self) -> CommitStats {
        self.counters.get()
    }

    /// The schema version of the file (the number of migrations applied).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
    }

    /// Hands `job` to the writer thread.
    fn submit(&self, job: Job) -> Result<(), StoreError> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.send(job).map_err(|_| self.stopped())
    }

    fn stopped(&self) -> StoreError {
        StoreError::Io {
            path: self.path.display().to_string(),
            source: std::io::Error::other("the SQLite writer thread has stopped"),
        }
    }

    /// Runs `f` on the writer thread, in its turn, and waits (blocking) for its result.
    fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.submit(Job::Call(Box::new(move |c| {
            let _ = tx.send(f(c));
        })))?;
        rx.recv()
            .map_err(|_| self.stopped())?
            .map_err(|e| err(&self.path, e))
    }

    /// Runs `f` on the writer thread, in its turn; the future completes with its result.
    fn call<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let (tx, rx) = oneshot::channel();
        let sent = self.submit(Job::Call(Box::new(move |c| {
            let _ = tx.send(f(c));
        })));
        let db = self.clone();
        Box::pin(async move {
            sent?;
            rx.await
                .map_err(|_| db.stopped())?
                .map_err(|e| err(&db.path, e))
        })
    }

    /// Opens the store of session `id` in this file (creating its row at `now` if new).
    pub fn store(self: &Arc<Self>, id: &SessionId) -> Result<SqliteStore, StoreError> {
        let key: Arc<str> = Arc::from(id.to_string());
        let k = key.clone();
        let state = self.with(move |c| load_or_create(c, &k))?;
        Ok(SqliteStore {
            db: self.clone(),
            key,
            state,
        })
    }
}

/// A connection to `path` in WAL mode with `sync`.
fn connect(path: &Path, sync: SqliteSync) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| err(path, e))?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(|e| err(path, e))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(|e| err(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt {
            path: path.display().to_string(),
            message: format!("could not switch to WAL mode (journal_mode is {mode})"),
        });
    }
    let sync = match sync {
        SqliteSync::Full => "FULL",
        SqliteSync::Normal => "NORMAL",
    };
    conn.execute_batch(&format!("PRAGMA synchronous={sync};"))
        .map_err(|e| err(path, e))?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(usize::MAX))
    {
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tracing::info!(version = i + 1, "sqlite store schema migrated");
    }
    tx.commit()
}

/// Cached copy of a session's row.
#[derive(Debug, Clone, Copy)]
struct State {
    next_sender: u64,
    next_target: u64,
    created: SystemTime,
}

fn load_or_create(c: &mut Connection, key: &str) -> rusqlite::Result<State> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = tx
        .query_row(
            "SELECT next_sender, next_target, creation_time FROM fix_sessions WHERE session_key = ?1",
            [key],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)),
        )
        .optional()?;
    let state = match row {
        Some((s, t, c)) => State {
            next_sender: seq_from_i64(s),
            next_target: seq_from_i64(t),
            created: from_nanos(c),
        },
        None => {
            let now = SystemTime::now();
            tx.execute(
                "INSERT INTO fix_sessions (session_key, next_sender, next_target, creation_time)
                 VALUES (?1, 1, 1, ?2)",
                params![key, to_nanos(now)],
            )?;
            State {
                next_sender: 1,
                next_target: 1,
                created: now,
            }
        }
    };
    tx.commit()?;
    Ok(state)
}

/// The store of one session in a [`SqliteDatabase`].
#[derive(Debug)]
pub struct SqliteStore {
    db: Arc<SqliteDatabase>,
    key: Arc<str>,
    state: State,
}

impl SqliteStore {
    /// Opens the store of session `id` in the database file at `path` (a convenience for
    /// one session; engines with many sessions share one [`SqliteDatabase`]).
    pub fn open(path: &Path, id: &SessionId, sync: SqliteSync) -> Result<SqliteStore, StoreError> {
        SqliteDatabase::open(path, sync)?.store(id)
    }

    /// Runs `f` on the writer thread with the connection and this session's key.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection, &str) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let key = self.key.clone();
        self.db.call(move |c| f(c, &key))
    }

    fn set_column(&self, column: &'static str, seq: u64) -> StoreFuture<'static, ()> {
        self.run(move |c, key| {
            c.prepare_cached(&format!(
                "UPDATE fix_sessions SET {column} = ?2 WHERE session_key = ?1"
            ))?
            .execute(params![key, seq_to_i64(seq)])
            .map(drop)
        })
    }
}

/// Writes a batch of one session's messages and its sequence numbers in transaction `tx`.
fn write_rows(
    tx: &Transaction<'_>,
    key: &str,
    messages: &[(u64, Vec<u8>)],
    next_target: Option<u64>,
) -> rusqlite::Result<()> {
    let Some((last, _)) = messages.last() else {
        return Ok(());
    };
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO fix_messages (session_key, seq, body) VALUES (?1, ?2, ?3)",
    )?;
    for (seq, body) in messages {
        insert.execute(params![key, seq_to_i64(*seq), body])?;
    }
    tx.prepare_cached(
        "UPDATE fix_sessions SET next_sender = ?2, next_target = coalesce(?3, next_target)
         WHERE session_key = ?1",
    )?
    .execute(params![
        key,
        seq_to_i64(last.saturating_add(1)),
        next_target.map(seq_to_i64)
    ])?;
    Ok(())
}

impl SqliteStore {
    /// Saves `messages` (taken; given back empty, to be reused) through the writer's group
    /// commit, with the next target sequence number when given.
    fn save_with_target<'a>(
        &'a mut self,
        messages: &'a mut Vec<(u64, Vec<u8>)>,
        next_target: Option<u64>,
    ) -> StoreFuture<'a, ()> {
        let next = messages.last().map(|(seq, _)| seq.saturating_add(1));
        let (done, answer) = oneshot::channel();
        let sent = self.db.submit(Job::Save(Save {
            key: self.key.clone(),
            messages: std::mem::take(messages),
            next_target,
            done,
        }));
        Box::pin(async move {
            sent?;
            let (result, mut back) = answer.await.map_err(|_| self.db.stopped())?;
            back.clear();
            *messages = back;
            result.map_err(|e| err(&self.db.path, e))?;
            if let Some(next) = next {
                self.state.next_sender = next;
                if let Some(t) = next_target {
                    self.state.next_target = t;
                }
            }
            Ok(())
        })
    }
}

impl MessageStore for SqliteStore {
    fn next_sender_seq(&self) -> u64 {
        self.state.next_sender
    }
    fn next_target_seq(&self) -> u64 {
        self.state.next_target
    }
    fn creation_time(&self) -> SystemTime {
        self.state.created
    }
    fn set_next_sender_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        let fut = self.set_column("next_sender", seq);
        Box::pin(async move {
            fut.await?;
            self.state.next_sender = seq;
            Ok(())
        })
    }
    fn set_next_target_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        let fut = self.set_column("next_target", seq);
        Box::pin(async move {
            fut.await?;
            self.state.next_target = seq;
            Ok(())
        })
    }
    fn save_and_increment(&mut self, seq: u64, message: &[u8]) -> StoreFuture<'_, ()> {
        let batch = vec![(seq, message.to_vec())];
        Box::pin(async move {
            let mut batch = batch;
            self.save_with_target(&mut batch, None).await
        })
    }
    fn save_batch<'a>(&'a mut self, messages: &'a mut Vec<(u64, Vec<u8>)>) -> StoreFuture<'a, ()> {
        self.save_with_target(messages, None)
    }
    fn save_batch_and_target<'a>(
        &'a mut self,
        messages: &'a mut Vec<(u64, Vec<u8>)>,
        next_target: u64,
    ) -> StoreFuture<'a, ()> {
        self.save_with_target(messages, Some(next_target))
    }
    fn get(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        if begin > end {
            return Box::pin(async { Ok(Vec::new()) });
        }
        let fut = self.run(move |c, key| {
            let mut q = c.prepare_cached(
                "SELECT seq, body FROM fix_messages
                 WHERE session_key = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
            )?;
            let rows = q.query_map(params![key, seq_to_i64(begin), seq_to_i64(end)], |r| {
                Ok((seq_from_i64(r.get(0)?), r.get::<_, Vec<u8>>(1)?))
            })?;
            rows.collect()
        });
        fut
    }
    fn reset(&mut self, now: SystemTime) -> StoreFuture<'_, ()> {
        let fut = self.run(move |c, key| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM fix_messages WHERE session_key = ?1", [key])?;
            tx.execute(
                "UPDATE fix_sessions SET next_sender = 1, next_target = 1, creation_time = ?2
                 WHERE session_key = ?1",
                params![key, to_nanos(now)],
            )?;
            tx.commit()
        });
        Box::pin(async move {
            fut.await?;
            self.state = State {
                next_sender: 1,
                next_target: 1,
                created: now,
            };
            Ok(())
        })
    }
    fn refresh(&mut self) -> StoreFuture<'_, ()> {
        let fut = self.run(load_or_create);
        Box::pin(async move {
            self.state = fut.await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
