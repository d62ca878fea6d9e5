//! The PostgreSQL store read through a connection whose transactions are read-only; no
//! lease is taken, so a running engine is not disturbed.

use tokio_postgres::{Client, NoTls};

use super::{StoreReader, StoredSession};
use crate::settings::SessionSettings;
use crate::store::postgres::{ident, pg};
use crate::store::sqlite::{from_nanos, seq_from_i64, seq_to_i64};
use crate::store::{StoreError, StoreFuture};

pub(super) struct Reader {
    client: Client,
    key: String,
    /// Whether the engine's tables exist in the schema.
    tables: bool,
}

impl Reader {
    pub(super) async fn connect(settings: &SessionSettings) -> Result<Reader, StoreError> {
        let url = settings.postgres_store_url.clone().ok_or_else(|| {
            StoreError::Config(format!(
                "session {}: set PostgreSQLStoreURL (or PostgreSQLStoreHost/Database/User) for the PostgreSQL store",
                settings.id
            ))
        })?;
        let (client, connection) = tokio_postgres::connect(&url, NoTls).await.map_err(pg)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "postgres store reader connection closed");
            }
        });
        let schema = ident(&settings.postgres_store_schema);
        client
            .batch_execute(&format!(
                "SET application_name TO 'fix store (read-only)';
                 SET default_transaction_read_only TO on;
                 SET search_path TO {schema}"
            ))
            .await
            .map_err(pg)?;
        let tables = client
            .query_one(
                "SELECT to_regclass('fix_sessions') IS NOT NULL AND to_regclass('fix_messages') IS NOT NULL",
                &[],
            )
            .await
            .map_err(pg)?
            .get::<_, bool>(0);
        Ok(Reader {
            client,
            key: settings.id.to_string(),
            tables,
        })
    }
}

impl StoreReader for Reader {
    fn session(&mut self) -> StoreFuture<'_, Option<StoredSession>> {
        Box::pin(async move {
            if !self.tables {
                return Ok(None);
            }
            let row = self
                .client
                .query_opt(
                    "SELECT next_sender, next_target, creation_time,
                            (SELECT count(*) FROM fix_messages m WHERE m.session_key = s.session_key)
                     FROM fix_sessions s WHERE session_key = $1",
                    &[&self.key],
                )
                .await
                .map_err(pg)?;
            Ok(row.map(|r| StoredSession {
                next_sender_seq: seq_from_i64(r.get(0)),
                next_target_seq: seq_from_i64(r.get(1)),
                creation_time: from_nanos(r.get(2)),
                message_count: seq_from_i64(r.get(3)),
            }))
        })
    }

    fn messages(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        Box::pin(async move {
            if !self.tables {
                return Ok(Vec::new());
            }
            let rows = self
                .client
                .query(
                    "SELECT seq, body FROM fix_messages
                     WHERE session_key = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
                    &[&self.key, &seq_to_i64(begin), &seq_to_i64(end)],
                )
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| (seq_from_i64(r.get(0)), r.get::<_, Vec<u8>>(1)))
                .collect())
        })
    }
}
