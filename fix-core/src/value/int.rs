//! Integer types: `INT` as `i64`; `SEQNUM` as `u64`; `LENGTH`, `NUMINGROUP`, `TAGNUM` and
//! `DAYOFMONTH` as `u32`.
//!
//! Accepted: an optional `-` (signed only) followed by one or more ASCII digits. Leading zeros
//! are accepted (`007` reads as 7) and `-0` reads as 0. Rejected with
//! [`ValueError::Format`]: a `+`, a `-` on an unsigned type, spaces, a decimal point or any
//! other non-digit. A well-formed number that does not fit the Rust type is
//! [`ValueError::Range`]. Writing gives the shortest form (no leading zeros, no `+`).

use super::digits::{fill_front, write_u64};
use super::{format, range, FixValue, ValueError};
use crate::encode::Bounded;

const INT: &str = "INT";
const SEQNUM: &str = "SEQNUM";
const LENGTH: &str = "LENGTH";

/// Reads unsigned digits with a maximum value. Errors name `SEQNUM`; callers retag them.
pub(crate) fn parse_unsigned(bytes: &[u8], max: u64) -> Result<u64, ValueError> {
    if bytes.is_empty() {
        return Err(ValueError::Empty);
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return Err(format(SEQNUM));
        }
        if !overflow {
            match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit)))
            {
                Some(v) if v <= max => value = v,
                _ => overflow = true,
            }
        }
    }
    if overflow {
        Err(range(SEQNUM))
    } else {
        Ok(value)
    }
}

/// Reads an `INT`.
pub(crate) fn parse_i64(bytes: &[u8]) -> Result<i64, ValueError> {
    let (negative, digits) = match bytes {
        [] => return Err(ValueError::Empty),
        [b'-', rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() {
        return Err(format(INT));
    }
    let limit = if negative {
        i64::MIN.unsigned_abs()
    } else {
        i64::MAX.unsigned_abs()
    };
    let magnitude = parse_unsigned(digits, limit).map_err(|e| match e {
        ValueError::Range { .. } => range(INT),
        _ => format(INT),
    })?;
    if negative {
        // `magnitude` is at most 2^63, whose two's complement negation is i64::MIN.
        Ok(0i64.wrapping_sub_unsigned(magnitude))
    } else {
        // At most i64::MAX, so the conversion cannot fail.
        i64::try_from(magnitude).map_err(|_| range(INT))
    }
}

impl FixValue for i64 {
    fn write(&self, out: &mut Vec<u8>) {
        if *self < 0 {
            out.push(b'-');
        }
        write_u64(out, self.unsigned_abs());
    }

    #[inline]
    fn put_field(&self, w: &mut crate::Writer<'_>, prefix: &[u8]) {
        w.put_bounded(prefix, self);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        parse_i64(bytes)
    }
}

/// `u64` is the type for `SEQNUM`; errors name `SEQNUM`.
impl FixValue for u64 {
    fn write(&self, out: &mut Vec<u8>) {
        write_u64(out, *self);
    }

    #[inline]
    fn put_field(&self, w: &mut crate::Writer<'_>, prefix: &[u8]) {
        w.put_bounded(prefix, self);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        parse_unsigned(bytes, u64::MAX)
    }
}

/// `u32` is the type for `LENGTH`, `NUMINGROUP`, `TAGNUM` and `DAYOFMONTH`; errors name
/// `LENGTH`. No range beyond `u32` is checked here (see [`super::check_format`] for the
/// day-of-month range).
impl FixValue for u32 {
    fn write(&self, out: &mut Vec<u8>) {
        write_u64(out, u64::from(*self));
    }

    #[inline]
    fn put_field(&self, w: &mut crate::Writer<'_>, prefix: &[u8]) {
        w.put_bounded(prefix, self);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        let value = parse_unsigned(bytes, u64::from(u32::MAX)).map_err(|e| match e {
            ValueError::Range { .. } => range(LENGTH),
            ValueError::Format { .. } => format(LENGTH),
            other => other,
        })?;
        u32::try_from(value).map_err(|_| range(LENGTH))
    }
}

impl Bounded for i64 {
    const MAX: usize = 20;

    #[inline(always)]
    fn fill(&self, out: &mut [u8]) -> usize {
        match out.split_first_mut() {
            Some((sign, rest)) if *self < 0 => {
                *sign = b'-';
                1 + fill_front(rest, self.unsigned_abs())
            }
            _ => fill_front(out, self.unsigned_abs()),
        }
    }
}

impl Bounded for u64 {
    const MAX: usize = 20;

    #[inline(always)]
    fn fill(&self, out: &mut [u8]) -> usize {
        fill_front(out, *self)
    }
}

impl Bounded for u32 {
    const MAX: usize = 10;

    #[inline(always)]
    fn fill(&self, out: &mut [u8]) -> usize {
        fill_front(out, u64::from(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: FixValue>(v: T) -> String {
        let mut out = Vec::new();
        v.write(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn i64_round_trips() {
        for v in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            12345,
            -987654321,
            i64::MAX,
            i64::MIN,
        ] {
            let s = text(v);
            assert_eq!(i64::parse(s.as_bytes()), Ok(v), "{s}");
        }
        assert_eq!(text(i64::MIN), "-9223372036854775808");
        assert_eq!(text(i64::MAX), "9223372036854775807");
        assert_eq!(text(-42i64), "-42");
        assert_eq!(text(0i64), "0");
    }

    #[test]
    fn i64_accepts_leading_zeros_and_negative_zero() {
        assert_eq!(i64::parse(b"007"), Ok(7));
        assert_eq!(i64::parse(b"-007"), Ok(-7));
        assert_eq!(i64::parse(b"-0"), Ok(0));
        assert_eq!(i64::parse(b"0000000000000000000000000001"), Ok(1));
    }

    #[test]
    fn i64_boundaries() {
        assert_eq!(i64::parse(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(i64::parse(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(i64::parse(b"9223372036854775808"), Err(range(INT)));
        assert_eq!(i64::parse(b"-9223372036854775809"), Err(range(INT)));
        assert_eq!(i64::parse(b"99999999999999999999999"), Err(range(INT)));
    }

    #[test]
    fn i64_rejections() {
        assert_eq!(i64::parse(b""), Err(ValueError::Empty));
        for bad in [
            &b"-"[..],
            b"+1",
            b"1a",
            b"a1",
            b" 1",
            b"1 ",
            b"1.0",
            b"1e3",
            b"--1",
            b"0x10",
        ] {
            assert_eq!(i64::parse(bad), Err(format(INT)), "{bad:?}");
        }
        // A non-digit after an overflowing prefix is a format error, not a range error.
        assert_eq!(i64::parse(b"99999999999999999999x"), Err(format(INT)));
    }

    #[test]
    fn u32_boundaries_and_rejections() {
        assert_eq!(u32::parse(b"0"), Ok(0));
        assert_eq!(u32::parse(b"4294967295"), Ok(u32::MAX));
        assert_eq!(u32::parse(b"04294967295"), Ok(u32::MAX));
        assert_eq!(u32::parse(b"4294967296"), Err(range(LENGTH)));
        assert_eq!(u32::parse(b"-1"), Err(format(LENGTH)));
        assert_eq!(u32::parse(b"-0"), Err(format(LENGTH)));
        assert_eq!(u32::parse(b"+1"), Err(format(LENGTH)));
        assert_eq!(u32::parse(b"12 "), Err(format(LENGTH)));
        assert_eq!(u32::parse(b""), Err(ValueError::Empty));
        assert_eq!(text(u32::MAX), "4294967295");
        assert_eq!(text(0u32), "0");
    }

    #[test]
    fn u64_boundaries_and_rejections() {
        assert_eq!(u64::parse(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(u64::parse(b"18446744073709551616"), Err(range(SEQNUM)));
        assert_eq!(u64::parse(b"007"), Ok(7));
        assert_eq!(u64::parse(b"-5"), Err(format(SEQNUM)));
        assert_eq!(u64::parse(b"5-"), Err(format(SEQNUM)));
        assert_eq!(text(u64::MAX), "18446744073709551615");
        for v in [1u64, 10, 999, 1_000_000, u64::MAX - 1] {
            assert_eq!(u64::parse(text(v).as_bytes()), Ok(v));
        }
    }
}
