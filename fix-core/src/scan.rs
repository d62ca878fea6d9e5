//! Where a message's SOH bytes are, as a bitmap built in one pass (16 bytes per compare on
//! x86_64, 32 with AVX2): the tokenizer takes field ends from it one bit at a time, so finding
//! the next field never waits for the previous one to be parsed. The same pass sums the bytes
//! for the CheckSum, and [`byte_sum`] sums 16 bytes per instruction (32 with AVX2) for
//! everyone else. [`ascii_text`] reads a value as text when it is plain ASCII, a word at a
//! time.

/// Fills `bits` with one bit per byte of `bytes` (bit `i % 64` of word `i / 64` for byte `i`),
/// set where the byte is SOH; replaces what `bits` held. Returns the sum of the bytes (the
/// CheckSum's sum before its modulo), computed from the same loads. On x86_64 CPUs with AVX2
/// (checked once and remembered by the standard library), 32 bytes per compare.
pub(crate) fn soh_bitmap(bytes: &[u8], bits: &mut Vec<u64>) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the one requirement of calling a function compiled for AVX2 is a CPU that
        // has it, checked just above.
        #[allow(unsafe_code)]
        return unsafe { avx2::soh_bitmap(bytes, bits) };
    }
    soh_bitmap_baseline(bytes, bits)
}

/// [`soh_bitmap`] with the instructions every CPU of the target has (SSE2 on x86_64).
fn soh_bitmap_baseline(bytes: &[u8], bits: &mut Vec<u64>) -> u64 {
    bits.clear();
    bits.reserve(bytes.len() / 64 + 1);
    let mut sum = Sum::default();
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let mut b = [0u8; 64];
        b.copy_from_slice(block);
        bits.push(block_mask(&b, &mut sum));
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // The tail, padded with zero bytes (not SOH, and adding nothing to the sum).
        let mut b = [0u8; 64];
        b[..rest.len()].copy_from_slice(rest);
        bits.push(block_mask(&b, &mut sum));
    }
    sum.total()
}

/// The sum of `bytes` (wrapping; a slice would need 2^56 bytes to wrap). On x86_64 CPUs with
/// AVX2, 32 bytes per instruction for slices of 64 bytes and more.
pub(crate) fn byte_sum(bytes: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if bytes.len() >= 64 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the one requirement of calling a function compiled for AVX2 is a CPU that
        // has it, checked just above.
        #[allow(unsafe_code)]
        return unsafe { avx2::byte_sum(bytes) };
    }
    byte_sum_baseline(bytes)
}

/// [`byte_sum`] with the instructions every CPU of the target has.
fn byte_sum_baseline(bytes: &[u8]) -> u64 {
    let mut sum = Sum::default();
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        let mut b = [0u8; 16];
        b.copy_from_slice(block);
        sum.add16(&b);
    }
    sum.add_rest(bytes, blocks.remainder().len());
    sum.total()
}

/// `TAIL_MASK[r..r + 16]` keeps the last `r` bytes of sixteen.
const TAIL_MASK: [u8; 32] = {
    let mut m = [0u8; 32];
    let mut i = 16;
    while i < 32 {
        m[i] = 0xFF;
        i += 1;
    }
    m
};

impl Sum {
    /// Adds the last `rest` (below 16) bytes of `bytes`: from the 16 bytes that end
    /// `bytes`, masked, when there are 16; else copied into zeroed room.
    #[inline(always)]
    fn add_rest(&mut self, bytes: &[u8], rest: usize) {
        let (Some(last), Some(mask)) = (
            bytes.last_chunk::<16>(),
            TAIL_MASK.get(rest..).and_then(|m| m.first_chunk::<16>()),
        ) else {
            let mut b = [0u8; 16];
            if let Some(tail) = bytes.get(bytes.len() - rest.min(bytes.len())..) {
                b[..tail.len()].copy_from_slice(tail);
            }
            self.add16(&b);
            return;
        };
        let mut b = [0u8; 16];
        for (d, (x, m)) in b.iter_mut().zip(last.iter().zip(mask)) {
            *d = x & m;
        }
        self.add16(&b);
    }
}

/// A running byte sum: two 64-bit lanes of `psadbw` results on x86_64.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Sum(std::arch::x86_64::__m128i);

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
impl Default for Sum {
    #[inline(always)]
    fn default() -> Sum {
        // SAFETY: SSE2 is part of the x86_64 baseline; `setzero` only writes a register.
        Sum(unsafe { std::arch::x86_64::_mm_setzero_si128() })
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
impl Sum {
    /// Adds the sixteen bytes of `chunk`.
    #[inline(always)]
    fn add16(&mut self, chunk: &[u8; 16]) {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128};
        // SAFETY: SSE2 is part of the x86_64 baseline; `chunk` is exactly the 16 bytes the
        // unaligned load (no alignment requirement) reads.
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
        self.add_vector(v);
    }

    /// Adds the sixteen bytes of `v`: `psadbw` against zero sums each half into a lane.
    #[inline(always)]
    fn add_vector(&mut self, v: std::arch::x86_64::__m128i) {
        use std::arch::x86_64::{_mm_add_epi64, _mm_sad_epu8, _mm_setzero_si128};
        // SAFETY: SSE2 is part of the x86_64 baseline; these only compute on registers.
        self.0 = unsafe { _mm_add_epi64(self.0, _mm_sad_epu8(v, _mm_setzero_si128())) };
    }

    /// Both lanes added.
    #[inline(always)]
    fn total(self) -> u64 {
        use std::arch::x86_64::{_mm_cvtsi128_si64, _mm_unpackhi_epi64};
        // SAFETY: SSE2 is part of the x86_64 baseline; these only compute on registers.
        let (lo, hi) = unsafe {
            (
                _mm_cvtsi128_si64(self.0),
                _mm_cvtsi128_si64(_mm_unpackhi_epi64(self.0, self.0)),
            )
        };
        (lo as u64).wrapping_add(hi as u64)
    }
}

/// The SOH mask of 64 bytes, sixteen bytes per SSE2 compare, and their sum into `sum`. The
/// workspace denies `unsafe`; this module is fix-core's one exception, argued at each block.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn block_mask(block: &[u8; 64], sum: &mut Sum) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut mask = 0u64;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU has these
        // instructions; `chunk` is 16 bytes long (`chunks_exact(16)`), exactly what the
        // unaligned load (`loadu`: no alignment requirement) reads; the compare and the
        // mask extraction only compute on registers.
        let (v, m) = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            (v, _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x01))))
        };
        sum.add_vector(v);
        // `movemask` sets only the low 16 bits.
        mask |= u64::from(m as u16) << (16 * i);
    }
    mask
}

/// [`soh_bitmap`] and [`byte_sum`] with AVX2: 32 bytes per compare and per sum.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi64, _mm256_castsi256_si128, _mm256_cmpeq_epi8,
        _mm256_extracti128_si256, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_sad_epu8,
        _mm256_set1_epi8, _mm256_setzero_si256, _mm_add_epi64, _mm_cvtsi128_si64,
        _mm_unpackhi_epi64,
    };

    /// See [`super::soh_bitmap`].
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn soh_bitmap(bytes: &[u8], bits: &mut Vec<u64>) -> u64 {
        bits.clear();
        bits.reserve(bytes.len() / 64 + 1);
        let mut sum = _mm256_setzero_si256();
        let mut blocks = bytes.chunks_exact(64);
        for block in &mut blocks {
            // SAFETY: `block` is 64 bytes long (`chunks_exact(64)`): the two unaligned loads
            // (no alignment requirement) read bytes 0..32 and 32..64 of it.
            let (lo, hi) = unsafe {
                let p = block.as_ptr().cast::<__m256i>();
                (_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1)))
            };
            bits.push(mask_and_sum(lo, hi, &mut sum));
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            // The tail, padded with zero bytes (not SOH, and adding nothing to the sum).
            let mut b = [0u8; 64];
            b[..rest.len()].copy_from_slice(rest);
            // SAFETY: `b` is 64 bytes: the loads read bytes 0..32 and 32..64 of it.
            let (lo, hi) = unsafe {
                let p = b.as_ptr().cast::<__m256i>();
                (_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1)))
            };
            bits.push(mask_and_sum(lo, hi, &mut sum));
        }
        lanes_total(sum)
    }

    /// The four 64-bit lanes of `sum` added.
    #[target_feature(enable = "avx2")]
    fn lanes_total(sum: __m256i) -> u64 {
        let half = _mm_add_epi64(
            _mm256_castsi256_si128(sum),
            _mm256_extracti128_si256::<1>(sum),
        );
        let (a, b) = (
            _mm_cvtsi128_si64(half),
            _mm_cvtsi128_si64(_mm_unpackhi_epi64(half, half)),
        );
        (a as u64).wrapping_add(b as u64)
    }

    /// See [`super::byte_sum`]; `bytes` must be at least 16 bytes long for the tail's load.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn byte_sum(bytes: &[u8]) -> u64 {
        let zero = _mm256_setzero_si256();
        let mut sum = _mm256_setzero_si256();
        let mut blocks = bytes.chunks_exact(32);
        for block in &mut blocks {
            // SAFETY: `block` is 32 bytes long (`chunks_exact(32)`), exactly what the
            // unaligned load (no alignment requirement) reads.
            let v = unsafe { _mm256_loadu_si256(block.as_ptr().cast::<__m256i>()) };
            sum = _mm256_add_epi64(sum, _mm256_sad_epu8(v, zero));
        }
        // Below 32 bytes left: sixteen of them, then the rest masked (see `Sum::add_rest`).
        let rest = blocks.remainder().len();
        let mut tail = super::Sum::default();
        if let Some(sixteen) = blocks.remainder().first_chunk::<16>() {
            tail.add16(sixteen);
        }
        tail.add_rest(bytes, rest % 16);
        lanes_total(sum).wrapping_add(tail.total())
    }

    /// The SOH mask of the 64 bytes `lo` then `hi`, their sum added into `sum`.
    #[target_feature(enable = "avx2")]
    fn mask_and_sum(lo: __m256i, hi: __m256i, sum: &mut __m256i) -> u64 {
        let soh = _mm256_set1_epi8(0x01);
        let zero = _mm256_setzero_si256();
        *sum = _mm256_add_epi64(
            *sum,
            _mm256_add_epi64(_mm256_sad_epu8(lo, zero), _mm256_sad_epu8(hi, zero)),
        );
        // `movemask` gives one bit per byte of the 32.
        let l = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, soh)) as u32;
        let h = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, soh)) as u32;
        u64::from(l) | u64::from(h) << 32
    }
}

/// A running byte sum.
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy, Default)]
struct Sum(u64);

#[cfg(not(target_arch = "x86_64"))]
impl Sum {
    #[inline(always)]
    fn add16(&mut self, chunk: &[u8; 16]) {
        let s: u32 = chunk.iter().map(|&b| u32::from(b)).sum();
        self.0 = self.0.wrapping_add(u64::from(s));
    }

    #[inline(always)]
    fn total(self) -> u64 {
        self.0
    }
}

/// The SOH mask of 64 bytes, eight bytes at a time, and their sum into `sum`.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block_mask(block: &[u8; 64], sum: &mut Sum) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let mut mask = 0u64;
    for (i, chunk) in block.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let x = u64::from_le_bytes(w) ^ 0x0101_0101_0101_0101;
        // The high bit of each byte is set when the byte is not zero (no carries between
        // bytes), so the zero bytes of `x` are exactly the SOH bytes.
        let zero = !(((x & LOW7) + LOW7) | x) & !LOW7;
        let bits = ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8;
        mask |= u64::from(bits) << (8 * i);
    }
    for c in block.chunks_exact(16) {
        let mut b = [0u8; 16];
        b.copy_from_slice(c);
        sum.add16(&b);
    }
    mask
}

/// `bytes` as text when every byte is ASCII and none is SOH (nearly every FIX value),
/// checked eight bytes at a time; `None` otherwise, for the caller's general path (UTF-8
/// decoding, SOH reporting). Cheaper than `str::from_utf8` on the short values of FIX.
pub(crate) fn ascii_text(bytes: &[u8]) -> Option<&str> {
    // A byte with its high bit set (not ASCII) or equal to SOH makes `bad` non-zero: SOH
    // bytes become zero after `^ ONES`, and a zero byte is flagged by the borrow trick (bytes
    // above it may be flagged falsely, which only matters when there is a true one).
    let bad = |w: u64| (w & HIGHS) | zero_bytes(w ^ ONES);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = c
            .first_chunk::<8>()
            .map_or(HIGHS, |w| u64::from_le_bytes(*w));
        if bad(w) != 0 {
            return None;
        }
    }
    if chunks.remainder().iter().any(|&b| b >= 0x80 || b == 0x01) {
        return None;
    }
    // SAFETY: every byte of `bytes` is below 0x80 (checked above: no high bit set in any
    // word or remaining byte), so each byte is one ASCII character, and ASCII text is valid
    // UTF-8 byte for byte, which is all `from_utf8_unchecked` requires.
    #[allow(unsafe_code)]
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// `0x01` in every byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The top bit of every byte of a word.
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags (the top bit of the byte) the zero bytes of `x`; the lowest flag is exact (borrows
/// only produce false flags above a true zero byte), so whether there is one is exact.
#[inline(always)]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The 1 to 8 bytes of `v` in a little-endian word, higher bytes zero; `None` for an empty
/// or longer `v`. Two or three loads that together cover the value (where they overlap the
/// bytes are the same, so or-ing them is exact), without a loop or a copy.
#[inline(always)]
pub(crate) fn small_word(v: &[u8]) -> Option<u64> {
    let len = v.len();
    match *v {
        [] => None,
        [a, ..] if len <= 3 => Some(
            u64::from(a)
                | u64::from(v[len / 2]) << (8 * (len / 2))
                | u64::from(v[len - 1]) << (8 * (len - 1)),
        ),
        _ if len <= 8 => {
            let lo = v.first_chunk::<4>().map_or(0, |w| u32::from_le_bytes(*w));
            let hi = v.last_chunk::<4>().map_or(0, |w| u32::from_le_bytes(*w));
            Some(u64::from(lo) | u64::from(hi) << (8 * (len - 4)))
        }
        _ => None,
    }
}

/// The low `len` (1 to 8) bytes of a word.
#[inline(always)]
pub(crate) fn low_bytes(len: usize) -> u64 {
    u64::MAX >> (64 - 8 * len.clamp(1, 8))
}

/// Flags (the top bit of the byte) exactly the bytes of `w` equal to `b`.
#[inline(always)]
pub(crate) fn bytes_equal(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    // A byte is non-zero if its low seven bits carry into the top one, or the top one is set.
    !((x & !HIGHS).wrapping_add(!HIGHS) | x) & HIGHS
}

/// Whether the bytes of `w` selected by `low` (low bytes, see [`low_bytes`]) are all ASCII
/// digits.
#[inline(always)]
pub(crate) fn digits_in(w: u64, low: u64) -> bool {
    // d = byte - '0' is at most 9 exactly for a digit: then neither d nor d + 0x76 has its
    // top bit set. A byte below '0' borrows from the one above and one above '9' may carry
    // into it, so bytes above a failing one may be misjudged, but the lowest failing byte
    // never is: whether any fails is exact.
    let d = w.wrapping_sub(ONES * u64::from(b'0'));
    (d | d.wrapping_add(ONES * 0x76)) & HIGHS & low == 0
}

/// Whether `v` is 1 or more ASCII digits: up to three bytes one by one, up to eight in one
/// word.
#[inline(always)]
pub(crate) fn all_digits(v: &[u8]) -> bool {
    let n = v.len();
    match *v {
        // The first, middle and last byte cover one to three.
        [first, ..] if n <= 3 => {
            first.is_ascii_digit() && v[n / 2].is_ascii_digit() && v[n - 1].is_ascii_digit()
        }
        _ => match small_word(v) {
            Some(w) => digits_in(w, low_bytes(n)),
            None => n > 0 && v.iter().all(u8::is_ascii_digit),
        },
    }
}

/// Test inputs: `count` byte strings, of lengths 0 to `lens - 1` in turn, each byte drawn
/// from `alphabet` by a xorshift generator started at `seed` (not zero).
#[cfg(test)]
pub(crate) fn random_texts(
    alphabet: &[u8],
    lens: usize,
    count: usize,
    seed: u64,
) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut rng = seed;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    (0..count).map(move |i| {
        (0..i % lens.max(1))
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_words_hold_the_bytes_and_digit_checks_are_exact() {
        // Every length 0 to 9; bytes at and around '0', '9' and '.', zero and high bytes, so
        // that borrows and carries between bytes would show.
        let alphabet = [b'0', b'9', b'/', b':', b'.', b'5', 0, 0xff, 0x80, b'1'];
        for v in random_texts(&alphabet, 10, 200_000, 0x9e37_79b9_7f4a_7c15) {
            let len = v.len();
            let word = small_word(&v);
            if (1..=8).contains(&len) {
                let mut bytes = [0u8; 8];
                bytes[..len].copy_from_slice(&v);
                assert_eq!(word, Some(u64::from_le_bytes(bytes)), "{v:?}");
                let w = u64::from_le_bytes(bytes);
                let dots: Vec<bool> = (0..8)
                    .map(|k| bytes_equal(w, b'.') >> (8 * k + 7) & 1 == 1)
                    .collect();
                let want: Vec<bool> = bytes.iter().map(|&b| b == b'.').collect();
                assert_eq!(dots, want, "{v:?}");
            } else {
                assert_eq!(word, None, "{v:?}");
            }
            let want = !v.is_empty() && v.iter().all(u8::is_ascii_digit);
            assert_eq!(all_digits(&v), want, "{v:?}");
        }
    }

    #[test]
    fn ascii_text_is_the_ascii_values_without_soh() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..48usize {
            for _ in 0..400 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        // Mostly letters, sometimes SOH, its neighbours, DEL and high bytes.
                        match rng % 40 {
                            0 => 0x01,
                            1 => 0x00,
                            2 => 0x02,
                            3 => 0x7F,
                            4 => 0x80,
                            5 => 0xFF,
                            6 => 0xC3,
                            _ => b'a' + (rng >> 8) as u8 % 26,
                        }
                    })
                    .collect();
                let expected = bytes.iter().all(|&b| b < 0x80 && b != 0x01);
                let got = ascii_text(&bytes);
                assert_eq!(got.is_some(), expected, "{bytes:?}");
                if let Some(text) = got {
                    assert_eq!(text.as_bytes(), &bytes[..]);
                }
            }
        }
    }

    #[test]
    fn marks_exactly_the_soh_bytes() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut bits = Vec::new();
        for len in [
            0usize, 1, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 79, 80, 95, 96, 127, 128, 129, 300,
            1000,
        ] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    // SOH, its neighbours, bytes with the high bit set, letters.
                    [0x01, 0x00, 0x02, 0x81, 0xFF, b'=', b'a'][(rng % 7) as usize]
                })
                .collect();
            let expected: u64 = bytes.iter().map(|&b| u64::from(b)).sum();
            // The baseline path, then the one this CPU takes (AVX2 where it has it).
            let mut baseline = Vec::new();
            assert_eq!(
                soh_bitmap_baseline(&bytes, &mut baseline),
                expected,
                "len {len}"
            );
            let sum = soh_bitmap(&bytes, &mut bits);
            assert_eq!(sum, expected, "len {len}");
            assert_eq!(bits, baseline, "len {len}");
            assert_eq!(byte_sum(&bytes), expected, "len {len}");
            assert_eq!(byte_sum_baseline(&bytes), expected, "len {len}");
            assert_eq!(bits.len(), len.div_ceil(64));
            for (i, &b) in bytes.iter().enumerate() {
                assert_eq!(
                    bits[i / 64] >> (i % 64) & 1 == 1,
                    b == 0x01,
                    "len {len} byte {i}"
                );
            }
            if len % 64 != 0 {
                assert_eq!(bits[len / 64] >> (len % 64), 0, "padding is not SOH");
            }
        }
    }
}
