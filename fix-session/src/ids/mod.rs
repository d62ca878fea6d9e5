//! ClOrdID and other ID generators: unique across engine restarts, safe to share between
//! tasks.
//!
//! A venue rejects a reused ClOrdID, and after a restart an order sent with a reused one may
//! even be taken for a duplicate. An [`IdGenerator`] therefore never hands out an ID whose
//! counter value it has not first *reserved* in durable storage: it reserves a block of
//! counter values (by default 1,000) with one write, hands them out from memory with one
//! atomic add each, and reserves the next block when the block runs out. After a crash the
//! generator resumes after the last reserved block: the unused rest of that block is skipped,
//! never reused.
//!
//! The formats ([`IdFormat`]):
//! - [`IdFormat::Numeric`]: `1`, `2`, ... with an optional prefix (`ORD1`, `ORD2`, ...);
//! - [`IdFormat::Dated`]: `YYYYMMDD-n`, the counter starting at 1 each UTC day;
//! - [`IdFormat::BranchSequence`]: a branch code and a fixed-width sequence per day, as
//!   venues in the NYSE style prescribe (`ABC 0001/12072026`): when one branch code's
//!   sequence is used up for the day the next code of the list takes over.
//!
//! Where the reservations live ([`Reservations`]): [`SqliteReservations`] keeps them in a
//! table of the engine's SQLite store file (the default store's file), `PostgresReservations`
//! (feature `postgres`) in a table of the engine's PostgreSQL store database,
//! [`FileReservations`] in a small file per generator, [`MemoryReservations`] nowhere
//! (tests).
//!
//! ```
//! use fix_session::ids::{IdFormat, IdGenerator, MemoryReservations};
//! let ids = IdGenerator::new("orders", IdFormat::numeric("ORD"), MemoryReservations::default())?;
//! assert_eq!(ids.next_id()?, "ORD1");
//! assert_eq!(ids.next_id()?, "ORD2");
//! # Ok::<(), fix_session::ids::IdError>(())
//! ```

mod format;
mod reservations;
#[cfg(test)]
mod tests;

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::Mutex;
use std::time::SystemTime;

pub use format::IdFormat;
#[cfg(feature = "postgres")]
pub use reservations::PostgresReservations;
pub use reservations::{
    FileReservations, MemoryReservations, Reservation, Reservations, SqliteReservations,
};

/// Why an ID could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The reservation could not be read or written.
    #[error("ID generator {name}: reservation store: {source}")]
    Store {
        /// The generator's name.
        name: String,
        /// What failed.
        #[source]
        source: crate::store::StoreError,
    },
    /// Every ID the format allows for this day has been handed out.
    #[error("ID generator {name}: every ID of {day} is used ({capacity} a day)")]
    Exhausted {
        /// The generator's name.
        name: String,
        /// The UTC day, `YYYYMMDD`.
        day: String,
        /// How many IDs the format allows a day.
        capacity: u64,
    },
    /// The format cannot produce any ID (for example a branch list that is empty).
    #[error("ID generator {name}: {problem}")]
    Format {
        /// The generator's name.
        name: String,
        /// What is wrong.
        problem: String,
    },
}

/// Counter values reserved per write, unless [`IdGenerator::with_block`] says otherwise.
pub const DEFAULT_BLOCK: u64 = 1_000;

/// A generator of unique IDs in one [`IdFormat`], its counter reserved in durable storage
/// ahead of use. Cheap to share: `&self` methods, one atomic add per ID while the reserved
/// block lasts.
pub struct IdGenerator {
    name: String,
    format: IdFormat,
    block: u64,
    store: Box<dyn Reservations>,
    /// The next counter value to hand out.
    next: AtomicU64,
    /// The reserved block: its UTC day and end (exclusive), changed under this lock only.
    reserved: Mutex<Reservation>,
    /// Mirror of `reserved.end` for the lock-free path (0: nothing reserved yet).
    end: AtomicU64,
    /// Mirror of `reserved.day`, for dated formats.
    day: AtomicU64,
}

impl std::fmt::Debug for IdGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdGenerator")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("next", &self.next.load(Relaxed))
            .finish()
    }
}

impl IdGenerator {
    /// A generator named `name` (the key of its reservation: one name per generator and
    /// store), reserving [`DEFAULT_BLOCK`] counter values per write. It resumes right after
    /// whatever `store` holds for that name and reserves its first block at once, so a store
    /// that cannot be written fails here rather than at the first order.
    pub fn new(
        name: impl Into<String>,
        format: IdFormat,
        store: impl Reservations + 'static,
    ) -> Result<IdGenerator, IdError> {
        IdGenerator::with_block(name, format, store, DEFAULT_BLOCK)
    }

    /// [`IdGenerator::new`] reserving `block` counter values per write: larger blocks write
    /// less often and skip more values after each restart.
    pub fn with_block(
        name: impl Into<String>,
        format: IdFormat,
        store: impl Reservations + 'static,
        block: u64,
    ) -> Result<IdGenerator, IdError> {
        IdGenerator::create(
            name.into(),
            format,
            Box::new(store),
            block,
            SystemTime::now(),
        )
    }

    /// The constructors' work, with the clock reading that picks the first block's day.
    fn create(
        name: String,
        format: IdFormat,
        store: Box<dyn Reservations>,
        block: u64,
        now: SystemTime,
    ) -> Result<IdGenerator, IdError> {
        format.check().map_err(|problem| IdError::Format {
            name: name.clone(),
            problem,
        })?;
        let loaded = store.load(&name).map_err(|source| IdError::Store {
            name: name.clone(),
            source,
        })?;
        let last = loaded.unwrap_or(Reservation { day: 0, end: 1 });
        let ids = IdGenerator {
            name,
            format,
            block: block.max(1),
            store,
            next: AtomicU64::new(last.end),
            end: AtomicU64::new(last.end),
            day: AtomicU64::new(last.day),
            reserved: Mutex::new(last),
        };
        ids.reserve(ids.today(now).max(last.day))?;
        Ok(ids)
    }

    /// The generator's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next ID, for the current time.
    pub fn next_id(&self) -> Result<String, IdError> {
        self.next_id_at(SystemTime::now())
    }

    /// The next ID as of `now` (its UTC day for the dated formats).
    pub fn next_id_at(&self, now: SystemTime) -> Result<String, IdError> {
        let today = self.today(now);
        loop {
            // A clock behind the reserved day goes on in that day's numbering.
            let day = today.max(self.day.load(SeqCst));
            let n = self.next.load(SeqCst);
            if self.day.load(SeqCst) != day || n >= self.end.load(SeqCst) {
                self.reserve(day)?;
                continue;
            }
            // The counter only moves from a value below the block's end, so it never passes
            // the end and no value is lost at a block boundary. Taken, the value is ours if
            // the day did not change meanwhile (see `reserve` for the order of its stores).
            if self
                .next
                .compare_exchange_weak(n, n + 1, SeqCst, SeqCst)
                .is_ok()
                && self.day.load(SeqCst) == day
            {
                return self.render(day, n);
            }
        }
    }

    fn today(&self, now: SystemTime) -> u64 {
        if self.format.is_dated() {
            format::utc_day(now)
        } else {
            0
        }
    }

    fn render(&self, day: u64, n: u64) -> Result<String, IdError> {
        self.format
            .render(day, n)
            .ok_or_else(|| IdError::Exhausted {
                name: self.name.clone(),
                day: format::day_text(day),
                capacity: self.format.capacity_per_day().unwrap_or(u64::MAX),
            })
    }

    /// Reserves the next block (of `day`, starting the counter again on a new day) and
    /// publishes it to the lock-free path. Another thread may have done it meanwhile: then
    /// this returns at once.
    fn reserve(&self, day: u64) -> Result<(), IdError> {
        let mut reserved = self
            .reserved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let open = self.day.load(SeqCst) == day && self.next.load(SeqCst) < self.end.load(SeqCst);
        if open {
            return Ok(());
        }
        let new_day = day > reserved.day;
        // The same day goes on after the last reservation; a new day starts at 1.
        let start = if new_day { 1 } else { reserved.end };
        if let Some(cap) = self.format.capacity_per_day() {
            if start > cap {
                return Err(IdError::Exhausted {
                    name: self.name.clone(),
                    day: format::day_text(day),
                    capacity: cap,
                });
            }
        }
        let next = Reservation {
            day: day.max(reserved.day),
            end: start.saturating_add(self.block),
        };
        self.store
            .save(&self.name, next)
            .map_err(|source| IdError::Store {
                name: self.name.clone(),
                source,
            })?;
        *reserved = next;
        if new_day {
            // The counter goes back to 1: close the block first, so that a thread still on
            // the old day that takes a value of the new counter sees either the closed end
            // or (after it) the new day, and retries in both cases.
            self.end.store(0, SeqCst);
            self.next.store(start, SeqCst);
            self.day.store(next.day, SeqCst);
        }
        // On the same day the counter stopped at the old end, which is where the new block
        // starts.
        self.end.store(next.end, SeqCst);
        Ok(())
    }
}
