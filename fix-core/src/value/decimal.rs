//! Decimal types (`FLOAT`, `PRICE`, `QTY`, `AMT`, `PRICEOFFSET`, `PERCENTAGE`) as
//! [`rust_decimal::Decimal`].
//!
//! Accepted: an optional `-`, then digits with at most one `.`, with at least one digit in
//! total. Like QuickFIX, `5.` (read as `5`, scale 0) and `.5` (read as `0.5`) are accepted, as
//! are leading zeros (`007.50`) and `-0` (read as zero; `Decimal` has no negative zero).
//! Rejected with [`ValueError::Format`]: `+`, exponents (`1e5`), spaces, a second `.`, a lone
//! `-` or `.`. Rejected with [`ValueError::Range`]: more than 28 significant digits (leading
//! zeros do not count) or more than 28 digits after the point.
//!
//! The scale is preserved: `1.50` reads as mantissa 150, scale 2 and is written back as
//! `1.50`. Writing never uses an exponent and is exact (it prints the mantissa and inserts the
//! point), e.g. `0.0000001` stays `0.0000001`.

use rust_decimal::Decimal;

use super::digits::{digit_count, eight_digits, fill_front, fill_u128, fill_u64, POW10};
use super::{format, range, FixValue, ValueError};
use crate::encode::Bounded;

const FLOAT: &str = "FLOAT";

/// The largest number of significant digits (and of decimals) accepted.
const MAX_DIGITS: usize = 28;

/// A scanned decimal: sign, mantissa without leading zeros, and number of decimals.
struct Scanned {
    negative: bool,
    mantissa: u128,
    scale: usize,
}

/// Scans the wire form without building a `Decimal`.
#[inline]
fn scan(bytes: &[u8]) -> Result<Scanned, ValueError> {
    let (negative, body) = match bytes {
        [] => return Err(ValueError::Empty),
        [b'-', rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    let mut seen_point = false;
    let mut digits = 0usize;
    let mut scale = 0usize;
    let mut significant = 0usize;
    let mut mantissa: u128 = 0;
    for &b in body {
        if b == b'.' {
            if seen_point {
                return Err(format(FLOAT));
            }
            seen_point = true;
            continue;
        }
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(format(FLOAT));
        }
        digits += 1;
        if seen_point {
            scale += 1;
        }
        if significant > 0 || d != 0 {
            significant += 1;
            if significant <= MAX_DIGITS {
                // At most 28 digits, so below 10^28 < 2^94: no overflow.
                mantissa = mantissa * 10 + u128::from(d);
            }
        }
    }
    if digits == 0 {
        return Err(format(FLOAT));
    }
    if significant > MAX_DIGITS || scale > MAX_DIGITS {
        return Err(range(FLOAT));
    }
    Ok(Scanned {
        negative,
        mantissa,
        scale,
    })
}

/// Validates a decimal wire value without building it.
pub(crate) fn check_decimal(bytes: &[u8]) -> Result<(), ValueError> {
    if quick_decimal_ok(bytes) {
        return Ok(());
    }
    scan(bytes).map(|_| ())
}

/// `true` only for a valid decimal: values of up to 28 bytes cannot break the digit limits,
/// so only their shape needs checking (`false` for longer ones, which [`scan`] decides).
#[inline(always)]
pub(crate) fn quick_decimal_ok(bytes: &[u8]) -> bool {
    if bytes.len() > MAX_DIGITS {
        return false;
    }
    let body = match bytes {
        [b'-', rest @ ..] => rest,
        _ => bytes,
    };
    if let Some(w) = crate::scan::small_word(body) {
        // Up to eight bytes in one word: the points are turned into zeros ('.' + 2 = '0'),
        // then every byte must be a digit, with at most one point and one digit or more.
        let n = body.len();
        let low = crate::scan::low_bytes(n);
        let points = crate::scan::bytes_equal(w, b'.') & low;
        let w = w + (points >> 7) * 2;
        return crate::scan::digits_in(w, low)
            && points & points.wrapping_sub(1) == 0
            && n > usize::from(points != 0);
    }
    let mut points = 0u32;
    let mut digits = 0u32;
    for &b in body {
        if b == b'.' {
            points += 1;
        } else if b.wrapping_sub(b'0') <= 9 {
            digits += 1;
        } else {
            return false;
        }
    }
    points <= 1 && digits > 0
}

/// Writes `value` the long way: every digit of the mantissa right-aligned in `buf`, then the
/// integer digits moved left for the point. Returns where the text starts (it ends at the
/// end of `buf`).
fn fill_any(value: &Decimal, buf: &mut [u8; 48]) -> usize {
    let mantissa = value.mantissa();
    let scale = value.scale() as usize;
    // 96-bit mantissa: at most 29 digits; scale at most 28; plus a leading zero.
    *buf = [b'0'; 48];
    let end = buf.len();
    let magnitude = mantissa.unsigned_abs();
    let mut start = match u64::try_from(magnitude) {
        Ok(small) => fill_u64(buf, end, small),
        Err(_) => fill_u128(buf, end, magnitude),
    };
    // Make sure there is at least one digit before the point ("0.05", not ".05").
    let min_start = end.saturating_sub(scale + 1);
    if start > min_start {
        start = min_start; // the buffer was pre-filled with '0'
    }
    if scale > 0 {
        // Shift the integer digits left by one to make room for the point. At most 29
        // digits and a point in 48 bytes: `start` stays above 1.
        let point = end - scale;
        buf.copy_within(start..point, start - 1);
        start -= 1;
        buf[point - 1] = b'.';
    }
    if mantissa < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    start
}

impl Bounded for Decimal {
    const MAX: usize = 48;

    #[inline]
    fn fill(&self, out: &mut [u8]) -> usize {
        let Some(out) = out.first_chunk_mut::<48>() else {
            return 0;
        };
        let mantissa = self.mantissa();
        let scale = self.scale() as usize;
        // The short path's scales are 0 to 8.
        let unit = POW10.get(..=8).and_then(|units| units.get(scale));
        match (u64::try_from(mantissa.unsigned_abs()), unit) {
            // Up to 8 digits in all and a fraction of 1 to 7: one conversion, the point
            // put in by shifting the fraction's digits one byte up.
            (Ok(magnitude), Some(_)) if magnitude < 100_000_000 && (1..=7).contains(&scale) => {
                let negative = usize::from(mantissa < 0);
                out[0] = b'-';
                // At least one digit before the point; at most 8 digits (scale <= 7).
                let n = digit_count(magnitude).max(scale + 1);
                let digits = eight_digits(magnitude as u32) >> (8 * (8 - n));
                let int = n - scale;
                if let Some(head) = out
                    .get_mut(negative..)
                    .and_then(|o| o.first_chunk_mut::<8>())
                {
                    *head = digits.to_le_bytes();
                }
                // The fraction's `scale` bytes after the point: 8 bytes hold both.
                let tail = u64::from(b'.') | (digits >> (8 * int)) << 8;
                if let Some(t) = out
                    .get_mut(negative + int..)
                    .and_then(|o| o.first_chunk_mut::<8>())
                {
                    *t = tail.to_le_bytes();
                }
                negative + n + 1
            }
            // A mantissa of up to 19 digits and a scale of up to 8: nearly every other price
            // and quantity. Integer part, point, then the fraction zero-padded to `scale`
            // digits.
            (Ok(magnitude), Some(&unit)) => {
                let negative = usize::from(mantissa < 0);
                out[0] = b'-';
                let (int, fraction) = if scale == 0 {
                    (magnitude, 0)
                } else {
                    (magnitude / unit, magnitude % unit)
                };
                let mut at = negative + fill_front(&mut out[negative..], int);
                if scale > 0 {
                    if let Some((point, digits)) = out
                        .get_mut(at..)
                        .and_then(|t| t.split_first_mut())
                        .and_then(|(p, t)| Some((p, t.first_chunk_mut::<8>()?)))
                    {
                        *point = b'.';
                        // Eight zero-padded digits, the last `scale` of them kept. The
                        // fraction is below 10^scale <= 10^8.
                        let fraction = u32::try_from(fraction).unwrap_or(0);
                        *digits = (eight_digits(fraction) >> (8 * (8 - scale))).to_le_bytes();
                    }
                    at += 1 + scale;
                }
                at
            }
            _ => fill_long(self, out),
        }
    }
}

/// [`Bounded::fill`] for a `Decimal` beyond the short path (out of line: the short path then
/// needs no registers saved).
#[cold]
#[inline(never)]
fn fill_long(value: &Decimal, out: &mut [u8; 48]) -> usize {
    let mut buf = [0u8; 48];
    let start = fill_any(value, &mut buf);
    let n = buf.len() - start;
    out[..n].copy_from_slice(&buf[start..]);
    n
}

impl FixValue for Decimal {
    fn write(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 48];
        let start = fill_any(self, &mut buf);
        // One append for the whole value.
        out.extend_from_slice(&buf[start..]);
    }

    #[inline]
    fn put_field(&self, w: &mut crate::Writer<'_>, prefix: &[u8]) {
        w.put_bounded(prefix, self);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        let Scanned {
            negative,
            mantissa,
            scale,
        } = scan(bytes)?;
        let magnitude = i128::try_from(mantissa).map_err(|_| range(FLOAT))?;
        let signed = if negative { -magnitude } else { magnitude };
        let scale = u32::try_from(scale).map_err(|_| range(FLOAT))?;
        Decimal::try_from_i128_with_scale(signed, scale).map_err(|_| range(FLOAT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn text(v: Decimal) -> String {
        let mut out = Vec::new();
        v.write(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    fn parsed(s: &str) -> Result<Decimal, ValueError> {
        Decimal::parse(s.as_bytes())
    }

    #[test]
    fn round_trips_preserving_scale() {
        for s in [
            "0",
            "1",
            "-1",
            "1.5",
            "1.50",
            "1.500000",
            "-0.0001",
            "0.00",
            "123456789.123456789",
            "9999999999999999999999999999",
            "-9999999999999999999999999999",
            "0.0000000000000000000000000001",
            "1234567890123456.789012345678",
        ] {
            let d = parsed(s);
            assert!(d.is_ok(), "{s}");
            let d = d.unwrap_or_default();
            assert_eq!(text(d), s);
        }
    }

    #[test]
    fn values_and_scales_are_exact() {
        let d = parsed("1.50").unwrap_or_default();
        assert_eq!((d.mantissa(), d.scale()), (150, 2));
        assert_eq!(parsed("-12.345"), Ok(dec!(-12.345)));
        assert_eq!(parsed("0.000001").map(|d| d.scale()), Ok(6));
    }

    #[test]
    fn leading_zeros_negative_zero_and_bare_points() {
        assert_eq!(parsed("007"), Ok(dec!(7)));
        assert_eq!(parsed("007.50").map(text), Ok("7.50".to_owned()));
        assert_eq!(parsed("-0"), Ok(Decimal::ZERO));
        assert_eq!(parsed("-0").map(text), Ok("0".to_owned()));
        assert_eq!(parsed("-0.00").map(text), Ok("0.00".to_owned()));
        assert_eq!(parsed("5."), Ok(dec!(5)));
        assert_eq!(parsed("5.").map(text), Ok("5".to_owned()));
        assert_eq!(parsed(".5"), Ok(dec!(0.5)));
        assert_eq!(parsed(".5").map(text), Ok("0.5".to_owned()));
        assert_eq!(parsed("-.5"), Ok(dec!(-0.5)));
        // Leading zeros do not count toward the 28-digit limit.
        assert_eq!(
            parsed("000001234567890123456789012345678"),
            Ok(dec!(1234567890123456789012345678))
        );
    }

    #[test]
    fn fill_writes_what_write_writes() {
        let mut values = vec![
            dec!(0),
            dec!(0.5),
            dec!(-0.5),
            dec!(187.25),
            dec!(100),
            dec!(1.50),
            dec!(-1234.56),
            dec!(0.00000001),
            dec!(0.000000001),
            dec!(-0.000000000000000000000000001),
            Decimal::MAX,
            Decimal::MIN,
        ];
        for scale in 0..=28 {
            for m in [
                1i128,
                -1,
                9,
                10,
                99_999,
                1_234_567,
                -10_000_000,
                99_999_999,
                100_000_000,
                i128::from(u64::MAX),
                -i128::from(u64::MAX),
            ] {
                values.push(Decimal::from_i128_with_scale(m, scale));
            }
            values.push(Decimal::from_i128_with_scale(
                i128::from(u64::MAX) + 1,
                scale,
            ));
        }
        for v in values {
            let mut out = [b'x'; 49];
            let n = v.fill(&mut out);
            assert_eq!(
                std::str::from_utf8(&out[..n]),
                Ok(text(v).as_str()),
                "{v:?}"
            );
        }
    }

    #[test]
    fn writes_without_exponent() {
        assert_eq!(text(dec!(0.0000001)), "0.0000001");
        assert_eq!(text(Decimal::new(1, 28)), "0.0000000000000000000000000001");
        assert_eq!(text(Decimal::new(-5, 3)), "-0.005");
        assert_eq!(text(Decimal::MAX), "79228162514264337593543950335");
        assert_eq!(text(Decimal::MIN), "-79228162514264337593543950335");
        assert_eq!(text(Decimal::from_i128_with_scale(-123456, 2)), "-1234.56");
        assert_eq!(text(dec!(100)), "100");
    }

    #[test]
    fn rejections() {
        assert_eq!(parsed(""), Err(ValueError::Empty));
        for bad in [
            "-", ".", "-.", "+1", "1e5", "1E5", "1.2.3", "1,5", " 1", "1 ", "abc", "--1", "1-",
        ] {
            assert_eq!(parsed(bad), Err(format(FLOAT)), "{bad}");
        }
        // 29 significant digits.
        assert_eq!(parsed("12345678901234567890123456789"), Err(range(FLOAT)));
        assert_eq!(parsed("1.2345678901234567890123456789"), Err(range(FLOAT)));
        // 29 decimals, even if the value itself is small.
        assert_eq!(parsed("0.00000000000000000000000000001"), Err(range(FLOAT)));
        assert_eq!(parsed("0.00000000000000000000000000000"), Err(range(FLOAT)));
    }

    #[test]
    fn check_matches_parse() {
        for s in [
            "1",
            "-0.5",
            ".5",
            "5.",
            "x",
            "",
            "1e5",
            "12345678901234567890123456789",
        ] {
            assert_eq!(check_decimal(s.as_bytes()), parsed(s).map(|_| ()), "{s}");
        }
    }

    /// The definition the word-at-a-time check must match: digits with at most one point,
    /// at least one digit, an optional minus sign first.
    fn decimal_text_ok(bytes: &[u8]) -> bool {
        let body = bytes.strip_prefix(b"-").unwrap_or(bytes);
        let points = body.iter().filter(|&&b| b == b'.').count();
        let digits = body.iter().filter(|b| b.is_ascii_digit()).count();
        bytes.len() <= MAX_DIGITS && points <= 1 && digits > 0 && points + digits == body.len()
    }

    #[test]
    fn quick_check_is_the_definition_at_every_length() {
        // Bytes next to '0', '9' and '.' (which borrow or carry in the word arithmetic), SOH
        // and high bytes, at lengths 0 to 12.
        let alphabet = b"0159./:-+e\x01\xff ";
        let mut seen_ok = 0;
        for v in crate::scan::random_texts(alphabet, 13, 300_000, 0x2545_f491_4f6c_dd1d) {
            let quick = quick_decimal_ok(&v);
            assert_eq!(
                quick,
                decimal_text_ok(&v),
                "{:?}",
                String::from_utf8_lossy(&v)
            );
            if quick {
                seen_ok += 1;
                assert!(
                    parsed(std::str::from_utf8(&v).unwrap_or("x")).is_ok(),
                    "{v:?}"
                );
            }
        }
        assert!(seen_ok > 1_000, "too few valid values drawn: {seen_ok}");
    }
}
