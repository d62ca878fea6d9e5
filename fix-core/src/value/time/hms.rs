//! The validated time of day inside every time type, with its parser and writer.

use super::super::digits::{read_digits, write_padded, Sink};
use super::super::{format, range, ValueError};
use super::Precision;

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
    pub(super) fn seconds_of_day(&self) -> i128 {
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
    pub(super) fn parse_exact(bytes: &[u8], expected: &'static str) -> Result<Hms, ValueError> {
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
