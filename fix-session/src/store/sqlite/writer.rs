//! The writer thread of an SQLite database file and its checkpointer.
//!
//! Every store of a file sends its work to one writer thread, which owns the connection.
//! Saves waiting together (from any session) are committed in one transaction: one WAL
//! append and, under `synchronous=FULL`, one fsync shared by all of them (group commit).
//! Automatic checkpoints are off on the writer's connection; a second thread with its own
//! connection copies the WAL back into the database (`wal_checkpoint(PASSIVE)`, which does
//! not block the writer) once enough has been written, so no session's save waits for a
//! checkpoint. After a complete checkpoint SQLite writes the WAL from its start again: the
//! file keeps its size and is reused rather than grown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};
use std::sync::Arc;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use super::write_rows;

/// At most this many saves in one transaction.
const MAX_GROUP: usize = 1024;
/// The checkpointer is woken after this many message bytes were committed.
const CHECKPOINT_BYTES: usize = 4 << 20;

/// A batch of one session's outgoing messages to save (and perhaps its next target sequence
/// number), answered with the result and the emptied vector (to be reused).
pub(super) struct Save {
    pub(super) key: Arc<str>,
    pub(super) messages: Vec<(u64, Vec<u8>)>,
    pub(super) next_target: Option<u64>,
    pub(super) done: oneshot::Sender<SaveResult>,
}

/// What a [`Save`] is answered with: the result and the messages' vector back.
pub(super) type SaveResult = (rusqlite::Result<()>, Vec<(u64, Vec<u8>)>);

/// What a writer has committed since its file was opened (see
/// [`super::SqliteDatabase::commit_stats`]).
#[derive(Debug, Default)]
pub(super) struct Counters {
    commits: AtomicU64,
    saves: AtomicU64,
    messages: AtomicU64,
}

/// Counts of a database's group commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitStats {
    /// Transactions committed with saves in them (under `FULL`, one fsync each).
    pub commits: u64,
    /// Saves (one session's batch each) in them.
    pub saves: u64,
    /// Messages in them.
    pub messages: u64,
}

impl Counters {
    pub(super) fn get(&self) -> CommitStats {
        CommitStats {
            commits: self.commits.load(Ordering::Relaxed),
            saves: self.saves.load(Ordering::Relaxed),
            messages: self.messages.load(Ordering::Relaxed),
        }
    }
}

/// Work for the writer thread.
pub(super) enum Job {
    /// Saves, committed together with the other saves waiting.
    Save(Save),
    /// Anything else (reads, resets, sequence numbers), run in its turn; it answers itself.
    Call(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// Starts the writer thread on `conn` (and, with `checkpoints`, the checkpointer on that
/// second connection to the same file); returns where to send jobs. The threads end once
/// every sender is dropped and the jobs sent are done.
pub(super) fn start(
    name: &str,
    conn: Connection,
    checkpoints: Connection,
    counters: Arc<Counters>,
) -> std::io::Result<Sender<Job>> {
    let (jobs_tx, jobs) = mpsc::channel();
    let (wake_tx, wake) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name(format!("{name}-checkpoint"))
        .spawn(move || checkpointer(checkpoints, wake))?;
    std::thread::Builder::new()
        .name(format!("{name}-writer"))
        .spawn(move || writer(conn, jobs, wake_tx, &counters))?;
    Ok(jobs_tx)
}

fn writer(
    mut conn: Connection,
    jobs: Receiver<Job>,
    checkpoint: SyncSender<()>,
    counters: &Counters,
) {
    let mut held: Option<Job> = None;
    let mut group: Vec<Save> = Vec::new();
    let mut unchecked = 0usize;
    loop {
        let job = match held.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        match job {
            Job::Call(f) => f(&mut conn),
            Job::Save(s) => {
                group.push(s);
                while group.len() < MAX_GROUP {
                    match jobs.try_recv() {
                        Ok(Job::Save(s)) => group.push(s),
                        Ok(other) => {
                            held = Some(other);
                            break;
                        }
                        Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                    }
                }
                unchecked += commit_group(&mut conn, &mut group, counters);
                // A full channel means a checkpoint is due already.
                if unchecked >= CHECKPOINT_BYTES && checkpoint.try_send(()).is_ok() {
                    unchecked = 0;
                }
            }
        }
    }
}

/// Commits `group` (emptied) in one transaction and answers each save; returns the message
/// bytes written. If the transaction fails, each save is tried alone so that one session's
/// failure is not the others'.
fn commit_group(conn: &mut Connection, group: &mut Vec<Save>, counters: &Counters) -> usize {
    let bytes = group
        .iter()
        .flat_map(|s| &s.messages)
        .map(|(_, m)| m.len())
        .sum();
    let together = transaction(conn, |tx| {
        group
            .iter()
            .try_for_each(|s| write_rows(tx, &s.key, &s.messages, s.next_target))
    });
    if together.is_ok() {
        counters.commits.fetch_add(1, Ordering::Relaxed);
        counters
            .saves
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        let messages = group.iter().map(|s| s.messages.len() as u64).sum::<u64>();
        counters.messages.fetch_add(messages, Ordering::Relaxed);
    }
    match together {
        Ok(()) => {
            for s in group.drain(..) {
                let _ = s.done.send((Ok(()), s.messages));
            }
        }
        Err(e) if group.len() == 1 => {
            if let Some(s) = group.pop() {
                let _ = s.done.send((Err(e), s.messages));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, saves = group.len(), "sqlite group commit failed: saving one by one");
            for s in group.drain(..) {
                let r = transaction(conn, |tx| {
                    write_rows(tx, &s.key, &s.messages, s.next_target)
                });
                let _ = s.done.send((r, s.messages));
            }
        }
    }
    bytes
}

fn transaction(
    conn: &mut Connection,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    f(&tx)?;
    tx.commit()
}

fn checkpointer(conn: Connection, wake: Receiver<()>) {
    while wake.recv().is_ok() {
        let r = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match r {
            Ok((log, done)) => {
                tracing::debug!(wal_frames = log, checkpointed = done, "sqlite checkpoint")
            }
            Err(e) => tracing::warn!(error = %e, "sqlite checkpoint failed"),
        }
    }
}
