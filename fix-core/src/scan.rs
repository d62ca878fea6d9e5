//! Where a message's SOH bytes are, as a bitmap built in one pass (sixteen bytes per compare
//! on x86_64): the tokenizer takes field ends from it one bit at a time, so finding the next
//! field never waits for the previous one to be parsed.

/// Fills `bits` with one bit per byte of `bytes` (bit `i % 64` of word `i / 64` for byte `i`),
/// set where the byte is SOH; replaces what `bits` held.
pub(crate) fn soh_bitmap(bytes: &[u8], bits: &mut Vec<u64>) {
    bits.clear();
    bits.reserve(bytes.len() / 64 + 1);
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let mut b = [0u8; 64];
        b.copy_from_slice(block);
        bits.push(block_mask(&b));
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // The tail, padded with zero bytes (not SOH).
        let mut b = [0u8; 64];
        b[..rest.len()].copy_from_slice(rest);
        bits.push(block_mask(&b));
    }
}

/// The SOH mask of 64 bytes, sixteen bytes per SSE2 compare. The workspace denies `unsafe`;
/// this is fix-core's one exception, argued at the block.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn block_mask(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut mask = 0u64;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU has these
        // instructions; `chunk` is 16 bytes long (`chunks_exact(16)`), exactly what the
        // unaligned load (`loadu`: no alignment requirement) reads; the compare and the
        // mask extraction only compute on registers.
        let m = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x01)))
        };
        // `movemask` sets only the low 16 bits.
        mask |= u64::from(m as u16) << (16 * i);
    }
    mask
}

/// The SOH mask of 64 bytes, eight bytes at a time.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block_mask(block: &[u8; 64]) -> u64 {
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
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_exactly_the_soh_bytes() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut bits = Vec::new();
        for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 300, 1000] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    // SOH, its neighbours, bytes with the high bit set, letters.
                    [0x01, 0x00, 0x02, 0x81, 0xFF, b'=', b'a'][(rng % 7) as usize]
                })
                .collect();
            soh_bitmap(&bytes, &mut bits);
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
