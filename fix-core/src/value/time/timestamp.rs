//! `UTCTIMESTAMP`: a UTC date and time.

use std::time::{SystemTime, UNIX_EPOCH};

use super::super::digits::Sink;
use super::super::{format, FixValue, ValueError};
use super::fast::fast_timestamp;
use super::{Date, Hms, Precision, UtcTimeOnly, UTCTIMESTAMP};
use crate::encode::Bounded;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i128 = 86_400;

/// A `UTCTIMESTAMP`: a UTC date and time with its wire precision,
/// `YYYYMMDD-HH:MM:SS[.sss[sss[sss]]]`.
///
/// Conversions to and from Unix time use the proleptic Gregorian calendar and ignore leap
/// seconds: second 60 is counted as the first second of the next minute.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UtcTimestamp {
    pub(super) date: Date,
    pub(super) time: Hms,
}

impl UtcTimestamp {
    /// A timestamp from its parts, or `None` if the hour is above 23, the minute above 59, the
    /// second above 60 or `nanos` is a second or more. `nanos` is truncated to `precision`.
    pub const fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        nanos: u32,
        precision: Precision,
    ) -> Option<UtcTimestamp> {
        match Hms::new(hour, minute, second, nanos, precision) {
            Some(time) => Some(UtcTimestamp { date, time }),
            None => None,
        }
    }

    /// A timestamp from a date and a time of day (which brings its precision).
    pub const fn from_date_time(date: Date, time: UtcTimeOnly) -> UtcTimestamp {
        UtcTimestamp {
            date,
            time: time.time,
        }
    }

    date_accessors!();
    hms_accessors!();

    /// The time of day.
    pub const fn time(&self) -> UtcTimeOnly {
        UtcTimeOnly { time: self.time }
    }

    /// The same instant with another precision; the fraction is truncated (not rounded) when
    /// the precision is lowered.
    pub const fn with_precision(self, precision: Precision) -> UtcTimestamp {
        let mut time = self.time;
        time.nanos = precision.truncate(time.nanos);
        time.precision = precision;
        UtcTimestamp {
            date: self.date,
            time,
        }
    }

    /// The timestamp `nanos` nanoseconds after 1970-01-01T00:00:00Z (before it if negative),
    /// truncated toward the past to `precision`; `None` outside years 0 to 9999.
    pub fn from_unix_nanos(nanos: i128, precision: Precision) -> Option<UtcTimestamp> {
        let seconds = nanos.div_euclid(NANOS_PER_SECOND);
        let fraction = u32::try_from(nanos.rem_euclid(NANOS_PER_SECOND)).ok()?;
        let days = i64::try_from(seconds.div_euclid(SECONDS_PER_DAY)).ok()?;
        let second_of_day = u32::try_from(seconds.rem_euclid(SECONDS_PER_DAY)).ok()?;
        let date = Date::from_days_since_epoch(days)?;
        // second_of_day < 86400, so each part fits in a u8.
        let hour = (second_of_day / 3600) as u8;
        let minute = (second_of_day / 60 % 60) as u8;
        let second = (second_of_day % 60) as u8;
        UtcTimestamp::new(date, hour, minute, second, fraction, precision)
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z (negative before it).
    pub fn to_unix_nanos(&self) -> i128 {
        unix_nanos(self.date, &self.time)
    }

    /// The timestamp of a system time, truncated to `precision`; `None` outside years 0 to
    /// 9999.
    pub fn from_system_time(time: SystemTime, precision: Precision) -> Option<UtcTimestamp> {
        let nanos = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_nanos()).ok()?,
            Err(before) => -i128::try_from(before.duration().as_nanos()).ok()?,
        };
        UtcTimestamp::from_unix_nanos(nanos, precision)
    }

    /// The current time from the system clock, truncated to `precision` (`None` only if the
    /// clock is outside years 0 to 9999).
    pub fn now(precision: Precision) -> Option<UtcTimestamp> {
        UtcTimestamp::from_system_time(SystemTime::now(), precision)
    }

    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
        self.date.write_to(out);
        out.put(b'-');
        self.time.write_to(out);
    }
}

/// Nanoseconds since the Unix epoch of a UTC date and time.
pub(crate) fn unix_nanos(date: Date, time: &Hms) -> i128 {
    let seconds = i128::from(date.days_since_epoch()) * SECONDS_PER_DAY + time.seconds_of_day();
    seconds * NANOS_PER_SECOND + i128::from(time.nanos)
}

/// Reads `YYYYMMDD-` and returns the date and the rest.
pub(crate) fn parse_date_dash<'a>(
    bytes: &'a [u8],
    expected: &'static str,
) -> Result<(Date, &'a [u8]), ValueError> {
    if bytes.is_empty() {
        return Err(ValueError::Empty);
    }
    match bytes.split_at_checked(8) {
        Some((date, [b'-', rest @ ..])) => Ok((Date::parse_as(date, expected)?, rest)),
        _ => Err(format(expected)),
    }
}

/// `PAIR_WORDS[n]` is `n % 100` as two ASCII digits in a little-endian word: indexed by any
/// `u8` without a division or a bounds check.
static PAIR_WORDS: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let n = i % 100;
        table[i] = (b'0' as u16 + (n / 10) as u16) | (b'0' as u16 + (n % 10) as u16) << 8;
        i += 1;
    }
    table
};

/// `n % 100` as two ASCII digits in the low 16 bits of a word, first digit lowest.
#[inline(always)]
fn pair_word(n: u8) -> u64 {
    u64::from(PAIR_WORDS[usize::from(n)])
}

impl Bounded for UtcTimestamp {
    const MAX: usize = 27;

    #[inline]
    fn fill(&self, out: &mut [u8]) -> usize {
        let Some(buf) = out.first_chunk_mut::<27>() else {
            return 0;
        };
        let year = self.date.year % 10_000;
        // `YYYYMMDD` and `-HH:MM:S`, then `S.` and the fraction: three word stores.
        let date = pair_word((year / 100) as u8)
            | pair_word((year % 100) as u8) << 16
            | pair_word(self.date.month) << 32
            | pair_word(self.date.day) << 48;
        let second = pair_word(self.time.second);
        let time = u64::from(b'-')
            | pair_word(self.time.hour) << 8
            | u64::from(b':') << 24
            | pair_word(self.time.minute) << 32
            | u64::from(b':') << 48
            | (second & 0xff) << 56;
        if let Some((d, rest)) = buf.split_first_chunk_mut::<8>() {
            *d = date.to_le_bytes();
            if let Some((t, rest)) = rest.split_first_chunk_mut::<8>() {
                *t = time.to_le_bytes();
                if let Some(s) = rest.first_chunk_mut::<2>() {
                    *s = [(second >> 8) as u8, b'.'];
                }
            }
        }
        // Below a second by construction; the bound keeps the digit count right regardless.
        let nanos = self.time.nanos.min(999_999_999);
        // The fraction's digits, two at a time, right-aligned before `at`.
        let (mut v, mut at) = match self.time.precision {
            Precision::Seconds => return 17,
            Precision::Millis => (nanos / 1_000_000, 21),
            Precision::Micros => (nanos / 1_000, 24),
            Precision::Nanos => (nanos, 27),
        };
        let len = at;
        while at > 19 {
            at -= 2;
            if let Some(pair) = buf.get_mut(at..at + 2) {
                pair.copy_from_slice(&PAIR_WORDS[(v % 100) as usize].to_le_bytes());
            }
            v /= 100;
        }
        if at == 19 {
            buf[18] = b'0' + (v % 10) as u8;
        }
        len
    }
}

impl FixValue for UtcTimestamp {
    fn write(&self, out: &mut Vec<u8>) {
        // Formatted on the stack and appended at once: one capacity check, not one per byte.
        let mut buf = [0u8; 27];
        let len = self.fill(&mut buf);
        out.extend_from_slice(&buf[..len]);
    }

    #[inline]
    fn put_field(&self, w: &mut crate::Writer<'_>, prefix: &[u8]) {
        w.put_bounded(prefix, self);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        if let Some(ts) = fast_timestamp(bytes) {
            return Ok(ts);
        }
        let (date, rest) = parse_date_dash(bytes, UTCTIMESTAMP)?;
        if rest.is_empty() {
            return Err(format(UTCTIMESTAMP));
        }
        let time = Hms::parse_exact(rest, UTCTIMESTAMP)?;
        Ok(UtcTimestamp { date, time })
    }
}

wire_string_impls!(UtcTimestamp, "a UTC timestamp as YYYYMMDD-HH:MM:SS[.sss]");
