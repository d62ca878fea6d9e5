//! The engine's event loops: a fixed set of single-threaded tokio runtimes, one per core,
//! each on its own thread, shared by every acceptor and initiator of the process.
//!
//! Each session's task is placed on one loop (round robin) and stays there: its socket reads
//! and writes, timers, store calls and the application's callbacks all run on that loop's
//! thread, so handling a message wakes no other thread. Thousands of sessions share the
//! loops (a parked loop costs no CPU). The loops start with the first driver and live as
//! long as the process.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle};
use tokio::task::JoinHandle;

/// The process's event loops.
pub(super) struct Loops {
    handles: Vec<Handle>,
    next: AtomicUsize,
}

static LOOPS: OnceLock<Loops> = OnceLock::new();

/// Environment variable overriding the number of event loops (default: one per core).
pub const THREADS_ENV: &str = "FIX_ENGINE_THREADS";

impl Loops {
    /// The process's loops, started on first use. A loop whose thread or runtime cannot be
    /// created is left out; with none at all, tasks run on the caller's runtime.
    pub(super) fn get() -> &'static Loops {
        LOOPS.get_or_init(|| {
            let n = std::env::var(THREADS_ENV)
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let handles = (0..n).filter_map(start_loop).collect();
            Loops {
                handles,
                next: AtomicUsize::new(0),
            }
        })
    }

    /// Spawns `task` on the next loop (round robin).
    pub(super) fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.handles.len() {
            0 => tokio::spawn(task),
            n => {
                let i = self.next.fetch_add(1, Ordering::Relaxed) % n;
                self.handles[i].spawn(task)
            }
        }
    }
}

/// Starts loop `i` on its own thread; `None` (logged) if the runtime or thread cannot be
/// created.
fn start_loop(i: usize) -> Option<Handle> {
    let rt = match Builder::new_current_thread()
        .enable_all()
        .thread_name(format!("fix-loop-{i}"))
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(loop_index = i, error = %e, "could not build an event loop");
            return None;
        }
    };
    let handle = rt.handle().clone();
    let spawned = std::thread::Builder::new()
        .name(format!("fix-loop-{i}"))
        .spawn(move || rt.block_on(std::future::pending::<()>()));
    match spawned {
        Ok(_) => Some(handle),
        Err(e) => {
            tracing::error!(loop_index = i, error = %e, "could not start an event loop thread");
            None
        }
    }
}
