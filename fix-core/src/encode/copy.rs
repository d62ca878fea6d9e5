//! Byte copies for the writer: short values moved as whole words, SOH found while copying,
//! prefixes packed into a word.

use crate::frame::{find_soh, SOH};
use crate::scan::{zero_bytes, ONES};

/// Appends `s` to `out` like `extend_from_slice`, but copies values of up to 16 bytes with
/// fixed-size moves instead of a `memcpy` call (most FIX values are that short).
#[inline]
pub fn append(out: &mut Vec<u8>, s: &[u8]) {
    let n = s.len();
    let at = out.len();
    if let (Some(head), Some(tail), true) = (s.first_chunk::<8>(), s.last_chunk::<8>(), n <= 16) {
        // Two overlapping 8-byte moves cover 8 to 16 bytes.
        out.extend_from_slice(head);
        out.extend_from_slice(tail);
        out[at + n - 8..at + n].copy_from_slice(tail);
        out.truncate(at + n);
    } else if let (Some(head), Some(tail), true) =
        (s.first_chunk::<4>(), s.last_chunk::<4>(), n < 8)
    {
        out.extend_from_slice(head);
        out.extend_from_slice(tail);
        out[at + n - 4..at + n].copy_from_slice(tail);
        out.truncate(at + n);
    } else if n < 4 {
        for &b in s {
            out.push(b);
        }
    } else {
        out.extend_from_slice(s);
    }
}

/// Whether one of the bytes of `word` is SOH.
#[inline(always)]
fn word_has_soh(word: u64) -> bool {
    zero_bytes(word ^ ONES) != 0
}

/// Writes a value of `n` bytes (`N` to `2 * N`) that starts with `head` and ends with `tail`
/// at the start of `dst`: two overlapping fixed-size moves.
#[inline(always)]
fn copy_ends<const N: usize>(dst: &mut [u8], n: usize, head: &[u8; N], tail: &[u8; N]) {
    if let Some(d) = dst.get_mut(..n) {
        if let Some(d) = d.first_chunk_mut::<N>() {
            *d = *head;
        }
        if let Some(d) = d.last_chunk_mut::<N>() {
            *d = *tail;
        }
    }
}

/// Copies `s` to the start of `dst` (which must be at least as long; the rest is left as it
/// is) and says whether `s` holds a SOH, looking at the same words it copies. Values of up
/// to 32 bytes are copied with fixed-size moves.
#[inline(always)]
pub(super) fn copy_soh_checked(dst: &mut [u8], s: &[u8]) -> bool {
    let n = s.len();
    if let (Some(head), Some(tail), true) = (s.first_chunk::<16>(), s.last_chunk::<16>(), n <= 32) {
        // 16 to 32 bytes: two overlapping 16-byte moves.
        copy_ends(dst, n, head, tail);
        let word = |c: &[u8; 16], i: usize| {
            c.get(i..i + 8)
                .and_then(|w| w.first_chunk::<8>())
                .map_or(0, |w| u64::from_le_bytes(*w))
        };
        return word_has_soh(word(head, 0))
            | word_has_soh(word(head, 8))
            | word_has_soh(word(tail, 0))
            | word_has_soh(word(tail, 8));
    }
    copy_short(dst, s)
}

/// [`copy_soh_checked`] for values of up to 16 bytes (fixed-size moves); longer ones are
/// copied whole.
#[inline(always)]
pub(super) fn copy_short(dst: &mut [u8], s: &[u8]) -> bool {
    let n = s.len();
    if let (Some(head), Some(tail), true) = (s.first_chunk::<8>(), s.last_chunk::<8>(), n <= 16) {
        // Two overlapping 8-byte moves cover 8 to 16 bytes.
        copy_ends(dst, n, head, tail);
        word_has_soh(u64::from_le_bytes(*head)) | word_has_soh(u64::from_le_bytes(*tail))
    } else if let (Some(head), Some(tail), true) =
        (s.first_chunk::<4>(), s.last_chunk::<4>(), n < 8)
    {
        copy_ends(dst, n, head, tail);
        // Both halves in one word: SOH in either shows.
        let word =
            u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32;
        word_has_soh(word)
    } else if let (Some(&first), Some(&last), true) = (s.first(), s.last(), n < 4) {
        // One to three bytes: the first, the middle and the last cover them.
        let middle = s[n / 2];
        if let Some(d) = dst.get_mut(..n) {
            d[0] = first;
            d[n / 2] = middle;
            d[n - 1] = last;
        }
        (first == SOH) | (middle == SOH) | (last == SOH)
    } else {
        if let Some(d) = dst.get_mut(..n) {
            d.copy_from_slice(s);
        }
        find_soh(s).is_some()
    }
}

/// Writes a field with a packed prefix (`len` bytes of `prefix`, at most 8) at the start of
/// `dst`: the prefix as one word, then `value` (shorter than `ROOM`) by `copy`, then SOH.
/// Returns the bytes written and whether the value holds SOH (`copy`'s answer).
#[inline(always)]
pub(super) fn fill_packed<const ROOM: usize>(
    dst: &mut [u8],
    prefix: u64,
    len: usize,
    value: &[u8],
    copy: fn(&mut [u8], &[u8]) -> bool,
) -> (usize, bool) {
    // At most 8; masked to 15 it needs no further checks.
    let len = len & 15;
    let n = value.len();
    if let Some((head, _)) = dst.split_first_chunk_mut::<8>() {
        *head = prefix.to_le_bytes();
    }
    let soh = match dst.get_mut(len..len + ROOM) {
        Some(rest) if n < ROOM => {
            let soh = copy(rest, value);
            rest[n] = SOH;
            soh
        }
        _ => false,
    };
    (len + n + 1, soh)
}

/// Appends the decimal digits of `n` to `out`.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    append(out, &tmp[i..]);
}

/// A field prefix (`b"44="`) of at most 8 bytes as a little-endian word and its length; for a
/// literal prefix this folds to constants.
#[inline(always)]
pub(super) fn pack(prefix: &[u8]) -> Option<(u64, usize)> {
    if prefix.len() > 8 {
        return None;
    }
    let mut word = 0u64;
    let mut i = 0;
    while i < prefix.len() {
        word |= u64::from(prefix[i]) << (8 * i);
        i += 1;
    }
    Some((word, prefix.len()))
}

#[cfg(test)]
mod tests;
