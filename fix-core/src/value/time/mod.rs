//! UTC timestamps, times and dates, and local market dates and times.
//!
//! Formats (all digits ASCII, fixed width):
//!
//! * `YYYYMMDD-HH:MM:SS[.fraction]` for [`UtcTimestamp`]
//! * `HH:MM:SS[.fraction]` for [`UtcTimeOnly`], [`LocalMktTime`]
//! * `YYYYMMDD` for [`UtcDateOnly`], [`LocalMktDate`] (and the helper [`Date`])
//!
//! Ranges: year 0000 to 9999, month 01 to 12, day valid for the month (February 29 only in
//! Gregorian leap years), hour 00 to 23, minute 00 to 59, second 00 to 60 (60 is a leap
//! second). A value outside them is [`ValueError::Range`]; a wrong length, separator or
//! non-digit is [`ValueError::Format`].
//!
//! Fractions of a second: 3, 6 or 9 digits are the standard millisecond, microsecond and
//! nanosecond forms and round-trip unchanged. Other lengths from 1 to 9 are accepted and the
//! value is kept exactly, but the [`Precision`] is rounded up to the next class: `.5` and
//! `.12` are millis (written back as `.500` and `.120`), a 4-digit fraction such as `.1234` is
//! micros (written back as `.123400`), 7 or 8 digits are nanos. 10 to 12 digits (picosecond
//! forms allowed by later FIX versions) are accepted and truncated to nanoseconds. A `.` with
//! no digits, or more than 12 digits, is [`ValueError::Format`]. [`LocalMktTime`] follows the
//! same rules although FIX only defines `.sss` for it.
//!
//! Equality, ordering and hashing include the precision, so `12:00:00` and `12:00:00.000` are
//! different values (they have different wire forms); ordering is chronological first.

mod date;
mod date_only;
mod fast;
mod hms;
mod precision;
mod time_of_day;
mod timestamp;

pub use date::Date;
pub use date_only::{LocalMktDate, UtcDateOnly};
pub(crate) use fast::{check_utc_timestamp, quick_utc_time_only_ok, quick_utc_timestamp_ok};
pub(crate) use hms::Hms;
pub use precision::Precision;
pub use time_of_day::{LocalMktTime, UtcTimeOnly};
pub use timestamp::UtcTimestamp;
pub(crate) use timestamp::{parse_date_dash, unix_nanos};

const UTCTIMESTAMP: &str = "UTCTIMESTAMP";
const UTCTIMEONLY: &str = "UTCTIMEONLY";
const UTCDATEONLY: &str = "UTCDATEONLY";
const LOCALMKTDATE: &str = "LOCALMKTDATE";
const LOCALMKTTIME: &str = "LOCALMKTTIME";

#[cfg(test)]
mod tests;
