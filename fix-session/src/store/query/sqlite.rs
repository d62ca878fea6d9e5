//! The SQLite store read through a read-only connection. In WAL mode SQLite makes the WAL
//! index files (`-shm`, an empty `-wal`) beside the database when they are missing; the
//! database and its rows are never written.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{blocking, StoreReader, StoredSession};
use crate::settings::SessionId;
use crate::store::sqlite::{from_nanos, seq_from_i64, seq_to_i64};
use crate::store::{StoreError, StoreFuture};

pub(super) struct Reader {
    path: Arc<PathBuf>,
    key: String,
}

impl Reader {
    pub(super) fn new(path: PathBuf, id: &SessionId) -> Reader {
        Reader {
            path: Arc::new(path),
            key: id.to_string(),
        }
    }
}

fn sqlite(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.display().to_string(),
        source,
    }
}

/// A read-only connection; `None` when there is no database file.
fn open(path: &Path) -> Result<Option<Connection>, StoreError> {
    if !path.exists() {
        return Ok(None);
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags)
        .map(Some)
        .map_err(|e| sqlite(path, e))
}

/// Whether the engine's tables are there (a database the engine never migrated has none).
fn has_tables(c: &Connection) -> rusqlite::Result<bool> {
    c.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'fix_sessions'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

impl StoreReader for Reader {
    fn session(&mut self) -> StoreFuture<'_, Option<StoredSession>> {
        let (path, key) = (self.path.clone(), self.key.clone());
        Box::pin(blocking(move || {
            let Some(c) = open(&path)? else {
                return Ok(None);
            };
            let read = || -> rusqlite::Result<Option<StoredSession>> {
                if !has_tables(&c)? {
                    return Ok(None);
                }
                let row = c
                    .query_row(
                        "SELECT next_sender, next_target, creation_time,
                                (SELECT count(*) FROM fix_messages m WHERE m.session_key = s.session_key)
                         FROM fix_sessions s WHERE session_key = ?1",
                        [&key],
                        |r| {
                            Ok(StoredSession {
                                next_sender_seq: seq_from_i64(r.get(0)?),
                                next_target_seq: seq_from_i64(r.get(1)?),
                                creation_time: from_nanos(r.get(2)?),
                                message_count: seq_from_i64(r.get(3)?),
                            })
                        },
                    )
                    .optional()?;
                Ok(row)
            };
            read().map_err(|e| sqlite(&path, e))
        }))
    }

    fn messages(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        let (path, key) = (self.path.clone(), self.key.clone());
        Box::pin(blocking(move || {
            let Some(c) = open(&path)? else {
                return Ok(Vec::new());
            };
            let read = || -> rusqlite::Result<Vec<(u64, Vec<u8>)>> {
                if !has_tables(&c)? {
                    return Ok(Vec::new());
                }
                let mut stmt = c.prepare(
                    "SELECT seq, body FROM fix_messages
                     WHERE session_key = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
                )?;
                let rows = stmt.query_map(
                    rusqlite::params![key, seq_to_i64(begin), seq_to_i64(end)],
                    |r| Ok((seq_from_i64(r.get(0)?), r.get::<_, Vec<u8>>(1)?)),
                )?;
                rows.collect()
            };
            read().map_err(|e| sqlite(&path, e))
        }))
    }
}
