//! One-pass readers and checks for the usual shapes of `UTCTIMESTAMP` and `UTCTIMEONLY`.

use super::super::{FixValue, ValueError};
use super::{Date, Hms, Precision, UtcTimestamp};
use crate::scan::{digits_in, ONES};

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
pub(super) fn fast_timestamp(bytes: &[u8]) -> Option<UtcTimestamp> {
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

#[cfg(test)]
mod tests;
