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

use std::time::{SystemTime, UNIX_EPOCH};

use super::digits::{read_digits, write_padded, Sink};
use super::{format, range, FixValue, ValueError};
use crate::encode::Bounded;
use crate::scan::{digits_in, ONES};

const UTCTIMESTAMP: &str = "UTCTIMESTAMP";
const UTCTIMEONLY: &str = "UTCTIMEONLY";
const UTCDATEONLY: &str = "UTCDATEONLY";
const LOCALMKTDATE: &str = "LOCALMKTDATE";
const LOCALMKTTIME: &str = "LOCALMKTTIME";

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i128 = 86_400;

/// Days before the first of each month in a common year.
const DAYS_BEFORE_MONTH: [u16; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Days from 0000-01-01 to 1970-01-01 in the proleptic Gregorian calendar.
const EPOCH_FROM_YEAR_ZERO: i64 = start_of_year(1970);

/// Days from 0000-01-01 to 10000-01-01 (one past the last supported day).
const DAYS_IN_RANGE: i64 = start_of_year(10_000);

/// Leap years in years 0 to `year - 1` (year 0 is a leap year).
const fn leap_years_before(year: i64) -> i64 {
    if year <= 0 {
        0
    } else {
        let last = year - 1;
        last / 4 - last / 100 + last / 400 + 1
    }
}

/// Days from 0000-01-01 to January 1 of `year` (`year >= 0`).
const fn start_of_year(year: i64) -> i64 {
    365 * year + leap_years_before(year)
}

/// A calendar date (proleptic Gregorian), year 0 to 9999; the wire form is `YYYYMMDD`.
///
/// Used inside the timestamp types and on its own as the value of [`UtcDateOnly`] and
/// [`LocalMktDate`]; it also reads and writes `YYYYMMDD` itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, or `None` if the month is not 1 to 12, the day does not exist in that month
    /// (leap years included) or the year is above 9999.
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year > 9999 {
            return None;
        }
        match Date::days_in_month(year, month) {
            Some(last) if day >= 1 && day <= last => Some(Date { year, month, day }),
            _ => None,
        }
    }

    /// The year, 0 to 9999.
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// True if `year` is a Gregorian leap year (divisible by 4, and by 400 if by 100).
    pub const fn is_leap_year(year: u16) -> bool {
        year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
    }

    /// The number of days in `month` (1 to 12) of `year`, or `None` for another month number.
    pub const fn days_in_month(year: u16, month: u8) -> Option<u8> {
        Some(match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if Date::is_leap_year(year) => 29,
            2 => 28,
            _ => return None,
        })
    }

    /// Days since 1970-01-01 (negative before it).
    pub const fn days_since_epoch(&self) -> i64 {
        let year = self.year as i64;
        // `month` is 1 to 12 by construction; `% 12` keeps the index obviously in bounds.
        let mut day_of_year = DAYS_BEFORE_MONTH[(self.month as usize - 1) % 12] as i64;
        if self.month > 2 && Date::is_leap_year(self.year) {
            day_of_year += 1;
        }
        day_of_year += self.day as i64 - 1;
        start_of_year(year) + day_of_year - EPOCH_FROM_YEAR_ZERO
    }

    /// The date `days` days after 1970-01-01, or `None` if it is outside years 0 to 9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let from_zero = days.checked_add(EPOCH_FROM_YEAR_ZERO)?;
        if !(0..DAYS_IN_RANGE).contains(&from_zero) {
            return None;
        }
        // Average Gregorian year is 146097 / 400 days; the estimate is off by at most one.
        let mut year = from_zero * 400 / 146_097;
        while start_of_year(year + 1) <= from_zero {
            year += 1;
        }
        while start_of_year(year) > from_zero {
            year -= 1;
        }
        let year = u16::try_from(year).ok()?;
        let mut day_of_year = u16::try_from(from_zero - start_of_year(i64::from(year))).ok()?;
        let leap = Date::is_leap_year(year);
        let mut month = 12u8;
        for (index, &before) in DAYS_BEFORE_MONTH.iter().enumerate().rev() {
            let before = before + u16::from(leap && index >= 2);
            if day_of_year >= before {
                day_of_year -= before;
                month = u8::try_from(index + 1).ok()?;
                break;
            }
        }
        Date::new(year, month, u8::try_from(day_of_year + 1).ok()?)
    }

    /// Reads `YYYYMMDD`; errors name `expected`.
    pub(crate) fn parse_as(bytes: &[u8], expected: &'static str) -> Result<Date, ValueError> {
        let [y @ .., m1, m2, d1, d2] = bytes else {
            return Err(if bytes.is_empty() {
                ValueError::Empty
            } else {
                format(expected)
            });
        };
        if y.len() != 4 {
            return Err(format(expected));
        }
        let year = read_digits(y).ok_or(format(expected))?;
        let month = read_digits(&[*m1, *m2]).ok_or(format(expected))?;
        let day = read_digits(&[*d1, *d2]).ok_or(format(expected))?;
        // All three have at most 4 digits, so the narrowing casts are lossless.
        Date::new(year as u16, month as u8, day as u8).ok_or(range(expected))
    }

    pub(crate) fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
        write_padded(out, u32::from(self.year), 4);
        write_padded(out, u32::from(self.month), 2);
        write_padded(out, u32::from(self.day), 2);
    }
}

impl FixValue for Date {
    const SOH_FREE: bool = true;

    fn write(&self, out: &mut Vec<u8>) {
        self.write_to(out);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        Date::parse_as(bytes, UTCDATEONLY)
    }
}

wire_string_impls!(Date, "a date as YYYYMMDD");

/// How many digits of a fraction of a second a time value carries on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Precision {
    /// No fraction: `HH:MM:SS`.
    #[default]
    Seconds,
    /// Milliseconds: `HH:MM:SS.sss`.
    Millis,
    /// Microseconds: `HH:MM:SS.ssssss`.
    Micros,
    /// Nanoseconds: `HH:MM:SS.sssssssss`.
    Nanos,
}

impl Precision {
    /// The number of fraction digits: 0, 3, 6 or 9.
    pub const fn digits(self) -> usize {
        match self {
            Precision::Seconds => 0,
            Precision::Millis => 3,
            Precision::Micros => 6,
            Precision::Nanos => 9,
        }
    }

    /// The smallest precision that can hold `digits` fraction digits (0 gives seconds, 1 to 3
    /// millis, 4 to 6 micros, 7 to 9 nanos); `None` above 9.
    pub const fn for_digits(digits: usize) -> Option<Precision> {
        Some(match digits {
            0 => Precision::Seconds,
            1..=3 => Precision::Millis,
            4..=6 => Precision::Micros,
            7..=9 => Precision::Nanos,
            _ => return None,
        })
    }

    /// The length of one unit in nanoseconds: 1,000,000,000 for seconds down to 1 for nanos.
    pub const fn unit_nanos(self) -> u32 {
        match self {
            Precision::Seconds => 1_000_000_000,
            Precision::Millis => 1_000_000,
            Precision::Micros => 1_000,
            Precision::Nanos => 1,
        }
    }

    /// `nanos` truncated to a multiple of this precision's unit.
    pub const fn truncate(self, nanos: u32) -> u32 {
        nanos - nanos % self.unit_nanos()
    }
}

/// A validated time of day with its wire precision (shared by all time types).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(crate) struct Hms {
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
    pub(crate) nanos: u32,
    pub(crate) precision: Precision,
}

/// A parsed `HH:MM[:SS[.fraction]]` and what follows it.
pub(crate) struct TimePrefix<'a> {
    pub(crate) hms: Hms,
    pub(crate) has_seconds: bool,
    pub(crate) rest: &'a [u8],
}

impl Hms {
    /// Checks ranges; `nanos` is truncated to `precision`.
    pub(crate) const fn new(
        hour: u8,
        minute: u8,
        second: u8,
        nanos: u32,
        precision: Precision,
    ) -> Option<Hms> {
        if hour > 23 || minute > 59 || second > 60 || nanos >= 1_000_000_000 {
            return None;
        }
        Some(Hms {
            hour,
            minute,
            second,
            nanos: precision.truncate(nanos),
            precision,
        })
    }

    /// Seconds since midnight (a leap second counts as second 60 of its minute).
    fn seconds_of_day(&self) -> i128 {
        i128::from(self.hour) * 3600 + i128::from(self.minute) * 60 + i128::from(self.second)
    }

    /// Reads `HH:MM`, then `:SS` (required if `seconds_required`), then `.fraction` (only
    /// after seconds), and returns the rest unread. Errors name `expected`; an empty slice is a format error.
    pub(crate) fn parse_prefix<'a>(
        bytes: &'a [u8],
        seconds_required: bool,
        expected: &'static str,
    ) -> Result<TimePrefix<'a>, ValueError> {
        let [h1, h2, b':', m1, m2, after_minutes @ ..] = bytes else {
            return Err(format(expected));
        };
        let hour = read_digits(&[*h1, *h2]).ok_or(format(expected))?;
        let minute = read_digits(&[*m1, *m2]).ok_or(format(expected))?;
        let mut rest = after_minutes;
        let mut second = 0;
        let mut has_seconds = false;
        if let [b':', s1, s2, after_seconds @ ..] = rest {
            second = read_digits(&[*s1, *s2]).ok_or(format(expected))?;
            has_seconds = true;
            rest = after_seconds;
        } else if seconds_required {
            return Err(format(expected));
        }
        let mut nanos = 0;
        let mut precision = Precision::Seconds;
        if has_seconds {
            if let [b'.', fraction @ ..] = rest {
                let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
                if count == 0 || count > 12 {
                    return Err(format(expected));
                }
                let kept = count.min(9);
                let value = read_digits(&fraction[..kept]).ok_or(format(expected))?;
                // `kept` is 1 to 9, so the exponent is 0 to 8.
                nanos = value * 10u32.pow(9 - kept as u32);
                precision = Precision::for_digits(kept).ok_or(format(expected))?;
                rest = &fraction[count..];
            }
        }
        // Each field has two digits, so the narrowing casts are lossless.
        let hms = Hms::new(hour as u8, minute as u8, second as u8, nanos, precision)
            .ok_or(range(expected))?;
        Ok(TimePrefix {
            hms,
            has_seconds,
            rest,
        })
    }

    /// Reads exactly `HH:MM:SS[.fraction]` (an empty slice is [`ValueError::Empty`]).
    fn parse_exact(bytes: &[u8], expected: &'static str) -> Result<Hms, ValueError> {
        if bytes.is_empty() {
            return Err(ValueError::Empty);
        }
        let prefix = Hms::parse_prefix(bytes, true, expected)?;
        if prefix.rest.is_empty() {
            Ok(prefix.hms)
        } else {
            Err(format(expected))
        }
    }

    /// Writes `HH:MM`.
    pub(crate) fn write_hm<S: Sink + ?Sized>(&self, out: &mut S) {
        write_padded(out, u32::from(self.hour), 2);
        out.put(b':');
        write_padded(out, u32::from(self.minute), 2);
    }

    /// Writes `:SS[.fraction]` with the precision's number of digits.
    pub(crate) fn write_seconds<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b':');
        write_padded(out, u32::from(self.second), 2);
        let digits = self.precision.digits();
        if digits > 0 {
            out.put(b'.');
            write_padded(out, self.nanos / self.precision.unit_nanos(), digits);
        }
    }

    /// Writes `HH:MM:SS[.fraction]`.
    pub(crate) fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
        self.write_hm(out);
        self.write_seconds(out);
    }
}

/// A `UTCTIMESTAMP`: a UTC date and time with its wire precision,
/// `YYYYMMDD-HH:MM:SS[.sss[sss[sss]]]`.
///
/// Conversions to and from Unix time use the proleptic Gregorian calendar and ignore leap
/// seconds: second 60 is counted as the first second of the next minute.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UtcTimestamp {
    date: Date,
    time: Hms,
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

/// Powers of ten for scaling a fraction of 1 to 9 digits to nanoseconds.
const NANO_SCALE: [u32; 10] = [
    1_000_000_000,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// The usual shapes of a `UTCTIMESTAMP` (`YYYYMMDD-HH:MM:SS` with an optional fraction of 1
/// to 12 digits) read in one pass; `None` for anything else, including every invalid value,
/// which the general parser then reads (and reports) as before.
#[inline]
fn fast_timestamp(bytes: &[u8]) -> Option<UtcTimestamp> {
    let head: &[u8; 17] = bytes.first_chunk()?;
    let date_word = u64::from_le_bytes(*head.first_chunk::<8>()?);
    let time_word = u64::from_le_bytes(*head.last_chunk::<8>()?);
    if head[8] != b'-' {
        return None;
    }
    if !digits_in(date_word, u64::MAX) {
        return None;
    }
    let d = date_word - ONES * u64::from(b'0');
    let t = hms_digits(time_word)?;
    // Pairs of digits: byte 2k * 10 + byte 2k+1.
    let pair =
        |w: u64, k: u32| ((w >> (16 * k)) & 0xFF) as u8 * 10 + ((w >> (16 * k + 8)) & 0xFF) as u8;
    let year = u16::from(pair(d, 0)) * 100 + u16::from(pair(d, 1));
    let (month, day) = (pair(d, 2), pair(d, 3));
    // The time word starts at byte 9: H H : M M : S S, as pairs at bytes 0, 3 and 6.
    let hour = (t & 0xFF) as u8 * 10 + ((t >> 8) & 0xFF) as u8;
    let minute = ((t >> 24) & 0xFF) as u8 * 10 + ((t >> 32) & 0xFF) as u8;
    let second = ((t >> 48) & 0xFF) as u8 * 10 + ((t >> 56) & 0xFF) as u8;
    let date = Date::new(year, month, day)?;
    let (nanos, precision) = match &bytes[17..] {
        [] => (0, Precision::Seconds),
        [b'.', fraction @ ..] if !fraction.is_empty() && fraction.len() <= 12 => {
            let kept = fraction.len().min(9);
            let mut value = 0u32;
            for &b in &fraction[..kept] {
                let d = b.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                value = value * 10 + u32::from(d);
            }
            if !fraction[kept..].iter().all(u8::is_ascii_digit) {
                return None;
            }
            (value * NANO_SCALE[kept], Precision::for_digits(kept)?)
        }
        _ => return None,
    };
    let time = Hms::new(hour, minute, second, nanos, precision)?;
    Some(UtcTimestamp { date, time })
}

/// The colons of `HH:MM:SS` read as a little-endian word.
const COLONS: u64 = 0x0000_3A00_003A_0000;

/// The digits of `HH:MM:SS` read as a little-endian word, each byte minus '0' and the colons
/// zero; `None` unless the colons are in place and the rest are digits.
#[inline(always)]
fn hms_digits(word: u64) -> Option<u64> {
    if word & 0x0000_FF00_00FF_0000 != COLONS {
        return None;
    }
    // The colons replaced by '0': then all eight bytes must be digits.
    let digits = word ^ COLONS ^ ((ONES * u64::from(b'0')) & 0x0000_FF00_00FF_0000);
    digits_in(digits, u64::MAX).then(|| digits - ONES * u64::from(b'0'))
}

/// Whether `word` holds `HH:MM:SS` with an hour up to 23, a minute up to 59 and a second up
/// to 60.
#[inline(always)]
fn hms_word_ok(word: u64) -> bool {
    let Some(t) = hms_digits(word) else {
        return false;
    };
    // Each byte times ten plus the next: the hour, minute and second land in bytes 0, 3 and
    // 6 (at most 99, no carries). Subtracted from 0x80 plus its limit, each keeps its top
    // bit exactly when it is within the limit; no borrow crosses bytes.
    const AT: u64 = 0x00FF_0000_FF00_00FF;
    const TOPS: u64 = 0x0080_0000_8000_0080;
    const LIMITS: u64 = TOPS | 60 << 48 | 59 << 24 | 23;
    let pairs = (t.wrapping_mul(10).wrapping_add(t >> 8)) & AT;
    LIMITS.wrapping_sub(pairs) & TOPS == TOPS
}

/// Whether what follows the seconds is nothing or `.` and 1 to 12 digits.
#[inline(always)]
fn fraction_ok(rest: &[u8]) -> bool {
    match rest {
        [] => true,
        [b'.', fraction @ ..] => fraction.len() <= 12 && crate::scan::all_digits(fraction),
        _ => false,
    }
}

/// `true` exactly when [`fast_timestamp`] reads `bytes`: a valid `UTCTIMESTAMP` of the usual
/// shapes, checked by range without building the value.
#[inline]
pub(crate) fn quick_utc_timestamp_ok(bytes: &[u8]) -> bool {
    let Some(head) = bytes.first_chunk::<17>() else {
        return false;
    };
    let (Some(date), Some(time)) = (head.first_chunk::<8>(), head.last_chunk::<8>()) else {
        return false;
    };
    let date = u64::from_le_bytes(*date);
    if head[8] != b'-' || !digits_in(date, u64::MAX) {
        return false;
    }
    let d = date - ONES * u64::from(b'0');
    if !hms_word_ok(u64::from_le_bytes(*time)) {
        return false;
    }
    // Each digit times ten plus the next (no carries): the year's halves in bytes 0 and 2,
    // the month in byte 4, the day in byte 6.
    let pairs = d.wrapping_mul(10).wrapping_add(d >> 8);
    let (month, day) = ((pairs >> 32) as u8, (pairs >> 48) as u8);
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            let year = u16::from(pairs as u8) * 100 + u16::from((pairs >> 16) as u8);
            if Date::is_leap_year(year) {
                29
            } else {
                28
            }
        }
        _ => return false,
    };
    day.wrapping_sub(1) < last && fraction_ok(&bytes[17..])
}

/// `true` only for a valid `UTCTIMEONLY` (`HH:MM:SS` and an optional fraction of 1 to 12
/// digits), checked by range without building the value: the verdict of
/// [`UtcTimeOnly`]'s `parse`.
#[inline]
pub(crate) fn quick_utc_time_only_ok(bytes: &[u8]) -> bool {
    match bytes.first_chunk::<8>() {
        Some(time) => hms_word_ok(u64::from_le_bytes(*time)) && fraction_ok(&bytes[8..]),
        None => false,
    }
}

/// Checks a `UTCTIMESTAMP` without building it; the same verdict as
/// [`FixValue::parse`] for [`UtcTimestamp`].
pub(crate) fn check_utc_timestamp(bytes: &[u8]) -> Result<(), ValueError> {
    if fast_timestamp(bytes).is_some() {
        return Ok(());
    }
    UtcTimestamp::parse(bytes).map(drop)
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

/// A time-of-day FIX type (`HH:MM:SS[.sss[sss[sss]]]`) wrapping an `Hms`: constructor,
/// accessors, precision, codec and string forms; the types differ in name and meaning only.
macro_rules! time_of_day_type {
    ($(#[$doc:meta])* $name:ident, $type_name:expr, $described:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            time: Hms,
        }

        impl $name {
            /// The time, or `None` if the hour is above 23, the minute above 59, the second
            /// above 60 or `nanos` is a second or more. `nanos` is truncated to `precision`.
            pub const fn new(
                hour: u8,
                minute: u8,
                second: u8,
                nanos: u32,
                precision: Precision,
            ) -> Option<$name> {
                match Hms::new(hour, minute, second, nanos, precision) {
                    Some(time) => Some($name { time }),
                    None => None,
                }
            }

            hms_accessors!();

            /// The same time with another precision, truncating the fraction when lowering
            /// it.
            pub const fn with_precision(self, precision: Precision) -> $name {
                let mut time = self.time;
                time.nanos = precision.truncate(time.nanos);
                time.precision = precision;
                $name { time }
            }

            fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
                self.time.write_to(out);
            }
        }

        impl FixValue for $name {
            const SOH_FREE: bool = true;

            fn write(&self, out: &mut Vec<u8>) {
                self.write_to(out);
            }

            fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
                Hms::parse_exact(bytes, $type_name).map(|time| $name { time })
            }
        }

        wire_string_impls!($name, $described);
    };
}

time_of_day_type!(
    /// A `UTCTIMEONLY`: a UTC time of day with its wire precision, `HH:MM:SS[.sss[sss[sss]]]`.
    UtcTimeOnly,
    UTCTIMEONLY,
    "a UTC time as HH:MM:SS[.sss]"
);

time_of_day_type!(
    /// A `LOCALMKTTIME`: a time of day in the market's local time zone, `HH:MM:SS[.sss]`.
    ///
    /// Fractions follow the same rules as [`UtcTimeOnly`].
    LocalMktTime,
    LOCALMKTTIME,
    "a local market time as HH:MM:SS[.sss]"
);

/// A date-only FIX type (`YYYYMMDD`) wrapping a [`Date`]: constructors, accessors, codec
/// and string forms; the types differ in name and meaning only.
macro_rules! date_type {
    ($(#[$doc:meta])* $name:ident, $type_name:expr, $described:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            date: Date,
        }

        impl $name {
            /// The date, or `None` if it does not exist (see [`Date::new`]).
            pub const fn new(year: u16, month: u8, day: u8) -> Option<$name> {
                match Date::new(year, month, day) {
                    Some(date) => Some($name { date }),
                    None => None,
                }
            }

            /// Wraps a date.
            pub const fn from_date(date: Date) -> $name {
                $name { date }
            }

            date_accessors!();

            fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
                self.date.write_to(out);
            }
        }

        impl FixValue for $name {
            const SOH_FREE: bool = true;

            fn write(&self, out: &mut Vec<u8>) {
                self.write_to(out);
            }

            fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
                Date::parse_as(bytes, $type_name).map(|date| $name { date })
            }
        }

        wire_string_impls!($name, $described);
    };
}

date_type!(
    /// A `UTCDATEONLY`: a UTC date, `YYYYMMDD`.
    UtcDateOnly,
    UTCDATEONLY,
    "a UTC date as YYYYMMDD"
);

date_type!(
    /// A `LOCALMKTDATE`: a date in the market's local time zone, `YYYYMMDD`.
    LocalMktDate,
    LOCALMKTDATE,
    "a local market date as YYYYMMDD"
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn text<T: FixValue>(v: &T) -> String {
        let mut out = Vec::new();
        v.write(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    fn ts(s: &str) -> UtcTimestamp {
        match UtcTimestamp::parse(s.as_bytes()) {
            Ok(t) => t,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn date(y: u16, m: u8, d: u8) -> Date {
        match Date::new(y, m, d) {
            Some(d) => d,
            None => panic!("invalid test date {y}-{m}-{d}"),
        }
    }

    // ---- Date ----

    #[test]
    fn leap_years() {
        assert!(Date::is_leap_year(2000));
        assert!(Date::is_leap_year(2024));
        assert!(Date::is_leap_year(0));
        assert!(!Date::is_leap_year(1900));
        assert!(!Date::is_leap_year(2023));
        assert!(!Date::is_leap_year(2100));
        assert_eq!(Date::days_in_month(2024, 2), Some(29));
        assert_eq!(Date::days_in_month(2023, 2), Some(28));
        assert_eq!(Date::days_in_month(2023, 4), Some(30));
        assert_eq!(Date::days_in_month(2023, 13), None);
    }

    #[test]
    fn date_construction_checks_ranges() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2024, 2, 30).is_none());
        assert!(Date::new(2024, 4, 31).is_none());
        assert!(Date::new(2024, 13, 1).is_none());
        assert!(Date::new(2024, 0, 1).is_none());
        assert!(Date::new(2024, 1, 0).is_none());
        assert!(Date::new(10000, 1, 1).is_none());
        assert!(Date::new(9999, 12, 31).is_some());
        assert!(Date::new(0, 1, 1).is_some());
    }

    #[test]
    fn date_wire_form() {
        for s in ["20240229", "00000101", "99991231", "19700101", "20001231"] {
            assert_eq!(
                Date::parse(s.as_bytes()).map(|d| text(&d)),
                Ok(s.to_owned())
            );
        }
        let d = UtcDateOnly::parse(b"20240229");
        assert_eq!(d.map(|d| (d.year(), d.month(), d.day())), Ok((2024, 2, 29)));
        assert_eq!(UtcDateOnly::parse(b""), Err(ValueError::Empty));
        assert_eq!(UtcDateOnly::parse(b"20241301"), Err(range(UTCDATEONLY)));
        assert_eq!(UtcDateOnly::parse(b"20240230"), Err(range(UTCDATEONLY)));
        assert_eq!(LocalMktDate::parse(b"20230229"), Err(range(LOCALMKTDATE)));
        assert_eq!(
            LocalMktDate::parse(b"20240229").map(|d| text(&d)),
            Ok("20240229".to_owned())
        );
        assert_eq!(LocalMktDate::parse(b"20240100"), Err(range(LOCALMKTDATE)));
        for bad in [
            &b"2024022"[..],
            b"202402290",
            b"2024-02-29",
            b"2024022a",
            b"-2024022",
            b"2024 229",
        ] {
            assert_eq!(UtcDateOnly::parse(bad), Err(format(UTCDATEONLY)), "{bad:?}");
        }
    }

    #[test]
    fn epoch_days_known_values() {
        assert_eq!(date(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(date(1969, 12, 31).days_since_epoch(), -1);
        // 951868800 s / 86400 s per day.
        assert_eq!(date(2000, 3, 1).days_since_epoch(), 11_017);
        // 1970..2023 is 54 years with 13 leap days (1972..=2020), then Jan (31) + 28 days.
        assert_eq!(
            date(2024, 2, 29).days_since_epoch(),
            54 * 365 + 13 + 31 + 28
        );
        assert_eq!(Date::from_days_since_epoch(0), Some(date(1970, 1, 1)));
        assert_eq!(Date::from_days_since_epoch(11_017), Some(date(2000, 3, 1)));
        assert_eq!(Date::from_days_since_epoch(-719_528), Some(date(0, 1, 1)));
        assert_eq!(Date::from_days_since_epoch(-719_529), None);
        assert_eq!(
            Date::from_days_since_epoch(2_932_896),
            Some(date(9999, 12, 31))
        );
        assert_eq!(Date::from_days_since_epoch(2_932_897), None);
        assert_eq!(Date::from_days_since_epoch(i64::MAX), None);
        assert_eq!(Date::from_days_since_epoch(i64::MIN), None);
    }

    /// Walks every day from 0000-01-01 to 9999-12-31 with a naive "next day" and checks that
    /// the day numbers are consecutive in both directions.
    #[test]
    fn every_day_converts_both_ways() {
        let (mut y, mut m, mut d) = (0u16, 1u8, 1u8);
        let mut expected = -719_528i64;
        loop {
            let current = date(y, m, d);
            assert_eq!(current.days_since_epoch(), expected);
            assert_eq!(Date::from_days_since_epoch(expected), Some(current));
            if (y, m, d) == (9999, 12, 31) {
                break;
            }
            expected += 1;
            d += 1;
            if Some(d) > Date::days_in_month(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }

    // ---- Precision ----

    #[test]
    fn precision_classes() {
        assert_eq!(Precision::for_digits(0), Some(Precision::Seconds));
        assert_eq!(Precision::for_digits(1), Some(Precision::Millis));
        assert_eq!(Precision::for_digits(3), Some(Precision::Millis));
        assert_eq!(Precision::for_digits(4), Some(Precision::Micros));
        assert_eq!(Precision::for_digits(7), Some(Precision::Nanos));
        assert_eq!(Precision::for_digits(10), None);
        assert_eq!(Precision::Micros.digits(), 6);
        assert_eq!(Precision::Millis.truncate(123_456_789), 123_000_000);
        assert_eq!(Precision::Seconds.truncate(999_999_999), 0);
    }

    // ---- UtcTimestamp ----

    #[test]
    fn timestamp_fill_writes_every_part() {
        let precisions = [
            Precision::Seconds,
            Precision::Millis,
            Precision::Micros,
            Precision::Nanos,
        ];
        for (y, mo, d, h, mi, sec, nanos) in [
            (2024u16, 1u8, 2u8, 10u8, 11u8, 12u8, 345_678_901u32),
            (1, 12, 31, 23, 59, 60, 999_999_999),
            (9999, 2, 28, 0, 0, 0, 0),
            (1970, 6, 9, 9, 5, 7, 1_002_003),
        ] {
            for p in precisions {
                let date = Date::new(y, mo, d).unwrap_or_else(|| panic!("{y}-{mo}-{d}"));
                let ts = UtcTimestamp::new(date, h, mi, sec, nanos, p)
                    .unwrap_or_else(|| panic!("{h}:{mi}:{sec}"));
                let digits = p.digits();
                let fraction = format!("{:09}", p.truncate(nanos));
                let mut expected = format!("{y:04}{mo:02}{d:02}-{h:02}:{mi:02}:{sec:02}");
                if digits > 0 {
                    expected.push('.');
                    expected.push_str(&fraction[..digits]);
                }
                let mut out = [b'x'; 28];
                let n = ts.fill(&mut out);
                assert_eq!(std::str::from_utf8(&out[..n]), Ok(expected.as_str()));
                let mut written = Vec::new();
                ts.write(&mut written);
                assert_eq!(written, expected.as_bytes());
            }
        }
    }

    #[test]
    fn timestamp_precision_round_trips() {
        for (s, p) in [
            ("20240229-23:59:59", Precision::Seconds),
            ("20240229-23:59:59.999", Precision::Millis),
            ("20240229-23:59:59.000001", Precision::Micros),
            ("20240229-23:59:59.000000001", Precision::Nanos),
            ("20240229-00:00:00.000", Precision::Millis),
            ("00000101-00:00:00", Precision::Seconds),
            ("99991231-23:59:60.999999999", Precision::Nanos),
        ] {
            let t = ts(s);
            assert_eq!(t.precision(), p, "{s}");
            assert_eq!(text(&t), s);
            assert_eq!(t.to_string(), s);
        }
    }

    #[test]
    fn timestamp_fields() {
        let t = ts("20240229-23:58:57.123456");
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.nanos()
            ),
            (2024, 2, 29, 23, 58, 57, 123_456_000)
        );
        assert_eq!(t.date(), date(2024, 2, 29));
        assert_eq!(t.time().to_string(), "23:58:57.123456");
        assert_eq!(UtcTimestamp::from_date_time(t.date(), t.time()), t);
    }

    #[test]
    fn odd_fraction_lengths_round_up_to_the_next_class() {
        let t = ts("20240229-12:00:00.5");
        assert_eq!((t.precision(), t.nanos()), (Precision::Millis, 500_000_000));
        assert_eq!(t.to_string(), "20240229-12:00:00.500");
        // Four digits are micros, not millis: nothing is lost.
        let t = ts("20240229-12:00:00.1234");
        assert_eq!((t.precision(), t.nanos()), (Precision::Micros, 123_400_000));
        assert_eq!(t.to_string(), "20240229-12:00:00.123400");
        let t = ts("20240229-12:00:00.1234567");
        assert_eq!((t.precision(), t.nanos()), (Precision::Nanos, 123_456_700));
        // Picoseconds are truncated to nanoseconds.
        let t = ts("20240229-12:00:00.123456789999");
        assert_eq!((t.precision(), t.nanos()), (Precision::Nanos, 123_456_789));
    }

    #[test]
    fn timestamp_rejections() {
        let f = Err(format(UTCTIMESTAMP));
        let r = Err(range(UTCTIMESTAMP));
        assert_eq!(UtcTimestamp::parse(b""), Err(ValueError::Empty));
        for bad in [
            "20240229",
            "20240229-",
            "20240229 12:00:00",
            "20240229-12:00",
            "20240229-12:00:0",
            "20240229-12:00:00.",
            "20240229-12:00:00.1234567890123",
            "20240229-12:00:00.12a",
            "20240229-12:00:00Z",
            "20240229-12-00-00",
            "2024022-12:00:00",
            "20240229-1:00:00",
            "20240229-12:00:00 ",
            "2024O229-12:00:00",
        ] {
            assert_eq!(UtcTimestamp::parse(bad.as_bytes()), f, "{bad}");
        }
        for bad in [
            "20241301-00:00:00",
            "20240001-00:00:00",
            "20240230-00:00:00",
            "20230229-00:00:00",
            "20240229-24:00:00",
            "20240229-23:60:00",
            "20240229-23:59:61",
        ] {
            assert_eq!(UtcTimestamp::parse(bad.as_bytes()), r, "{bad}");
        }
    }

    #[test]
    fn unix_nanos_known_values() {
        const NS: i128 = 1_000_000_000;
        let epoch = ts("19700101-00:00:00");
        assert_eq!(epoch.to_unix_nanos(), 0);
        assert_eq!(
            UtcTimestamp::from_unix_nanos(0, Precision::Seconds),
            Some(epoch)
        );

        let y2k = ts("20000301-00:00:00");
        assert_eq!(y2k.to_unix_nanos(), 951_868_800 * NS);
        assert_eq!(
            UtcTimestamp::from_unix_nanos(951_868_800 * NS, Precision::Seconds),
            Some(y2k)
        );

        // 2024-03-01T00:00:00Z is 1709251200 (19783 days * 86400); one nanosecond before it:
        let leap_day = ts("20240229-23:59:59.999999999");
        let expected = (54 * 365 + 13 + 31 + 29) * 86_400 * NS - 1;
        assert_eq!(expected, 1_709_251_200 * NS - 1);
        assert_eq!(leap_day.to_unix_nanos(), expected);
        assert_eq!(
            UtcTimestamp::from_unix_nanos(expected, Precision::Nanos),
            Some(leap_day)
        );
        assert_eq!(
            UtcTimestamp::from_unix_nanos(expected, Precision::Millis).map(|t| t.to_string()),
            Some("20240229-23:59:59.999".to_owned())
        );

        // Half a second before the epoch.
        let before = UtcTimestamp::from_unix_nanos(-NS / 2, Precision::Millis);
        assert_eq!(
            before.map(|t| t.to_string()),
            Some("19691231-23:59:59.500".to_owned())
        );
        assert_eq!(before.map(|t| t.to_unix_nanos()), Some(-NS / 2));

        // Range ends.
        let first = ts("00000101-00:00:00");
        assert_eq!(first.to_unix_nanos(), -719_528 * 86_400 * NS);
        assert_eq!(
            UtcTimestamp::from_unix_nanos(first.to_unix_nanos() - 1, Precision::Nanos),
            None
        );
        let last = ts("99991231-23:59:59.999999999");
        assert_eq!(
            UtcTimestamp::from_unix_nanos(last.to_unix_nanos(), Precision::Nanos),
            Some(last)
        );
        assert_eq!(
            UtcTimestamp::from_unix_nanos(last.to_unix_nanos() + 1, Precision::Nanos),
            None
        );
        assert_eq!(
            UtcTimestamp::from_unix_nanos(i128::MAX, Precision::Nanos),
            None
        );
        assert_eq!(
            UtcTimestamp::from_unix_nanos(i128::MIN, Precision::Nanos),
            None
        );

        // A leap second counts as the next minute's first second.
        assert_eq!(
            ts("20161231-23:59:60").to_unix_nanos(),
            ts("20170101-00:00:00").to_unix_nanos()
        );
    }

    #[test]
    fn system_time_conversions() {
        let t = UNIX_EPOCH + Duration::new(951_868_800, 123_456_789);
        let from = UtcTimestamp::from_system_time(t, Precision::Micros);
        assert_eq!(
            from.map(|t| t.to_string()),
            Some("20000301-00:00:00.123456".to_owned())
        );
        let t = UNIX_EPOCH - Duration::from_millis(1500);
        let from = UtcTimestamp::from_system_time(t, Precision::Millis);
        assert_eq!(
            from.map(|t| t.to_string()),
            Some("19691231-23:59:58.500".to_owned())
        );
        let now = UtcTimestamp::now(Precision::Seconds);
        assert!(now.is_some_and(|n| n.year() >= 2024 && n.precision() == Precision::Seconds));
    }

    #[test]
    fn with_precision_truncates() {
        let t = ts("20240229-23:59:59.987654321");
        assert_eq!(
            t.with_precision(Precision::Micros).to_string(),
            "20240229-23:59:59.987654"
        );
        assert_eq!(
            t.with_precision(Precision::Millis).to_string(),
            "20240229-23:59:59.987"
        );
        assert_eq!(
            t.with_precision(Precision::Seconds).to_string(),
            "20240229-23:59:59"
        );
        let coarse = ts("20240229-23:59:59.5");
        assert_eq!(
            coarse.with_precision(Precision::Nanos).to_string(),
            "20240229-23:59:59.500000000"
        );
    }

    #[test]
    fn constructors_check_ranges() {
        let d = date(2024, 2, 29);
        assert!(UtcTimestamp::new(d, 24, 0, 0, 0, Precision::Seconds).is_none());
        assert!(UtcTimestamp::new(d, 0, 60, 0, 0, Precision::Seconds).is_none());
        assert!(UtcTimestamp::new(d, 0, 0, 61, 0, Precision::Seconds).is_none());
        assert!(UtcTimestamp::new(d, 0, 0, 0, 1_000_000_000, Precision::Nanos).is_none());
        let t = UtcTimestamp::new(d, 23, 59, 60, 123_456_789, Precision::Millis);
        assert_eq!(
            t.map(|t| (t.nanos(), t.to_string())),
            Some((123_000_000, "20240229-23:59:60.123".to_owned()))
        );
        assert!(UtcTimeOnly::new(23, 59, 59, 0, Precision::Seconds).is_some());
        assert!(UtcTimeOnly::new(24, 0, 0, 0, Precision::Seconds).is_none());
        assert!(LocalMktTime::new(9, 30, 0, 0, Precision::Seconds).is_some());
        assert!(LocalMktTime::new(9, 60, 0, 0, Precision::Seconds).is_none());
        assert!(UtcDateOnly::new(2023, 2, 29).is_none());
        assert!(LocalMktDate::new(2024, 2, 29).is_some());
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(ts("20240229-23:59:59") < ts("20240301-00:00:00"));
        assert!(ts("20231231-23:59:59.999") < ts("20240101-00:00:00.000"));
        assert!(ts("20240101-00:00:00.001") < ts("20240101-00:00:00.002"));
        assert_ne!(ts("20240101-00:00:00"), ts("20240101-00:00:00.000"));
        assert!(date(2023, 12, 31) < date(2024, 1, 1));
    }

    #[test]
    fn serde_uses_the_wire_string() {
        let t = ts("20240229-23:59:59.999");
        assert_eq!(
            serde_json::to_string(&t).ok(),
            Some("\"20240229-23:59:59.999\"".to_owned())
        );
        let back: Result<UtcTimestamp, _> = serde_json::from_str("\"20240229-23:59:59.999\"");
        assert_eq!(back.ok(), Some(t));
        let bad: Result<UtcTimestamp, _> = serde_json::from_str("\"20240230-23:59:59\"");
        assert!(bad.is_err());
        let d = date(2024, 2, 29);
        assert_eq!(
            serde_json::to_string(&d).ok(),
            Some("\"20240229\"".to_owned())
        );
        let t = UtcTimeOnly::parse(b"07:05:03.250");
        assert_eq!(
            t.ok().and_then(|t| serde_json::to_string(&t).ok()),
            Some("\"07:05:03.250\"".to_owned())
        );
        let l: Result<LocalMktDate, _> = serde_json::from_str("\"20240101\"");
        assert_eq!(l.ok(), LocalMktDate::new(2024, 1, 1));
    }

    #[test]
    fn display_debug_and_from_str() {
        let t: Result<UtcTimestamp, _> = "20240229-01:02:03.004".parse();
        assert_eq!(
            t.map(|t| format!("{t} {t:?}")),
            Ok("20240229-01:02:03.004 UtcTimestamp(\"20240229-01:02:03.004\")".to_owned())
        );
        let bad: Result<UtcTimeOnly, _> = "1:02:03".parse();
        assert_eq!(bad, Err(format(UTCTIMEONLY)));
    }

    #[test]
    fn time_only_types() {
        for s in [
            "00:00:00",
            "23:59:60",
            "12:34:56.789",
            "12:34:56.789012",
            "12:34:56.789012345",
        ] {
            assert_eq!(
                UtcTimeOnly::parse(s.as_bytes()).map(|t| text(&t)),
                Ok(s.to_owned())
            );
            assert_eq!(
                LocalMktTime::parse(s.as_bytes()).map(|t| text(&t)),
                Ok(s.to_owned())
            );
        }
        let t = UtcTimeOnly::parse(b"01:02:03.4");
        assert_eq!(
            t.map(|t| (t.hour(), t.minute(), t.second(), t.nanos())),
            Ok((1, 2, 3, 400_000_000))
        );
        assert_eq!(UtcTimeOnly::parse(b"24:00:00"), Err(range(UTCTIMEONLY)));
        assert_eq!(UtcTimeOnly::parse(b"23:60:00"), Err(range(UTCTIMEONLY)));
        assert_eq!(LocalMktTime::parse(b"24:00:00"), Err(range(LOCALMKTTIME)));
        assert_eq!(UtcTimeOnly::parse(b""), Err(ValueError::Empty));
        for bad in [
            "12:00",
            "12:00:00.",
            "12:00:00Z",
            "12.00.00",
            "120000",
            "12:00:00:00",
        ] {
            assert_eq!(
                UtcTimeOnly::parse(bad.as_bytes()),
                Err(format(UTCTIMEONLY)),
                "{bad}"
            );
            assert_eq!(
                LocalMktTime::parse(bad.as_bytes()),
                Err(format(LOCALMKTTIME)),
                "{bad}"
            );
        }
        let t = UtcTimeOnly::parse(b"12:00:00.123456789");
        assert_eq!(
            t.map(|t| t.with_precision(Precision::Millis).to_string()),
            Ok("12:00:00.123".to_owned())
        );
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// `good` cut or padded to lengths from `lens`, with one or two bytes changed to
    /// digits or separators: values near the valid ones, for checks that must agree.
    fn near_misses(good: &[u8], lens: &[usize], seed: u64) -> impl Iterator<Item = Vec<u8>> {
        let good = good.to_vec();
        let lens = lens.to_vec();
        let mut rng = seed;
        (0..200_000).map(move |_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let r = rng;
            let len = lens[(r % lens.len() as u64) as usize];
            let mut v = good[..len.min(good.len())].to_vec();
            v.resize(len, b'3');
            for k in 0..=(r >> 8) % 2 {
                let at = (r >> (16 + 8 * k)) as usize % v.len();
                v[at] = b"0123456789:-./ "[(r >> (40 + 4 * k)) as usize % 15];
            }
            v
        })
    }

    #[test]
    fn quick_time_only_check_agrees_with_parse() {
        let lens = [8, 9, 10, 12, 15, 18, 20, 21, 22, 7];
        for v in near_misses(b"23:59:60.123456789123", &lens, 0x2545_f491_4f6c_dd1d) {
            let text = String::from_utf8_lossy(&v);
            assert_eq!(
                quick_utc_time_only_ok(&v),
                UtcTimeOnly::parse(&v).is_ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn quick_check_agrees_with_fast_timestamp() {
        let lens = [17, 18, 19, 21, 24, 27, 30, 31, 16];
        let good = b"20240229-23:59:60.123456789123";
        for v in near_misses(good, &lens, 0x9e37_79b9_7f4a_7c15) {
            let text = String::from_utf8_lossy(&v);
            assert_eq!(
                quick_utc_timestamp_ok(&v),
                fast_timestamp(&v).is_some(),
                "{text}"
            );
        }
        for s in [
            &b"20230229-10:11:12"[..],
            b"20240229-10:11:12",
            b"19000229-00:00:00",
            b"20000229-00:00:00",
            b"20241131-00:00:00",
            b"20241231-23:59:60.5",
        ] {
            assert_eq!(
                quick_utc_timestamp_ok(s),
                fast_timestamp(s).is_some(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn fast_timestamp_reads_the_usual_shapes() {
        for s in [
            &b"20240102-10:11:12.345"[..],
            b"20240102-10:11:12",
            b"20240229-23:59:60.123456789",
            b"20240229-23:59:60.123456789123",
            b"20240229-23:59:60.1",
        ] {
            assert_eq!(fast_timestamp(s), UtcTimestamp::parse(s).ok(), "{s:?}");
            assert!(fast_timestamp(s).is_some(), "{s:?}");
        }
        for s in [
            &b"20230229-10:11:12"[..],
            b"20240102-24:11:12",
            b"20240102-10:60:12",
            b"20240102-10:11:61",
            b"20240102-10:11:12.",
            b"20240102-10:11:12.1234567890123",
            b"20240102-10:11:12.12a",
            b"2024010-10:11:12.123",
            b"20240102 10:11:12",
            b"20241301-10:11:12",
            b"20240100-10:11:12",
        ] {
            assert_eq!(fast_timestamp(s), None, "{s:?}");
        }
    }
}
