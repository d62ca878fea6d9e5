//! The PostgreSQL store: sequence numbers and sent messages in a shared database, with a
//! lease per session so that an active and a standby engine can share it safely.
//!
//! ## Schema
//! The store creates its schema (`PostgreSQLStoreSchema`, default `public`) and tables itself,
//! with versioned migrations recorded in `fix_schema_version` and applied under an advisory
//! lock, so that engines starting together do not race.
//!
//! ## Leases and fencing
//! A session runs only in the engine holding its lease: a row in `fix_leases` with an owner,
//! an epoch and an expiry. [`PostgresStoreFactory::create`] waits until the lease is free
//! (never taken, expired, or already ours) and takes it by bumping the epoch; a background
//! task renews it every third of `PostgreSQLStoreLeaseTimeout`. Every write is one statement
//! that first renews the lease *with the epoch this store took* and only writes if that
//! matched: an engine that was paused or partitioned while a standby took over finds the
//! epoch moved on, writes nothing and gets [`StoreError::Fenced`]. Since drivers persist
//! before they write to the socket, a fenced engine also sends nothing.
//!
//! ## Connection loss
//! A write that fails because the connection broke is retried on a new connection with
//! back-off (writes are idempotent: upserts of the same rows), for up to the lease timeout
//! or 30 s, whichever is longer. Meanwhile the session's driver waits, so nothing unpersisted
//! is sent. After that the error reaches the driver, which disconnects the session.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls};

use super::sqlite::{from_nanos, seq_from_i64, seq_to_i64, to_nanos};
use super::{MessageStore, StoreError, StoreFactory, StoreFuture};
use crate::settings::SessionSettings;

/// Schema migrations, applied in order; `fix_schema_version` holds the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: sessions, messages and leases.
    "CREATE TABLE fix_sessions (
         session_key   text PRIMARY KEY,
         next_sender   bigint NOT NULL,
         next_target   bigint NOT NULL,
         creation_time bigint NOT NULL
     );
     CREATE TABLE fix_messages (
         session_key text NOT NULL,
         seq         bigint NOT NULL,
         body        bytea NOT NULL,
         PRIMARY KEY (session_key, seq)
     );
     CREATE TABLE fix_leases (
         session_key text PRIMARY KEY,
         owner       text NOT NULL,
         epoch       bigint NOT NULL,
         expires_at  timestamptz NOT NULL
     );",
];

/// Advisory lock key serialising migrations of one database ("FIXMIGR" in ASCII).
const MIGRATION_LOCK: i64 = 0x0046_4958_4d49_4752;

/// Renews the lease and yields one row if the store still holds it: the first CTE of every
/// write. Parameters: $1 session key, $2 epoch, $3 lease timeout in milliseconds.
const LEASE_CTE: &str = "lease AS (
    UPDATE fix_leases SET expires_at = clock_timestamp() + $3::bigint * interval '1 millisecond'
    WHERE session_key = $1 AND epoch = $2 RETURNING 1)";

pub(crate) fn pg(e: tokio_postgres::Error) -> StoreError {
    StoreError::Postgres(e)
}

/// Quotes an SQL identifier.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether `e` means the connection is gone (worth reconnecting and retrying) rather than a
/// statement the server refused.
fn is_transient(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        // Not a database error: I/O, connect, protocol.
        None => true,
        Some(code) => {
            let c = code.code();
            // Connection exceptions, serialization failure, deadlock, admin shutdown,
            // cannot connect now.
            c.starts_with("08") || c == "40001" || c == "40P01" || c.starts_with("57P")
        }
    }
}

/// One database and schema: a shared connection (re-opened when it breaks) used by the
/// stores of every session that names them.
#[derive(Debug)]
struct Database {
    /// `application_name` of the connection: `fix-session <owner>` (seen in pg_stat_activity).
    app_name: String,
    url: String,
    schema: String,
    client: Mutex<Option<Arc<Client>>>,
}

impl Database {
    /// The connection, opening (and on first use migrating) it if needed.
    async fn client(&self) -> Result<Arc<Client>, StoreError> {
        let mut slot = self.client.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        let (client, connection) = tokio_postgres::connect(&self.url, NoTls)
            .await
            .map_err(pg)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "postgres store connection closed");
            }
        });
        let schema = ident(&self.schema);
        let app_name = self.app_name.replace('\'', "''");
        client
            .batch_execute(&format!(
                "SET application_name TO '{app_name}'; SET search_path TO {schema}"
            ))
            .await
            .map_err(pg)?;
        migrate(&client, &schema).await?;
        let client = Arc::new(client);
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Forgets a broken connection so that the next call reconnects.
    async fn broken(&self, client: &Arc<Client>) {
        let mut slot = self.client.lock().await;
        if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, client)) {
            *slot = None;
        }
    }
}

/// Creates the schema (`schema`, quoted) and applies missing migrations.
async fn migrate(client: &Client, schema: &str) -> Result<(), StoreError> {
    // One transaction under a transaction-scoped advisory lock: concurrent engines wait for
    // the first one's migrations and then find nothing left to do. (Even CREATE SCHEMA IF NOT
    // EXISTS can fail when two sessions run it at once, so it is under the lock too.)
    client.batch_execute("BEGIN").await.map_err(pg)?;
    let result = async {
        client
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS fix_schema_version (version integer NOT NULL)",
            )
            .await?;
        let version: i32 = match client
            .query_opt("SELECT version FROM fix_schema_version", &[])
            .await?
        {
            Some(row) => row.try_get(0)?,
            None => {
                client
                    .execute("INSERT INTO fix_schema_version (version) VALUES (0)", &[])
                    .await?;
                0
            }
        };
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(usize::MAX))
        {
            client.batch_execute(sql).await?;
            let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
            client
                .execute("UPDATE fix_schema_version SET version = $1", &[&v])
                .await?;
            tracing::info!(version = v, "postgres store schema migrated");
        }
        Ok::<(), tokio_postgres::Error>(())
    }
    .await;
    match result {
        Ok(()) => client.batch_execute("COMMIT").await.map_err(pg),
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(pg(e))
        }
    }
}

/// Makes a [`PostgresStore`] per session from its PostgreSQL settings
/// (`PostgreSQLStoreURL` or QuickFIX's split keys, `PostgreSQLStoreSchema`,
/// `PostgreSQLStoreLeaseTimeout`). One factory is one lease owner: an engine process uses
/// one factory; a standby process has its own.
#[derive(Debug)]
pub struct PostgresStoreFactory {
    owner: String,
    databases: std::sync::Mutex<Vec<Arc<Database>>>,
}

impl Default for PostgresStoreFactory {
    fn default() -> Self {
        PostgresStoreFactory::new()
    }
}

impl PostgresStoreFactory {
    /// A factory whose leases are owned by a name made of this process's id and the time.
    pub fn new() -> PostgresStoreFactory {
        let nanos = to_nanos(SystemTime::now());
        PostgresStoreFactory::with_owner(&format!("pid{}-{nanos:x}", std::process::id()))
    }

    /// A factory owning leases under `owner` (unique per engine process: a restarted engine
    /// with the same owner name takes its leases back at once instead of waiting for them to
    /// expire).
    pub fn with_owner(owner: &str) -> PostgresStoreFactory {
        PostgresStoreFactory {
            owner: owner.to_string(),
            databases: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The lease owner name.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn database(&self, url: &str, schema: &str) -> Arc<Database> {
        let mut dbs = self.databases.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(db) = dbs.iter().find(|d| d.url == url && d.schema == schema) {
            return db.clone();
        }
        let mut app_name = format!("fix-session {}", self.owner);
        while app_name.len() > 63 {
            app_name.pop();
        }
        let db = Arc::new(Database {
            app_name,
            url: url.to_string(),
            schema: schema.to_string(),
            client: Mutex::new(None),
        });
        dbs.push(db.clone());
        db
    }
}

impl PostgresStoreFactory {
    /// Opens the store of the session `settings` describe: waits for its lease, then loads
    /// its row (creating it if new).
    pub fn open(
        &self,
        settings: &SessionSettings,
    ) -> impl std::future::Future<Output = Result<PostgresStore, StoreError>> + Send + 'static {
        let lease = settings.postgres_store_url.clone().map(|url| Lease {
            db: self.database(&url, &settings.postgres_store_schema),
            key: Arc::from(settings.id.to_string()),
            owner: Arc::from(self.owner.as_str()),
            timeout: settings.postgres_store_lease_timeout,
        });
        let id = settings.id.clone();
        async move {
            let lease = lease.ok_or_else(|| {
                StoreError::Config(format!(
                    "session {id}: set PostgreSQLStoreURL (or PostgreSQLStoreHost/Database/User) for the PostgreSQL store"
                ))
            })?;
            PostgresStore::open(lease).await
        }
    }
}

impl StoreFactory for PostgresStoreFactory {
    fn create(&self, settings: &SessionSettings) -> StoreFuture<'static, Box<dyn MessageStore>> {
        let open = self.open(settings);
        Box::pin(async move { Ok(Box::new(open.await?) as Box<dyn MessageStore>) })
    }
}

/// What a store needs to take and keep its session's lease.
#[derive(Debug, Clone)]
struct Lease {
    db: Arc<Database>,
    key: Arc<str>,
    owner: Arc<str>,
    timeout: Duration,
}

impl Lease {
    fn timeout_ms(&self) -> i64 {
        i64::try_from(self.timeout.as_millis()).unwrap_or(i64::MAX)
    }

    /// Takes the lease if it is free, expired or ours; the new epoch, or the current holder.
    async fn try_acquire(&self) -> Result<Result<i64, String>, StoreError> {
        let c = self.db.client().await?;
        let row = c
            .query_opt(
                "INSERT INTO fix_leases AS l (session_key, owner, epoch, expires_at)
                 VALUES ($1, $2, 1, clock_timestamp() + $3::bigint * interval '1 millisecond')
                 ON CONFLICT (session_key) DO UPDATE
                   SET owner = excluded.owner, epoch = l.epoch + 1, expires_at = excluded.expires_at
                   WHERE l.expires_at < clock_timestamp() OR l.owner = excluded.owner
                 RETURNING epoch",
                &[&&*self.key, &&*self.owner, &self.timeout_ms()],
            )
            .await
            .map_err(pg)?;
        if let Some(row) = row {
            return Ok(Ok(row.try_get(0).map_err(pg)?));
        }
        let holder = c
            .query_opt(
                "SELECT owner FROM fix_leases WHERE session_key = $1",
                &[&&*self.key],
            )
            .await
            .map_err(pg)?
            .and_then(|r| r.try_get::<_, String>(0).ok())
            .unwrap_or_default();
        Ok(Err(holder))
    }

    /// Waits until the lease is ours; returns its epoch and when the attempt that took it
    /// started (the lease lasts its timeout from then).
    async fn acquire(&self) -> Result<(i64, std::time::Instant), StoreError> {
        let poll = (self.timeout / 5).clamp(Duration::from_millis(50), Duration::from_secs(1));
        let mut announced = false;
        loop {
            let started = std::time::Instant::now();
            match self.retrying(|| self.try_acquire()).await? {
                Ok(epoch) => {
                    tracing::info!(session = %self.key, owner = %self.owner, epoch, "took the session lease");
                    return Ok((epoch, started));
                }
                Err(holder) => {
                    if !announced {
                        tracing::info!(session = %self.key, holder = %holder, "standby: waiting for the session lease");
                        announced = true;
                    }
                    tokio::time::sleep(poll).await;
                }
            }
        }
    }

    /// Runs `op`, retrying on a new connection with back-off while the failure is a broken
    /// connection, for up to the lease timeout or 30 s, whichever is longer.
    async fn retrying<'a, T, F, Fut>(&'a self, mut op: F) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut + 'a,
        Fut: std::future::Future<Output = Result<T, StoreError>> + 'a,
    {
        let deadline = tokio::time::Instant::now() + self.timeout.max(Duration::from_secs(30));
        let mut pause = Duration::from_millis(50);
        loop {
            match op().await {
                Err(StoreError::Postgres(e))
                    if is_transient(&e) && tokio::time::Instant::now() + pause < deadline =>
                {
                    tracing::warn!(session = %self.key, error = %e, retry_in = ?pause, "postgres store: retrying");
                    // The guard must be gone before `broken` locks the slot again: as the
                    // scrutinee of `if let` it would live through the block (a deadlock
                    // whenever the connection task had already seen the close).
                    let current = self.db.client.lock().await.clone();
                    if let Some(c) = current.filter(|c| c.is_closed()) {
                        self.db.broken(&c).await;
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                r => return r,
            }
        }
    }
}

/// Which sequence counter of a session to set.
#[derive(Debug, Clone, Copy)]
enum Counter {
    /// The next MsgSeqNum to send.
    Sender,
    /// The next MsgSeqNum expected.
    Target,
}

/// The store of one session in PostgreSQL, holding the session's lease while it lives.
#[derive(Debug)]
pub struct PostgresStore {
    lease: Lease,
    epoch: i64,
    lost: Arc<AtomicBool>,
    /// When the lease was last known to be ours: the start of the last statement that
    /// renewed it. It lasts the lease timeout from then.
    held_since: Arc<std::sync::Mutex<std::time::Instant>>,
    renewer: tokio::task::JoinHandle<()>,
    next_sender: u64,
    next_target: u64,
    created: SystemTime,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.renewer.abort();
        // Hand the lease back so a standby need not wait for it to expire. Fenced by the
        // epoch: if someone else holds it by now, this changes nothing.
        let lease = self.lease.clone();
        let epoch = self.epoch;
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Ok(c) = lease.db.client().await {
                    let _ = c
                        .execute(
                            "UPDATE fix_leases SET expires_at = clock_timestamp() - interval '1 second'
                             WHERE session_key = $1 AND epoch = $2",
                            &[&&*lease.key, &epoch],
                        )
                        .await;
                }
            });
        }
    }
}

/// Records that the lease was held at `at` (if later than what is known).
fn held_at(held_since: &std::sync::Mutex<std::time::Instant>, at: std::time::Instant) {
    let mut h = held_since.lock().unwrap_or_else(|p| p.into_inner());
    if at > *h {
        *h = at;
    }
}

fn spawn_renewer(
    lease: Lease,
    epoch: i64,
    lost: Arc<AtomicBool>,
    held_since: Arc<std::sync::Mutex<std::time::Instant>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = lease.timeout / 3;
        loop {
            tokio::time::sleep(every).await;
            let started = std::time::Instant::now();
            let renewed = async {
                let c = lease.db.client().await?;
                c.execute(
                    "UPDATE fix_leases SET expires_at = clock_timestamp() + $3::bigint * interval '1 millisecond'
                     WHERE session_key = $1 AND epoch = $2",
                    &[&&*lease.key, &epoch, &lease.timeout_ms()],
                )
                .await
                .map_err(pg)
            }
            .await;
            match renewed {
                Ok(1) => held_at(&held_since, started),
                Ok(_) => {
                    tracing::warn!(session = %lease.key, epoch, "session lease lost to another engine");
                    lost.store(true, Ordering::SeqCst);
                    return;
                }
                // Try again at the next tick; writes check the epoch themselves.
                Err(e) => {
                    tracing::warn!(session = %lease.key, error = %e, "session lease renewal failed")
                }
            }
        }
    })
}

impl PostgresStore {
    /// Sets one of the session's two sequence counters, fenced by the lease.
    async fn set_counter(&self, counter: Counter, seq: u64) -> Result<(), StoreError> {
        let column = match counter {
            Counter::Sender => "next_sender",
            Counter::Target => "next_target",
        };
        let v = seq_to_i64(seq);
        self.fenced(
            &format!(
                "s AS (UPDATE fix_sessions SET {column} = $4
                       WHERE session_key = $1 AND EXISTS (SELECT 1 FROM lease))"
            ),
            &[&v],
        )
        .await
    }

    async fn open(lease: Lease) -> Result<PostgresStore, StoreError> {
        let (epoch, started) = lease.acquire().await?;
        let lost = Arc::new(AtomicBool::new(false));
        let held_since = Arc::new(std::sync::Mutex::new(started));
        let renewer = spawn_renewer(lease.clone(), epoch, lost.clone(), held_since.clone());
        let mut store = PostgresStore {
            lease,
            epoch,
            lost,
            held_since,
            renewer,
            next_sender: 1,
            next_target: 1,
            created: SystemTime::now(),
        };
        store.load().await?;
        Ok(store)
    }

    /// Stops renewing the lease, as a paused process would (tests of fencing).
    #[cfg(test)]
    pub(crate) fn stop_renewing(&self) {
        self.renewer.abort();
    }

    /// The lease epoch this store writes under.
    pub fn epoch(&self) -> i64 {
        self.epoch
    }

    /// Whether the lease is known to be lost (another engine took over).
    pub fn lease_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    async fn load(&mut self) -> Result<(), StoreError> {
        let key = self.lease.key.clone();
        let now = to_nanos(SystemTime::now());
        let row = self
            .lease
            .retrying(|| {
                let key = key.clone();
                let db = self.lease.db.clone();
                async move {
                    let c = db.client().await?;
                    c.execute(
                        "INSERT INTO fix_sessions (session_key, next_sender, next_target, creation_time)
                         VALUES ($1, 1, 1, $2) ON CONFLICT (session_key) DO NOTHING",
                        &[&&*key, &now],
                    )
                    .await
                    .map_err(pg)?;
                    c.query_one(
                        "SELECT next_sender, next_target, creation_time FROM fix_sessions
                         WHERE session_key = $1",
                        &[&&*key],
                    )
                    .await
                    .map_err(pg)
                }
            })
            .await?;
        self.next_sender = seq_from_i64(row.try_get(0).map_err(pg)?);
        self.next_target = seq_from_i64(row.try_get(1).map_err(pg)?);
        self.created = from_nanos(row.try_get(2).map_err(pg)?);
        Ok(())
    }

    /// Saves a batch and the next sender (and, if given, target) sequence number in one
    /// fenced statement.
    async fn save_with_target(
        &mut self,
        messages: &mut Vec<(u64, Vec<u8>)>,
        next_target: Option<u64>,
    ) -> Result<(), StoreError> {
        let Some(&(last, _)) = messages.last() else {
            return Ok(());
        };
        let seqs: Vec<i64> = messages.iter().map(|(s, _)| seq_to_i64(*s)).collect();
        let bodies: Vec<&[u8]> = messages.iter().map(|(_, b)| b.as_slice()).collect();
        let next = seq_to_i64(last.saturating_add(1));
        let target = next_target.map(seq_to_i64);
        self.fenced(
            "m AS (INSERT INTO fix_messages (session_key, seq, body)
                   SELECT $1, t.seq, t.body FROM unnest($4::bigint[], $5::bytea[]) AS t(seq, body)
                   WHERE EXISTS (SELECT 1 FROM lease)
                   ON CONFLICT (session_key, seq) DO UPDATE SET body = excluded.body),
             s AS (UPDATE fix_sessions
                   SET next_sender = $6, next_target = coalesce($7::bigint, next_target)
                   WHERE session_key = $1 AND EXISTS (SELECT 1 FROM lease))",
            &[&seqs, &bodies, &next, &target],
        )
        .await?;
        messages.clear();
        self.next_sender = last.saturating_add(1);
        if let Some(t) = next_target {
            self.next_target = t;
        }
        Ok(())
    }

    /// Runs a fenced write: `sql` is the rest of a `WITH lease AS (...)` statement whose data
    /// changes are guarded by `EXISTS (SELECT 1 FROM lease)`; `$1..$3` are the session key,
    /// epoch and lease timeout, `extra` binds `$4...`.
    async fn fenced(
        &self,
        sql: &str,
        extra: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<(), StoreError> {
        let stmt = format!("WITH {LEASE_CTE}, {sql} SELECT count(*) FROM lease");
        let timeout = self.lease.timeout_ms();
        let key: &str = &self.lease.key;
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            vec![&key, &self.epoch, &timeout];
        params.extend_from_slice(extra);
        let started = std::time::Instant::now();
        let held: i64 = self
            .lease
            .retrying(|| {
                let db = self.lease.db.clone();
                let stmt = &stmt;
                let params = &params;
                async move {
                    let c = db.client().await?;
                    let row = c.query_one(stmt.as_str(), params).await.map_err(pg)?;
                    row.try_get(0).map_err(pg)
                }
            })
            .await?;
        if held == 1 {
            held_at(&self.held_since, started);
            Ok(())
        } else {
            self.lost.store(true, Ordering::SeqCst);
            Err(StoreError::Fenced {
                session: self.lease.key.to_string(),
                epoch: self.epoch,
            })
        }
    }
}

impl MessageStore for PostgresStore {
    fn next_sender_seq(&self) -> u64 {
        self.next_sender
    }
    fn next_target_seq(&self) -> u64 {
        self.next_target
    }
    fn creation_time(&self) -> SystemTime {
        self.created
    }
    fn set_next_sender_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.set_counter(Counter::Sender, seq).await?;
            self.next_sender = seq;
            Ok(())
        })
    }
    fn set_next_target_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.set_counter(Counter::Target, seq).await?;
            self.next_target = seq;
            Ok(())
        })
    }
    fn save_and_increment(&mut self, seq: u64, message: &[u8]) -> StoreFuture<'_, ()> {
        let mut batch = vec![(seq, message.to_vec())];
        Box::pin(async move { self.save_batch(&mut batch).await })
    }
    fn save_batch<'a>(&'a mut self, messages: &'a mut Vec<(u64, Vec<u8>)>) -> StoreFuture<'a, ()> {
        Box::pin(self.save_with_target(messages, None))
    }
    fn save_batch_and_target<'a>(
        &'a mut self,
        messages: &'a mut Vec<(u64, Vec<u8>)>,
        next_target: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.save_with_target(messages, Some(next_target)))
    }
    fn get(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        Box::pin(async move {
            if begin > end {
                return Ok(Vec::new());
            }
            let (b, e) = (seq_to_i64(begin), seq_to_i64(end));
            let key = self.lease.key.clone();
            let rows = self
                .lease
                .retrying(|| {
                    let db = self.lease.db.clone();
                    let key = key.clone();
                    async move {
                        let c = db.client().await?;
                        c.query(
                            "SELECT seq, body FROM fix_messages
                             WHERE session_key = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
                            &[&&*key, &b, &e],
                        )
                        .await
                        .map_err(pg)
                    }
                })
                .await?;
            rows.iter()
                .map(|r| Ok((seq_from_i64(r.try_get(0)?), r.try_get::<_, Vec<u8>>(1)?)))
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()
                .map_err(pg)
        })
    }
    fn reset(&mut self, now: SystemTime) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let t = to_nanos(now);
            self.fenced(
                "d AS (DELETE FROM fix_messages
                       WHERE session_key = $1 AND EXISTS (SELECT 1 FROM lease)),
                 s AS (UPDATE fix_sessions SET next_sender = 1, next_target = 1, creation_time = $4
                       WHERE session_key = $1 AND EXISTS (SELECT 1 FROM lease))",
                &[&t],
            )
            .await?;
            self.next_sender = 1;
            self.next_target = 1;
            self.created = now;
            Ok(())
        })
    }
    fn shared(&self) -> bool {
        true
    }
    fn writable(&self) -> Result<(), StoreError> {
        let since = *self.held_since.lock().unwrap_or_else(|p| p.into_inner());
        let age = since.elapsed();
        if self.lost.load(Ordering::SeqCst) {
            return Err(StoreError::Fenced {
                session: self.lease.key.to_string(),
                epoch: self.epoch,
            });
        }
        if age >= self.lease.timeout {
            return Err(StoreError::LeaseExpired {
                session: self.lease.key.to_string(),
                secs: age.as_secs_f64(),
            });
        }
        Ok(())
    }
    /// Reloads the session's row. If the lease was lost, takes it back first when it is free
    /// again (or ours), and fails with [`StoreError::Fenced`] while another engine holds it.
    fn refresh(&mut self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let started = std::time::Instant::now();
            let held = self.lease.timeout_ms();
            let key = self.lease.key.clone();
            let epoch = self.epoch;
            let still: u64 = self
                .lease
                .retrying(|| {
                    let db = self.lease.db.clone();
                    let key = key.clone();
                    async move {
                        let c = db.client().await?;
                        c.execute(
                            "UPDATE fix_leases SET expires_at = clock_timestamp() + $3::bigint * interval '1 millisecond'
                             WHERE session_key = $1 AND epoch = $2",
                            &[&&*key, &epoch, &held],
                        )
                        .await
                        .map_err(pg)
                    }
                })
                .await?;
            if still == 1 {
                held_at(&self.held_since, started);
            } else {
                match self.lease.retrying(|| self.lease.try_acquire()).await? {
                    Ok(epoch) => {
                        tracing::info!(session = %self.lease.key, epoch, "took the session lease back");
                        self.renewer.abort();
                        self.epoch = epoch;
                        self.lost = Arc::new(AtomicBool::new(false));
                        self.held_since = Arc::new(std::sync::Mutex::new(started));
                        self.renewer = spawn_renewer(
                            self.lease.clone(),
                            epoch,
                            self.lost.clone(),
                            self.held_since.clone(),
                        );
                    }
                    Err(_) => {
                        return Err(StoreError::Fenced {
                            session: self.lease.key.to_string(),
                            epoch: self.epoch,
                        })
                    }
                }
            }
            self.load().await
        })
    }
}
