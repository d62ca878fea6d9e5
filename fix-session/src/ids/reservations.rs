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

#[cfg(feature = "postgres")]
pub use self::postgres::PostgresReservations;

#[cfg(feature = "postgres")]
mod postgres {
    use std::sync::mpsc;

    use tokio_postgres::{Client, NoTls};

    use super::{Reservation, Reservations};
    use crate::store::StoreError;

    type Reply<T> = mpsc::SyncSender<Result<T, StoreError>>;

    /// What the connection's thread is asked.
    enum Request {
        Load(String, Reply<Option<Reservation>>),
        Save(String, Reservation, Reply<()>),
    }

    /// Reservations in a table (`fix_id_reservations`) of a PostgreSQL schema: give it the
    /// engine's store database (`PostgreSQLStoreURL`, `PostgreSQLStoreSchema`) to keep them
    /// beside the sessions. A save returns once its transaction committed (durable with the
    /// server's default `synchronous_commit`).
    ///
    /// [`Reservations`] is synchronous (a generator saves once per block of IDs, from
    /// whatever thread takes the block's first ID, runtime or not): the connection lives on
    /// a thread of its own with a single-threaded runtime, and calls wait for its answer. A
    /// lost connection is opened again on the next call.
    #[derive(Debug)]
    pub struct PostgresReservations {
        requests: mpsc::Sender<Request>,
    }

    fn pg(e: tokio_postgres::Error) -> StoreError {
        StoreError::Postgres(e)
    }

    fn stopped() -> StoreError {
        StoreError::Io {
            path: "postgres reservations".to_string(),
            source: std::io::Error::other("the reservations' connection thread has stopped"),
        }
    }

    fn out_of_range(name: &str) -> StoreError {
        StoreError::Corrupt {
            path: "fix_id_reservations".to_string(),
            message: format!("reservation of {name:?} out of range"),
        }
    }

    /// Connects, creates the schema and table if missing, and selects the schema.
    async fn connect(url: &str, schema: &str) -> Result<Client, StoreError> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(pg)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "postgres reservations connection closed");
            }
        });
        let schema = format!("\"{}\"", schema.replace('"', "\"\""));
        client
            .batch_execute(&format!(
                "SET application_name TO 'fix-session id reservations';
                 CREATE SCHEMA IF NOT EXISTS {schema};
                 SET search_path TO {schema};
                 CREATE TABLE IF NOT EXISTS fix_id_reservations (
                     name text PRIMARY KEY, day bigint NOT NULL, next bigint NOT NULL)"
            ))
            .await
            .map_err(pg)?;
        Ok(client)
    }

    async fn load(client: &Client, name: &str) -> Result<Option<Reservation>, StoreError> {
        let row = client
            .query_opt(
                "SELECT day, next FROM fix_id_reservations WHERE name = $1",
                &[&name],
            )
            .await
            .map_err(pg)?;
        row.map(|r| {
            let day = u64::try_from(r.get::<_, i64>(0)).map_err(|_| out_of_range(name))?;
            let end = u64::try_from(r.get::<_, i64>(1)).map_err(|_| out_of_range(name))?;
            Ok(Reservation { day, end })
        })
        .transpose()
    }

    async fn save(client: &Client, name: &str, r: Reservation) -> Result<(), StoreError> {
        let day = i64::try_from(r.day).map_err(|_| out_of_range(name))?;
        let end = i64::try_from(r.end).map_err(|_| out_of_range(name))?;
        client
            .execute(
                "INSERT INTO fix_id_reservations (name, day, next) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET day = excluded.day, next = excluded.next",
                &[&name, &day, &end],
            )
            .await
            .map_err(pg)?;
        Ok(())
    }

    /// The connection's thread: answers requests until every handle is gone.
    async fn serve(
        url: String,
        schema: String,
        mut client: Client,
        requests: mpsc::Receiver<Request>,
    ) {
        // Blocking between requests is fine: the connection has nothing to do meanwhile,
        // and it is driven again while a query is awaited.
        while let Ok(req) = requests.recv() {
            if client.is_closed() {
                match connect(&url, &schema).await {
                    Ok(c) => client = c,
                    Err(e) => {
                        match req {
                            Request::Load(_, reply) => drop(reply.send(Err(e))),
                            Request::Save(_, _, reply) => drop(reply.send(Err(e))),
                        }
                        continue;
                    }
                }
            }
            // A caller that stopped waiting is no error.
            match req {
                Request::Load(name, reply) => drop(reply.send(load(&client, &name).await)),
                Request::Save(name, r, reply) => drop(reply.send(save(&client, &name, r).await)),
            }
        }
    }

    impl PostgresReservations {
        /// Connects to the database at `url` (a connection string, as `PostgreSQLStoreURL`)
        /// and creates the schema and table if missing.
        pub fn connect(url: &str, schema: &str) -> Result<PostgresReservations, StoreError> {
            let (tx, rx) = mpsc::channel();
            let (ready_tx, ready_rx) = mpsc::sync_channel(1);
            let (url, schema) = (url.to_string(), schema.to_string());
            std::thread::Builder::new()
                .name("fix-id-reservations".into())
                .spawn(move || {
                    let runtime = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(r) => r,
                        Err(source) => {
                            let _ = ready_tx.send(Err(StoreError::Io {
                                path: "postgres reservations".to_string(),
                                source,
                            }));
                            return;
                        }
                    };
                    runtime.block_on(async move {
                        match connect(&url, &schema).await {
                            Ok(client) => {
                                let _ = ready_tx.send(Ok(()));
                                serve(url, schema, client, rx).await;
                            }
                            Err(e) => {
                                let _ = ready_tx.send(Err(e));
                            }
                        }
                    });
                })
                .map_err(|source| StoreError::Io {
                    path: "postgres reservations".to_string(),
                    source,
                })?;
            ready_rx.recv().map_err(|_| stopped())??;
            Ok(PostgresReservations { requests: tx })
        }

        fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
            let (reply, answer) = mpsc::sync_channel(1);
            self.requests.send(make(reply)).map_err(|_| stopped())?;
            answer.recv().map_err(|_| stopped())?
        }
    }

    impl Reservations for PostgresReservations {
        fn load(&self, name: &str) -> Result<Option<Reservation>, StoreError> {
            self.ask(|reply| Request::Load(name.to_string(), reply))
        }

        fn save(&self, name: &str, reservation: Reservation) -> Result<(), StoreError> {
            self.ask(|reply| Request::Save(name.to_string(), reservation, reply))
        }
    }
}
