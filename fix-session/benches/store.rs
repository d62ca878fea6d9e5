//! Store throughput: messages persisted per second by each store, one message per commit
//! (`save_and_increment`, what an awaited `send` costs) and 100 per commit (`save_batch`,
//! what the drivers' batched path does under load). Messages are 200-byte FIX.4.4 orders.
//!
//! ```text
//! cargo bench -p fix-session --bench store
//! FIX_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p fix-session --bench store
//! ```
//!
//! The PostgreSQL rows run when `FIX_TEST_POSTGRES_URL` is set (in a schema of their own,
//! dropped afterwards). Criterion reports elements (messages) per second.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fix_session::settings::{ConnectionType, SessionId, SessionSettings, StoreType, SyncPolicy};
use fix_session::store::{MessageStore, SettingsStoreFactory, SqliteSync, StoreFactory};

const BATCH: u64 = 100;

fn message(seq: u64) -> Vec<u8> {
    let mut m = format!(
        "8=FIX.4.4\x019=000\x0135=D\x0134={seq}\x0149=BANZAI\x0156=EXEC\x01\
         52=20261125-10:00:00.000\x0111=ORD-{seq}\x0121=1\x0155=AAPL\x0154=1\x01\
         60=20261125-10:00:00.000\x0138=100\x0140=2\x0144=187.25\x01"
    )
    .into_bytes();
    m.resize(196, b'X');
    m.extend_from_slice(b"\x0110=000\x01");
    m.truncate(200);
    m
}

struct Subject {
    name: &'static str,
    settings: SessionSettings,
}

fn subjects(dir: &std::path::Path, pg_schema: &str) -> Vec<Subject> {
    let base = || {
        SessionSettings::new(
            SessionId::new("FIX.4.4", "BANZAI", "EXEC"),
            ConnectionType::Initiator,
        )
    };
    let mut out = Vec::new();
    let mut s = base();
    s.store_type = StoreType::Memory;
    out.push(Subject {
        name: "memory",
        settings: s,
    });
    for (name, policy) in [
        ("file (no fsync)", SyncPolicy::Never),
        ("file (fsync)", SyncPolicy::Always),
    ] {
        let mut s = base();
        s.store_type = StoreType::File;
        s.file_store_path = Some(dir.join(name.replace(' ', "_")));
        s.file_store_sync = policy;
        out.push(Subject { name, settings: s });
    }
    for (name, sync) in [
        ("sqlite (synchronous=normal)", SqliteSync::Normal),
        ("sqlite (synchronous=full)", SqliteSync::Full),
    ] {
        let mut s = base();
        s.store_type = StoreType::Sqlite;
        s.sqlite_store_path = Some(dir.join(format!("{}.sqlite3", name.len())));
        s.sqlite_store_sync = sync;
        out.push(Subject { name, settings: s });
    }
    if let Ok(url) = std::env::var("FIX_TEST_POSTGRES_URL") {
        let mut s = base();
        s.store_type = StoreType::Postgres;
        s.postgres_store_url = Some(url);
        s.postgres_store_schema = pg_schema.to_string();
        out.push(Subject {
            name: "postgresql",
            settings: s,
        });
    } else {
        eprintln!("postgresql rows skipped: FIX_TEST_POSTGRES_URL is not set");
    }
    out
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temporary folder");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let pg_schema = format!("fix_bench_{}_{nanos:x}", std::process::id());
    let factory = SettingsStoreFactory::new();
    let mut group = c.benchmark_group("store");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for subject in subjects(dir.path(), &pg_schema) {
        let mut store: Box<dyn MessageStore> = rt
            .block_on(factory.create(&subject.settings))
            .unwrap_or_else(|e| panic!("{}: {e}", subject.name));
        let mut seq = store.next_sender_seq();
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("per-message commit", subject.name), |b| {
            b.iter_custom(|iters| {
                let msgs: Vec<Vec<u8>> = (0..iters).map(|i| message(seq + i)).collect();
                let start = Instant::now();
                rt.block_on(async {
                    for m in &msgs {
                        store.save_and_increment(seq, m).await.expect("save");
                        seq += 1;
                    }
                });
                start.elapsed()
            })
        });
        group.throughput(Throughput::Elements(BATCH));
        group.bench_function(BenchmarkId::new("100 per commit", subject.name), |b| {
            b.iter_custom(|iters| {
                let mut batches: Vec<Vec<(u64, Vec<u8>)>> = (0..iters)
                    .map(|i| {
                        (0..BATCH)
                            .map(|k| {
                                let q = seq + i * BATCH + k;
                                (q, message(q))
                            })
                            .collect()
                    })
                    .collect();
                let start = Instant::now();
                rt.block_on(async {
                    for batch in &mut batches {
                        store.save_batch(batch).await.expect("save batch");
                    }
                });
                seq += iters * BATCH;
                start.elapsed()
            })
        });
        drop(store);
    }
    group.finish();
    if let Ok(url) = std::env::var("FIX_TEST_POSTGRES_URL") {
        rt.block_on(async {
            if let Ok((c, conn)) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                tokio::spawn(conn);
                let _ = c
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{pg_schema}\" CASCADE"))
                    .await;
            }
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
