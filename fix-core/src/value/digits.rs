//! Byte sinks and decimal digit reading/writing shared by the codecs.

/// Somewhere bytes can be appended: the caller's `Vec<u8>` or a [`StackBuf`] for `Display`.
pub(crate) trait Sink {
    /// Appends one byte.
    fn put(&mut self, byte: u8);
    /// Appends a slice.
    fn put_slice(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, byte: u8) {
        self.push(byte);
    }

    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) {
        crate::encode::append(self, bytes);
    }
}

/// Capacity of a [`StackBuf`]: more than the longest wire form a time type can have
/// (`YYYYMMDD-HH:MM:SS.nnnnnnnnn+hh:mm` is 33 bytes).
const STACK_CAPACITY: usize = 48;

/// A fixed-size buffer used to format a value for `Display` without allocating.
///
/// Bytes beyond the capacity are dropped (no wire form written through it is that long).
pub(crate) struct StackBuf {
    bytes: [u8; STACK_CAPACITY],
    len: usize,
}

impl StackBuf {
    /// An empty buffer.
    pub(crate) const fn new() -> Self {
        StackBuf {
            bytes: [0; STACK_CAPACITY],
            len: 0,
        }
    }

    /// The bytes written so far, as text (`None` if they are not UTF-8).
    pub(crate) fn as_str(&self) -> Option<&str> {
        core::str::from_utf8(self.bytes.get(..self.len)?).ok()
    }
}

impl Sink for StackBuf {
    #[inline]
    fn put(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.put(b);
        }
    }
}

/// "00" "01" ... "99", two bytes per pair.
const PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// Writes the decimal digits of `value` right-aligned so that they end just before `end`,
/// and returns the index of the first digit. `buf[..end]` must have room for 20 digits.
#[inline(always)]
pub(crate) fn fill_u64(buf: &mut [u8], end: usize, mut value: u64) -> usize {
    let mut pos = end;
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        pos -= 2;
        buf[pos] = PAIRS[pair];
        buf[pos + 1] = PAIRS[pair + 1];
    }
    if value >= 10 {
        let pair = value as usize * 2;
        pos -= 2;
        buf[pos] = PAIRS[pair];
        buf[pos + 1] = PAIRS[pair + 1];
    } else {
        pos -= 1;
        buf[pos] = b'0' + value as u8;
    }
    pos
}

/// Powers of ten, 10^0 to 10^19.
pub(crate) const POW10: [u64; 20] = {
    let mut table = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// How many decimal digits `value` has (1 for 0).
#[inline(always)]
pub(crate) fn digit_count(value: u64) -> usize {
    let v = value | 1;
    // floor(log10(2^bits)) by 1233/4096 ~ log10(2): the digit count or one more than it.
    let bits = 64 - v.leading_zeros() as usize;
    let guess = (bits * 1233) >> 12;
    match POW10.get(guess) {
        Some(&p) => guess + usize::from(v >= p),
        None => 20,
    }
}

/// `value` (below 10^8) as eight ASCII digits, zero-padded, in a little-endian word: the
/// first digit in the lowest byte. Computed in parallel lanes (two of 4 digits, four of 2,
/// eight of 1), without a table or a loop.
#[inline(always)]
pub(crate) fn eight_digits(value: u32) -> u64 {
    let v = u64::from(value);
    let (high, low) = (v / 10_000, v % 10_000);
    // Two 32-bit lanes below 10,000: split each by 100 (x * 10486 >> 20 is x / 100 there).
    let x = high | low << 32;
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let x = hundreds | (x - hundreds * 100) << 16;
    // Four 16-bit lanes below 100: split each by 10 (x * 103 >> 10 is x / 10 there).
    let tens = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
    let x = tens | (x - tens * 10) << 8;
    x | 0x3030_3030_3030_3030
}

/// Writes the decimal digits of `value` at the start of `out` (which must have room for
/// them and at least 8 bytes: 20 bytes do for any value) and returns how many there are.
/// Bytes after the digits may be overwritten.
#[inline(always)]
pub(crate) fn fill_front(out: &mut [u8], value: u64) -> usize {
    // Counts, small sequence numbers, enum-like integers: one or two digits.
    if value < 100 {
        let pair = value as usize * 2;
        return match out.first_chunk_mut::<2>() {
            Some(d) if value >= 10 => {
                *d = [PAIRS[pair], PAIRS[pair + 1]];
                2
            }
            Some(d) => {
                d[0] = b'0' + value as u8;
                1
            }
            None => 0,
        };
    }
    // Three or four digits (sequence numbers of a quiet day, quantities): two pairs.
    if value < 10_000 {
        let (hi, lo) = ((value / 100) as usize * 2, (value % 100) as usize * 2);
        let digits = [PAIRS[hi], PAIRS[hi + 1], PAIRS[lo], PAIRS[lo + 1]];
        // `hi` is 1 to 99: a leading zero (3 digits) drops off.
        let skip = usize::from(value < 1_000);
        return match out.first_chunk_mut::<4>() {
            Some(d) => {
                *d = (u32::from_le_bytes(digits) >> (8 * skip)).to_le_bytes();
                4 - skip
            }
            None => 0,
        };
    }
    let n = digit_count(value);
    match (u32::try_from(value), out.first_chunk_mut::<8>()) {
        // Up to 8 digits: one word, shifted so that the leading zeros drop off.
        (Ok(small), Some(word)) if n <= 8 => {
            *word = (eight_digits(small) >> (8 * (8 - n))).to_le_bytes();
        }
        _ => {
            if let Some(digits) = out.get_mut(..n) {
                fill_u64(digits, n, value);
            }
        }
    }
    n
}

/// Like [`fill_u64`] for a 128-bit value; `buf[..end]` must have room for 39 digits.
pub(crate) fn fill_u128(buf: &mut [u8], end: usize, value: u128) -> usize {
    const TEN_POW_19: u128 = 10_000_000_000_000_000_000;
    match u64::try_from(value) {
        Ok(small) => fill_u64(buf, end, small),
        Err(_) => {
            let high = value / TEN_POW_19;
            // Both casts are lossless: the remainder is below 10^19 < 2^64.
            let low = (value % TEN_POW_19) as u64;
            let mut pos = fill_u64(buf, end, low);
            while end - pos < 19 {
                pos -= 1;
                buf[pos] = b'0';
            }
            fill_u128(buf, pos, high)
        }
    }
}

/// Appends the decimal digits of `value`.
#[inline]
pub(crate) fn write_u64<S: Sink + ?Sized>(out: &mut S, value: u64) {
    let mut buf = [0u8; 20];
    let start = fill_u64(&mut buf, 20, value);
    out.put_slice(&buf[start..]);
}

/// Appends `value` as exactly `width` digits (`width` at most 9), zero-padded on the left.
/// Higher digits that do not fit are dropped.
#[inline]
pub(crate) fn write_padded<S: Sink + ?Sized>(out: &mut S, value: u32, width: usize) {
    if width == 2 && value < 100 {
        // Months, days, hours, minutes, seconds: one table pair.
        let pair = value as usize * 2;
        out.put(PAIRS[pair]);
        out.put(PAIRS[pair + 1]);
        return;
    }
    const POW10: [u32; 10] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
        1_000_000_000,
    ];
    let mut buf = [b'0'; 10];
    let width = width.min(9);
    let limit = POW10[width];
    // Values that fit (nearly all) skip the division.
    let kept = if value < limit { value } else { value % limit };
    fill_u64(&mut buf, 10, u64::from(kept));
    out.put_slice(&buf[10 - width..]);
}

/// Reads a run of ASCII digits (at most 9 of them) as a number; `None` if any byte is not a
/// digit or the slice is empty or longer than 9.
#[inline]
pub(crate) fn read_digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    let mut value = 0u32;
    for &b in bytes {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value * 10 + u32::from(d);
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u64_text(v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_u64(&mut out, v);
        out
    }

    #[test]
    fn writes_u64() {
        assert_eq!(u64_text(0), b"0");
        assert_eq!(u64_text(7), b"7");
        assert_eq!(u64_text(10), b"10");
        assert_eq!(u64_text(100), b"100");
        assert_eq!(u64_text(1234567), b"1234567");
        assert_eq!(u64_text(u64::MAX), b"18446744073709551615");
    }

    #[test]
    fn counts_and_fills_digits_at_every_power_of_ten() {
        let mut values = vec![0u64, 1, 9, u64::MAX, u64::MAX - 1];
        // Every value of up to four digits and a little beyond (the pair paths).
        values.extend(0..20_000);
        let mut p = 1u64;
        for _ in 0..20 {
            values.extend([p - 1, p, p + 1, p.saturating_mul(2)]);
            p = p.saturating_mul(10);
        }
        for v in values {
            let text = v.to_string();
            assert_eq!(digit_count(v), text.len(), "{v}");
            let mut out = [b'x'; 21];
            assert_eq!(fill_front(&mut out, v), text.len());
            assert_eq!(&out[..text.len()], text.as_bytes());
        }
    }

    #[test]
    fn eight_digits_in_parallel() {
        let mut values: Vec<u32> = (0..=100_000).step_by(7).collect();
        values.extend([
            0, 9, 10, 99, 100, 9_999, 10_000, 12_345_678, 99_999_999, 10_000_001,
        ]);
        for v in values {
            let expected = format!("{v:08}");
            assert_eq!(&eight_digits(v).to_le_bytes(), expected.as_bytes(), "{v}");
        }
    }

    #[test]
    fn writes_u128() {
        let mut buf = [0u8; 40];
        let v: u128 = 79_228_162_514_264_337_593_543_950_335;
        let start = fill_u128(&mut buf, 40, v);
        assert_eq!(&buf[start..], b"79228162514264337593543950335");
        let v: u128 = 10_000_000_000_000_000_000;
        let start = fill_u128(&mut buf, 40, v);
        assert_eq!(&buf[start..], b"10000000000000000000");
    }

    #[test]
    fn writes_padded() {
        let mut out = Vec::new();
        write_padded(&mut out, 5, 2);
        write_padded(&mut out, 2024, 4);
        write_padded(&mut out, 7, 3);
        write_padded(&mut out, 123456789, 9);
        write_padded(&mut out, 0, 1);
        assert_eq!(out, b"0520240071234567890");
        let mut out = Vec::new();
        write_padded(&mut out, 123, 2);
        assert_eq!(out, b"23");
    }

    #[test]
    fn stack_buf_drops_overflow() {
        let mut buf = StackBuf::new();
        for _ in 0..100 {
            buf.put(b'a');
        }
        assert_eq!(buf.as_str().map(str::len), Some(STACK_CAPACITY));
    }

    #[test]
    fn reads_digits() {
        assert_eq!(read_digits(b"0042"), Some(42));
        assert_eq!(read_digits(b"999999999"), Some(999_999_999));
        assert_eq!(read_digits(b""), None);
        assert_eq!(read_digits(b"1234567890"), None);
        assert_eq!(read_digits(b"1-"), None);
    }
}
