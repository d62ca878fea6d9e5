//! Writing a message into a caller's buffer: fields appended in place, BodyLength and
//! CheckSum filled in at the end.

use crate::frame::{checksum, find_soh, SOH};
use crate::tag::Tag;
use crate::value::FixValue;

/// Writes one message into a `Vec<u8>` the caller owns and reuses.
///
/// ```
/// use fix_core::encode::Writer;
/// let mut buf = Vec::new();
/// let mut w = Writer::new(&mut buf, "FIX.4.2");
/// w.put_str(b"35=", "0");
/// let range = w.finish();
/// assert_eq!(&buf[range], b"8=FIX.4.2\x019=5\x0135=0\x0110=161\x01");
/// ```
pub struct Writer<'a> {
    buf: &'a mut Vec<u8>,
    start: usize,
    body_start: usize,
    soh_in_value: Option<Tag>,
}

/// Digits reserved for BodyLength.
const RESERVED: usize = 3;

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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether one of the bytes of `word` is SOH.
#[inline(always)]
fn word_has_soh(word: u64) -> bool {
    let x = word ^ ONES;
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// [`append`] that also says whether `s` holds a SOH, looking at the same words it copies.
#[inline(always)]
fn append_soh_checked(out: &mut Vec<u8>, s: &[u8]) -> bool {
    let n = s.len();
    let at = out.len();
    if let (Some(head), Some(tail), true) = (s.first_chunk::<8>(), s.last_chunk::<8>(), n <= 16) {
        out.extend_from_slice(head);
        out.extend_from_slice(tail);
        out[at + n - 8..at + n].copy_from_slice(tail);
        out.truncate(at + n);
        word_has_soh(u64::from_le_bytes(*head)) || word_has_soh(u64::from_le_bytes(*tail))
    } else if let (Some(head), Some(tail), true) =
        (s.first_chunk::<4>(), s.last_chunk::<4>(), n < 8)
    {
        out.extend_from_slice(head);
        out.extend_from_slice(tail);
        out[at + n - 4..at + n].copy_from_slice(tail);
        out.truncate(at + n);
        // Both halves in one word: SOH in either shows.
        let word =
            u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32;
        word_has_soh(word)
    } else if n < 4 {
        let mut soh = false;
        for &b in s {
            out.push(b);
            soh |= b == SOH;
        }
        soh
    } else {
        out.extend_from_slice(s);
        find_soh(s).is_some()
    }
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

impl<'a> Writer<'a> {
    /// Starts a message with BeginString `begin_string` at the end of `buf`.
    pub fn new(buf: &'a mut Vec<u8>, begin_string: &str) -> Writer<'a> {
        let start = buf.len();
        buf.extend_from_slice(b"8=");
        buf.extend_from_slice(begin_string.as_bytes());
        // BodyLength is written in place at the end. Three digits are reserved, which fits
        // most messages (100 to 999 bytes of body); other lengths move the body once.
        buf.extend_from_slice(b"\x019=000\x01");
        let body_start = buf.len();
        Writer {
            buf,
            start,
            body_start,
            soh_in_value: None,
        }
    }

    /// Appends `prefix` (the tag and `=`, e.g. `b"44="`), the value and SOH.
    #[inline(always)]
    pub fn put<V: FixValue>(&mut self, prefix: &[u8], value: &V) {
        self.buf.extend_from_slice(prefix);
        value.write(self.buf);
        self.buf.push(SOH);
    }

    /// [`Writer::put`] if `value` is set (for generated code: one call per optional member).
    #[inline]
    pub fn put_opt<V: FixValue>(&mut self, prefix: &[u8], value: &Option<V>) {
        if let Some(v) = value {
            self.put(prefix, v);
        }
    }

    /// [`Writer::put_str`] if `value` is set.
    #[inline]
    pub fn put_str_opt(&mut self, prefix: &[u8], value: &Option<String>) {
        if let Some(v) = value {
            self.put_str(prefix, v);
        }
    }

    /// Appends an optional component's fields if it is set.
    #[inline]
    pub fn put_component<C: crate::message::Fields>(&mut self, component: &Option<Box<C>>) {
        if let Some(c) = component {
            c.encode_fields(self);
        }
    }

    /// Appends a repeating group: its NumInGroup field (`prefix`, e.g. `b"453="`) with the
    /// number of entries, then each entry. An empty group is written (count 0) only when
    /// `required`.
    #[inline]
    pub fn put_group<G: crate::message::Fields>(
        &mut self,
        prefix: &[u8],
        entries: &[G],
        required: bool,
    ) {
        if required || !entries.is_empty() {
            self.put_u64(prefix, entries.len() as u64);
            for e in entries {
                e.encode_fields(self);
            }
        }
    }

    /// Appends a field whose value is a string; a SOH inside it is recorded and reported by
    /// [`Writer::finish_checked`].
    #[inline(always)]
    pub fn put_str(&mut self, prefix: &[u8], value: &str) {
        self.put_bytes(prefix, value.as_bytes());
    }

    /// Appends a field with raw bytes as its value (not for DATA fields: see
    /// [`Writer::put_data`]).
    #[inline(always)]
    pub fn put_bytes(&mut self, prefix: &[u8], value: &[u8]) {
        // Inlined, the prefix (a literal in generated code) is copied with fixed-size moves.
        self.buf.extend_from_slice(prefix);
        self.value_and_soh(prefix, value);
    }

    /// The value part of [`Writer::put_bytes`].
    #[inline(never)]
    fn value_and_soh(&mut self, prefix: &[u8], value: &[u8]) {
        if append_soh_checked(self.buf, value) && self.soh_in_value.is_none() {
            self.soh_in_value = Some(tag_of_prefix(prefix));
        }
        self.buf.push(SOH);
    }

    /// Appends a DATA field's bytes, which may contain SOH. The caller writes the length field.
    #[inline]
    pub fn put_data(&mut self, prefix: &[u8], value: &[u8]) {
        self.buf.extend_from_slice(prefix);
        append(self.buf, value);
        self.buf.push(SOH);
    }

    /// Appends an unsigned integer field.
    #[inline(always)]
    pub fn put_u64(&mut self, prefix: &[u8], value: u64) {
        self.buf.extend_from_slice(prefix);
        write_u64(self.buf, value);
        self.buf.push(SOH);
    }

    /// Appends a field given by tag number (slower than a prefix; for generic code).
    pub fn put_tag_bytes(&mut self, tag: Tag, value: &[u8]) {
        if self.soh_in_value.is_none() && value.contains(&SOH) {
            self.soh_in_value = Some(tag);
        }
        write_u64(self.buf, u64::from(tag));
        self.buf.push(b'=');
        self.buf.extend_from_slice(value);
        self.buf.push(SOH);
    }

    /// The bytes of the body written so far (after MsgType is written, starting with it).
    pub fn body(&self) -> &[u8] {
        &self.buf[self.body_start..]
    }

    /// Fills in BodyLength and appends CheckSum; returns where the message lies in the buffer.
    pub fn finish(self) -> std::ops::Range<usize> {
        let Writer {
            buf,
            start,
            body_start,
            ..
        } = self;
        let body_len = buf.len() - body_start;
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        let mut n = body_len;
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let digits = &tmp[i..];
        let len_at = body_start - RESERVED - 1;
        let old_end = buf.len();
        match digits.len() {
            RESERVED => {}
            k if k > RESERVED => {
                let grow = k - RESERVED;
                buf.resize(old_end + grow, 0);
                buf.copy_within(body_start..old_end, body_start + grow);
            }
            k => {
                let shrink = RESERVED - k;
                buf.copy_within(body_start..old_end, body_start - shrink);
                buf.truncate(old_end - shrink);
            }
        }
        buf[len_at..len_at + digits.len()].copy_from_slice(digits);
        buf[len_at + digits.len()] = SOH;
        let sum = checksum(&buf[start..]);
        buf.extend_from_slice(b"10=");
        buf.push(b'0' + sum / 100);
        buf.push(b'0' + (sum / 10) % 10);
        buf.push(b'0' + sum % 10);
        buf.push(SOH);
        start..buf.len()
    }

    /// Like [`Writer::finish`], but fails if a non-DATA value contained SOH (the message is
    /// then removed from the buffer).
    pub fn finish_checked(self) -> Result<std::ops::Range<usize>, crate::error::EncodeError> {
        if let Some(tag) = self.soh_in_value {
            let start = self.start;
            self.buf.truncate(start);
            return Err(crate::error::EncodeError::SohInValue { tag });
        }
        Ok(self.finish())
    }
}

fn tag_of_prefix(prefix: &[u8]) -> Tag {
    prefix
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0u32, |acc, &b| {
            acc.saturating_mul(10).saturating_add(u32::from(b - b'0'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{find_frame, DEFAULT_MAX_MESSAGE_LEN};

    #[test]
    fn body_length_and_checksum_are_filled_in() {
        let mut buf = b"previous".to_vec();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put_u64(b"34=", 12);
        w.put_str(b"11=", &"x".repeat(300));
        let r = w.finish();
        assert_eq!(r.start, 8);
        let msg = &buf[r];
        let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
        assert_eq!(frame.len, msg.len());
        assert!(msg.starts_with(b"8=FIX.4.4\x019=315\x0135=D\x01"));
    }

    #[test]
    fn body_lengths_of_every_digit_count() {
        // Bodies of 1, 2, 3, 4 and 5 digits of length: the reserved 3 digits shrink or grow.
        for text_len in [0usize, 1, 80, 89, 90, 94, 95, 990, 995, 1000, 12_345] {
            let mut buf = b"xy".to_vec();
            let mut w = Writer::new(&mut buf, "FIX.4.2");
            w.put_str(b"35=", "0");
            if text_len > 0 {
                w.put_str(b"58=", &"v".repeat(text_len));
            }
            let r = w.finish();
            assert_eq!(&buf[..2], b"xy", "bytes before the message are kept");
            assert_eq!(r.end, buf.len());
            let msg = &buf[r];
            let body_len = 5 + if text_len > 0 { 4 + text_len } else { 0 };
            let head = format!("8=FIX.4.2\x019={body_len}\x0135=0\x01");
            assert!(
                msg.starts_with(head.as_bytes()),
                "{:?}",
                String::from_utf8_lossy(&msg[..20])
            );
            let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
            assert_eq!(frame.len, msg.len());
            assert_eq!(frame.body.len(), body_len);
        }
    }

    #[test]
    fn soh_in_a_string_value_is_refused() {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put_str(b"58=", "a\x01b");
        assert_eq!(
            w.finish_checked(),
            Err(crate::error::EncodeError::SohInValue { tag: 58 })
        );
        assert!(buf.is_empty());
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_tag_bytes(9999, b"a\x01");
        assert_eq!(
            w.finish_checked(),
            Err(crate::error::EncodeError::SohInValue { tag: 9999 })
        );
    }
}

#[cfg(test)]
mod soh_check_tests {
    use super::*;

    #[test]
    fn fused_copy_finds_soh_at_every_position_and_length() {
        for n in 0..40usize {
            let clean: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            let mut out = b"x".to_vec();
            assert!(!append_soh_checked(&mut out, &clean), "len {n}");
            assert_eq!(&out[1..], &clean[..]);
            for p in 0..n {
                let mut dirty = clean.clone();
                dirty[p] = SOH;
                let mut out = b"x".to_vec();
                assert!(append_soh_checked(&mut out, &dirty), "len {n} at {p}");
                assert_eq!(&out[1..], &dirty[..]);
            }
        }
    }
}
