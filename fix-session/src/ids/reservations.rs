//! Where an ID generator's reservations are kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::store::StoreError;

/// A generator's reservation: every counter value below `end` on UTC day `day` (`YYYYMMDD`;
/// 0 for formats without a day) may have been handed out, so a restarted generator goes on
/// from `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// The UTC day as `YYYYMMDD` (0 for formats without a day).
    pub day: u64,
    /// The first counter value not reserved.
    pub end: u64,
}

/// Durable storage of reservations, by generator name. `save` returns only once the
/// reservation would survive the failure the storage is meant for (a crash, or power loss).
pub trait Reservations: Send + Sync {
    /// The last reservation saved under `name`, if any.
    fn load(&self, name: &str) -> Result<Option<Reservation>, StoreError>;
    /// Saves `reservation` under `name`, replacing the previous one.
    fn save(&self, name: &str, reservation: Reservation) -> Result<(), StoreError>;
}

/// Reservations in memory only: unique within the process (clones share the map, so a
/// test can "restart" a generator on the same reservations).
#[derive(Debug, Clone, Default)]
pub struct MemoryReservations {
    map: Arc<Mutex<HashMap<String, Reservation>>>,
}

impl Reservations for MemoryReservations {
    fn load(&self, name: &str) -> Result<Option<Reservation>, StoreError> {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(map.get(name).copied())
    }

    fn save(&self, name: &str, reservation: Reservation) -> Result<(), StoreError> {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(name.to_string(), reservation);
        Ok(())
    }
}

/// Reservations in a table (`fix_id_reservations`) of an SQLite file: give it the engine's
/// store file (`SessionSettings::sqlite_store_path`) to keep them beside the sessions.
/// Committed with `synchronous=FULL`: a saved reservation survives power loss.
#[derive(Debug)]
pub struct SqliteReservations {
    path: PathBuf,
    conn: Mutex<rusqlite::Connection>,
}

impl SqliteReservations {
    /// Opens (and creates, if needed) the table in the SQLite file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteReservations, StoreError> {
        let path = path.as_ref().to_path_buf();
        let err = |source| StoreError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let conn = rusqlite::Connection::open(&path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS fix_id_reservations (
                 name TEXT PRIMARY KEY, day INTEGER NOT NULL, next INTEGER NOT NULL);",
        )
        .map_err(err)?;
        Ok(SqliteReservations {
            path,
            conn: Mutex::new(conn),
        })
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }
}

impl Reservations for SqliteReservations {
    fn load(&self, name: &str) -> Result<Option<Reservation>, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let row = conn.query_row(
            "SELECT day, next FROM fix_id_reservations WHERE name = ?1",
            [name],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)),
        );
        match row {
            Ok((day, end)) => Ok(Some(Reservation {
                day: u64::try_from(day).map_err(|_| self.corrupt(name))?,
                end: u64::try_from(end).map_err(|_| self.corrupt(name))?,
            })),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    fn save(&self, name: &str, reservation: Reservation) -> Result<(), StoreError> {
        let day = i64::try_from(reservation.day).map_err(|_| self.corrupt(name))?;
        let end = i64::try_from(reservation.end).map_err(|_| self.corrupt(name))?;
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        conn.execute(
            "INSERT INTO fix_id_reservations (name, day, next) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET day = excluded.day, next = excluded.next",
            rusqlite::params![name, day, end],
        )
        .map_err(|e| self.error(e))?;
        Ok(())
    }
}

impl SqliteReservations {
    fn corrupt(&self, name: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.display().to_string(),
            message: format!("reservation of {name:?} out of range"),
        }
    }
}

/// Reservations as one small file per generator (`<name>.ids`) in a folder (the session's
/// `FileStorePath`, say), replaced atomically and fsynced on each save: it survives power
/// loss.
#[derive(Debug, Clone)]
pub struct FileReservations {
    dir: PathBuf,
}

impl FileReservations {
    /// Reservations in `dir`, created if missing.
    pub fn new(dir: impl AsRef<Path>) -> Result<FileReservations, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        Ok(FileReservations { dir })
    }

    fn file(&self, name: &str) -> PathBuf {
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{safe}.ids"))
    }
}

impl Reservations for FileReservations {
    fn load(&self, name: &str) -> Result<Option<Reservation>, StoreError> {
        let path = self.file(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Io {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let mut parts = text.split_whitespace().map(str::parse::<u64>);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(day)), Some(Ok(end)), None) => Ok(Some(Reservation { day, end })),
            _ => Err(StoreError::Corrupt {
                path: path.display().to_string(),
                message: format!("expected `day end`, found {text:?}"),
            }),
        }
    }

    fn save(&self, name: &str, reservation: Reservation) -> Result<(), StoreError> {
        use std::io::Write;
        let path = self.file(name);
        let tmp = path.with_extension("ids.tmp");
        let io = |p: &Path| {
            let p = p.display().to_string();
            move |source| StoreError::Io { path: p, source }
        };
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        writeln!(f, "{} {}", reservation.day, reservation.end).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir))?;
        Ok(())
    }
}
