use super::*;

#[tokio::test]
async fn migrates_once_and_keeps_sessions_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/engine.sqlite3");
    let db = SqliteDatabase::open(&path, SqliteSync::Normal).unwrap();
    assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as u32);
    let mut a = db.store(&SessionId::new("FIX.4.4", "A", "B")).unwrap();
    let mut b = db.store(&SessionId::new("FIX.4.4", "A", "C")).unwrap();
    a.save_and_increment(1, b"a1").await.unwrap();
    b.set_next_target_seq(9).await.unwrap();
    drop((a, b, db));
    // Reopening does not migrate again and finds both sessions' rows.
    let db = SqliteDatabase::open(&path, SqliteSync::Full).unwrap();
    assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as u32);
    let mut a = db.store(&SessionId::new("FIX.4.4", "A", "B")).unwrap();
    let b = db.store(&SessionId::new("FIX.4.4", "A", "C")).unwrap();
    assert_eq!((a.next_sender_seq(), a.next_target_seq()), (2, 1));
    assert_eq!((b.next_sender_seq(), b.next_target_seq()), (1, 9));
    assert_eq!(a.get(1, 1).await.unwrap(), vec![(1, b"a1".to_vec())]);
    let journal: String = db
        .with(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.sqlite3");
    std::fs::write(&path, b"this is not an SQLite database, just some text").unwrap();
    let e = SqliteDatabase::open(&path, SqliteSync::Full).unwrap_err();
    assert!(e.to_string().contains("bad.sqlite3"), "{e}");
}

#[tokio::test]
async fn sessions_saving_at_once_share_commits() {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteDatabase::open(&dir.path().join("group.sqlite3"), SqliteSync::Full).unwrap();
    let sessions = 40;
    let batches = 10u64;
    let mut stores: Vec<SqliteStore> = (0..sessions)
        .map(|i| {
            db.store(&SessionId::new("FIX.4.4", "US", &format!("S{i}")))
                .unwrap()
        })
        .collect();
    let saves = stores.iter_mut().map(|store| async move {
        let mut batch = Vec::with_capacity(2);
        for b in 0..batches {
            let seq = 2 * b + 1;
            batch.push((seq, format!("m{seq}").into_bytes()));
            batch.push((seq + 1, format!("m{}", seq + 1).into_bytes()));
            let capacity = batch.capacity();
            store.save_batch(&mut batch).await.unwrap();
            // The batch's vector comes back empty, its room kept for the next batch.
            assert!(batch.is_empty() && batch.capacity() >= capacity);
        }
    });
    futures_join_all(saves).await;
    for store in &mut stores {
        assert_eq!(store.next_sender_seq(), 2 * batches + 1);
        let got = store.get(1, 2 * batches).await.unwrap();
        assert_eq!(got.len() as u64, 2 * batches);
        assert_eq!(got[4], (5, b"m5".to_vec()));
    }
    let stats = db.commit_stats();
    assert_eq!(stats.saves, sessions as u64 * batches);
    assert_eq!(stats.messages, 2 * sessions as u64 * batches);
    assert!(
        stats.commits < stats.saves / 2,
        "saves waiting together were committed together: {stats:?}"
    );
}

/// Runs every future of `futs` to completion, concurrently on the current task.
async fn futures_join_all<F: std::future::Future<Output = ()>>(futs: impl Iterator<Item = F>) {
    let mut set: Vec<std::pin::Pin<Box<F>>> = futs.map(Box::pin).collect();
    std::future::poll_fn(|cx| {
        set.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if set.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}

#[tokio::test]
async fn a_batch_and_its_target_are_in_the_file_once_saved() {
    // Saved through the writer thread; the file reopened (a new writer) has both.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.sqlite3");
    let id = SessionId::new("FIX.4.4", "A", "B");
    let mut s = SqliteStore::open(&path, &id, SqliteSync::Normal).unwrap();
    let mut batch = vec![(1, b"one".to_vec()), (2, b"two".to_vec())];
    s.save_batch_and_target(&mut batch, 7).await.unwrap();
    drop(s);
    let s = SqliteStore::open(&path, &id, SqliteSync::Normal).unwrap();
    assert_eq!((s.next_sender_seq(), s.next_target_seq()), (3, 7));
}
