//! The calendar date shared by the timestamp and date types.

use super::super::digits::{read_digits, write_padded, Sink};
use super::super::{format, range, FixValue, ValueError};
use super::UTCDATEONLY;

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
/// Used inside the timestamp types and on its own as the value of
/// [`UtcDateOnly`](super::UtcDateOnly) and [`LocalMktDate`](super::LocalMktDate); it also
/// reads and writes `YYYYMMDD` itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub(super) year: u16,
    pub(super) month: u8,
    pub(super) day: u8,
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
