//! The durability levels of the default (SQLite) store, one message per save as an awaited
//! send persists it: the save's latency with one session, and the rate and messages per
//! commit with 1 and 100 sessions saving at once (under `power-loss`, a commit is one fsync,
//! shared by the sessions whose saves waited together). One `write` + `fdatasync` of 200
//! bytes on the same disk is measured first, for scale.
//!
//! ```text
//! cargo bench -p fix-session --bench durability
//! cargo bench -p fix-session --bench durability -- 2000   # saves per session
//! ```
#![allow(missing_docs)]

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fix_session::settings::SessionId;
use fix_session::store::{MessageStore, SqliteDatabase, SqliteStore, SqliteSync};

fn message(seq: u64) -> Vec<u8> {
    let mut m =
        format!("8=FIX.4.4\x019=000\x0135=D\x0134={seq}\x0149=BANZAI\x0156=EXEC\x01").into_bytes();
    m.resize(200, b'X');
    m
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

fn line(name: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    println!(
        "{name:<44} p50 {:>8.1} us  p99 {:>8.1} us  p99.9 {:>8.1} us",
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        percentile(&samples, 0.999)
    );
}

fn fsync(dir: &std::path::Path, n: usize) -> std::io::Result<Vec<Duration>> {
    let mut f = std::fs::File::create(dir.join("fsync.bin"))?;
    let block = [b'x'; 200];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f.write_all(&block)?;
        f.sync_data()?;
        out.push(t.elapsed());
    }
    Ok(out)
}

/// `sessions` stores saving `per` one-message batches each, all at once; returns every
/// save's latency, the elapsed time and the database's commit counts.
async fn run(
    db: &Arc<SqliteDatabase>,
    sessions: usize,
    per: u64,
    tag: &str,
) -> (Vec<Duration>, Duration) {
    let mut tasks = Vec::new();
    let start = Instant::now();
    for i in 0..sessions {
        let id = SessionId::new("FIX.4.4", "US", &format!("{tag}{i}"));
        let mut store: SqliteStore = db.store(&id).expect("open the session's store");
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per as usize);
            let mut batch = Vec::with_capacity(1);
            for seq in 1..=per {
                batch.push((seq, message(seq)));
                let t = Instant::now();
                store.save_batch(&mut batch).await.expect("save");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    (all, start.elapsed())
}

fn main() {
    let per: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temporary folder");
    line(
        "write + fdatasync, 200 bytes",
        fsync(dir.path(), per as usize).expect("fsync"),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    for (level, sync) in [
        ("process-crash", SqliteSync::Normal),
        ("power-loss", SqliteSync::Full),
    ] {
        let path = dir.path().join(format!("{level}.sqlite3"));
        let db = SqliteDatabase::open(&path, sync).expect("open");
        for sessions in [1usize, 100] {
            let per_session = if sessions == 1 {
                per
            } else {
                (per / 10).max(10)
            };
            let before = db.commit_stats();
            let (lat, elapsed) =
                rt.block_on(run(&db, sessions, per_session, &format!("s{sessions}-")));
            let after = db.commit_stats();
            let messages = after.messages - before.messages;
            let commits = (after.commits - before.commits).max(1);
            println!(
                "{level:<14} {sessions:>3} sessions: {:>9.0} msg/s, {:>6.1} messages per commit ({messages} in {commits})",
                messages as f64 / elapsed.as_secs_f64(),
                messages as f64 / commits as f64,
            );
            line(
                &format!("  {level}, {sessions} sessions, save latency"),
                lat,
            );
        }
    }
}
