//! The ID formats and how a counter value of a day is written in each.

use std::time::SystemTime;

use chrono::{DateTime, Datelike, Utc};

/// How an [`IdGenerator`](super::IdGenerator) writes its counter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdFormat {
    /// `prefix` then the counter: `ORD1`, `ORD2`, ... (never restarts).
    Numeric {
        /// Written before the number (may be empty).
        prefix: String,
    },
    /// `prefix`, the UTC date and the day's counter: `20261207-1`, `20261207-2`, ...; the
    /// counter starts at 1 each UTC day.
    Dated {
        /// Written before the date (may be empty).
        prefix: String,
    },
    /// A branch code, a space and a zero-padded sequence of `width` digits, optionally
    /// followed by `/MMDDYYYY` (the NYSE style: `ABC 0001/12072026`). The sequence starts at 1
    /// each UTC day; when it passes the largest `width`-digit number the next branch code of
    /// the list takes over; when every code is used up the day's IDs are exhausted.
    BranchSequence {
        /// The branch codes, used in this order.
        branches: Vec<String>,
        /// Digits of the sequence (1 to 9).
        width: u32,
        /// Whether `/MMDDYYYY` follows the sequence.
        date_suffix: bool,
    },
}

impl IdFormat {
    /// [`IdFormat::Numeric`] with `prefix`.
    pub fn numeric(prefix: impl Into<String>) -> IdFormat {
        IdFormat::Numeric {
            prefix: prefix.into(),
        }
    }

    /// [`IdFormat::Dated`] with `prefix`.
    pub fn dated(prefix: impl Into<String>) -> IdFormat {
        IdFormat::Dated {
            prefix: prefix.into(),
        }
    }

    /// [`IdFormat::BranchSequence`] in the NYSE style: 4-digit sequences and the
    /// `/MMDDYYYY` suffix.
    pub fn branch_sequence<S: Into<String>>(branches: impl IntoIterator<Item = S>) -> IdFormat {
        IdFormat::BranchSequence {
            branches: branches.into_iter().map(Into::into).collect(),
            width: 4,
            date_suffix: true,
        }
    }

    /// Why the format cannot produce IDs, if it cannot.
    pub(crate) fn check(&self) -> Result<(), String> {
        let texts: Vec<&str> = match self {
            IdFormat::Numeric { prefix } | IdFormat::Dated { prefix } => vec![prefix],
            IdFormat::BranchSequence {
                branches, width, ..
            } => {
                if branches.is_empty() {
                    return Err("no branch codes".into());
                }
                if !(1..=9).contains(width) {
                    return Err(format!("sequence width {width} is not 1 to 9 digits"));
                }
                if branches.iter().any(String::is_empty) {
                    return Err("an empty branch code".into());
                }
                let mut sorted: Vec<&String> = branches.iter().collect();
                sorted.sort();
                if sorted.windows(2).any(|w| w[0] == w[1]) {
                    return Err("a branch code listed twice".into());
                }
                branches.iter().map(String::as_str).collect()
            }
        };
        match texts
            .iter()
            .find(|t| t.bytes().any(|b| b.is_ascii_control()))
        {
            Some(t) => Err(format!("{t:?} holds a control character")),
            None => Ok(()),
        }
    }

    /// Whether the counter starts again each UTC day.
    pub(crate) fn is_dated(&self) -> bool {
        !matches!(self, IdFormat::Numeric { .. })
    }

    /// How many IDs a day the format can write, if it is bounded.
    pub(crate) fn capacity_per_day(&self) -> Option<u64> {
        match self {
            IdFormat::BranchSequence {
                branches, width, ..
            } => Some(per_branch(*width).saturating_mul(branches.len() as u64)),
            _ => None,
        }
    }

    /// The ID of counter value `n` (from 1) on `day` (`YYYYMMDD`), `None` past the capacity.
    pub(crate) fn render(&self, day: u64, n: u64) -> Option<String> {
        match self {
            IdFormat::Numeric { prefix } => Some(format!("{prefix}{n}")),
            IdFormat::Dated { prefix } => Some(format!("{prefix}{day:08}-{n}")),
            IdFormat::BranchSequence {
                branches,
                width,
                date_suffix,
            } => {
                let per = per_branch(*width);
                let index = usize::try_from(n.checked_sub(1)? / per).ok()?;
                let branch = branches.get(index)?;
                let seq = (n - 1) % per + 1;
                let width = *width as usize;
                Some(if *date_suffix {
                    let (y, md) = (day / 10_000, day % 10_000);
                    format!("{branch} {seq:0width$}/{md:04}{y:04}")
                } else {
                    format!("{branch} {seq:0width$}")
                })
            }
        }
    }
}

/// Sequences of one branch code: 1 to the largest `width`-digit number.
fn per_branch(width: u32) -> u64 {
    10u64.pow(width) - 1
}

/// The UTC day of `now` as the number `YYYYMMDD`.
pub(crate) fn utc_day(now: SystemTime) -> u64 {
    let date = DateTime::<Utc>::from(now).date_naive();
    let year = u64::try_from(date.year()).unwrap_or(0);
    year * 10_000 + u64::from(date.month()) * 100 + u64::from(date.day())
}

/// `YYYYMMDD` of a day number.
pub(crate) fn day_text(day: u64) -> String {
    format!("{day:08}")
}
