//! Writing a message into a caller's buffer: fields appended in place, BodyLength and
//! CheckSum filled in at the end.

use crate::frame::{checksum, find_soh, SOH};
use crate::scan::{zero_bytes, ONES};
use crate::tag::Tag;
use crate::value::digits::{digit_count, fill_u64};
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
///
/// While it writes, the buffer is longer than the message: fields are written into
/// zero-filled room after the end, so that each one is one bounds check and plain stores
/// rather than a capacity check per piece. [`Writer::finish`] (or dropping the writer) cuts
/// the buffer back to the end of what was written.
///
/// The writer holds the caller's `Vec` itself while it writes (the caller's variable is left
/// empty meanwhile) and puts it back when it is dropped, so that the hot path reads the
/// buffer's address and length from the writer itself, where the compiler can keep them in
/// registers. A writer passed to [`std::mem::forget`] therefore takes the buffer with it.
pub struct Writer<'a> {
    /// The caller's buffer, empty while the writer holds its contents in `buf`.
    out: &'a mut Vec<u8>,
    /// The caller's buffer, taken out of `out` for the writer's life (and put back when it
    /// is dropped): held here, its address and length are read from the writer itself rather
    /// than through a pointer for every field.
    buf: Vec<u8>,
    /// The end of what has been written; `buf[pos..]` is room for the next fields.
    pos: usize,
    start: usize,
    body_start: usize,
    soh_in_value: Option<Tag>,
}

/// Room taken by a field of packed prefix and value: two words at up to 15 bytes apart.
const WORD_ROOM: usize = 24;

/// The CheckSum field of each sum (`10=`, three digits, SOH) in the low seven bytes of a
/// little-endian word.
static CHECKSUM_FIELDS: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let digits = [(i / 100) as u8, (i / 10 % 10) as u8, (i % 10) as u8];
        table[i] = u64::from_le_bytes([
            b'1',
            b'0',
            b'=',
            b'0' + digits[0],
            b'0' + digits[1],
            b'0' + digits[2],
            SOH,
            0,
        ]);
        i += 1;
    }
    table
};

/// Digits reserved for BodyLength.
const RESERVED: usize = 3;

/// Room made at the start of a message, and at least that much more each time it runs out:
/// most messages fit in one go.
const ROOM: usize = 512;

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
fn copy_soh_checked(dst: &mut [u8], s: &[u8]) -> bool {
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
fn copy_short(dst: &mut [u8], s: &[u8]) -> bool {
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
fn fill_packed<const ROOM: usize>(
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
fn pack(prefix: &[u8]) -> Option<(u64, usize)> {
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

/// A value whose wire form has at most [`Bounded::MAX`] bytes, written straight into the
/// writer's room.
pub(crate) trait Bounded: FixValue {
    /// The longest wire form.
    const MAX: usize;
    /// Writes the wire form at the start of `out` (at least [`Bounded::MAX`] bytes long) and
    /// returns its length.
    fn fill(&self, out: &mut [u8]) -> usize;
}

impl<'a> Writer<'a> {
    /// Starts a message with BeginString `begin_string` at the end of `out`. The BeginString
    /// is configuration (a generated crate's constant, a checked session setting), written
    /// as given: unlike the fields' values it is not checked for SOH.
    pub fn new(out: &'a mut Vec<u8>, begin_string: &str) -> Writer<'a> {
        let mut buf = std::mem::take(out);
        let start = buf.len();
        let begin = begin_string.as_bytes();
        // BodyLength is written in place at the end. Three digits are reserved, which fits
        // most messages (100 to 999 bytes of body); other lengths move the body once. They
        // hold `000` until then: `finish` sums the message over them.
        let head = begin.len() + 9;
        buf.resize(start + head.max(ROOM), 0);
        let mut w = Writer {
            out,
            buf,
            pos: start,
            start,
            body_start: start + head,
            soh_in_value: None,
        };
        // One more byte than the head: its end is written as a word.
        let dst = w.room(head + 1);
        if let Some((at, rest)) = dst.split_first_chunk_mut::<2>() {
            *at = *b"8=";
            if let Some((value, rest)) = rest.split_at_mut_checked(begin.len()) {
                copy_soh_checked(value, begin);
                if let Some(rest) = rest.first_chunk_mut::<8>() {
                    *rest = *b"\x019=000\x01\0";
                }
            }
        }
        w.pos = start + head;
        w
    }

    /// Where the next byte goes, as known to be below `isize::MAX` (a `Vec` is never
    /// longer): adding a small length to it cannot overflow, which spares a check.
    #[inline(always)]
    fn at(&self) -> usize {
        self.pos & isize::MAX as usize
    }

    /// `n` bytes of room at the end of what is written, made if needed.
    #[inline(always)]
    fn room(&mut self, n: usize) -> &mut [u8] {
        let pos = self.pos;
        if pos + n > self.buf.len() {
            self.grow(n);
        }
        match self.buf.get_mut(pos..pos + n) {
            Some(dst) => dst,
            None => &mut [],
        }
    }

    /// Makes at least `n` bytes of room (and usually much more).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) {
        let written = self.pos - self.start;
        self.buf.resize(self.pos + n + written.max(ROOM), 0);
    }

    /// Appends `prefix` (the tag and `=`, e.g. `b"44="`), the value and SOH. A value whose
    /// text could hold SOH (a string, a CHAR, an enumeration's unlisted value) is checked,
    /// and [`Writer::finish_checked`] reports it.
    #[inline(always)]
    pub fn put<V: FixValue>(&mut self, prefix: &[u8], value: &V) {
        value.put_field(self, prefix);
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
        match pack(prefix) {
            Some((word, len)) => self.short_prefix_field(word, len, value),
            None => self.long_prefix_field(prefix, value, true),
        }
    }

    /// Appends a field whose value is a generated enum's: `Ok((word, len))` is the wire text
    /// followed by SOH packed in a little-endian word, `len` bytes of it (SOH included, at
    /// most 8), not checked for SOH (the dictionary's values hold none); `Err(text)` is the
    /// text of a longer or unlisted value, checked like a string's (an unlisted value is the
    /// user's text).
    #[inline(always)]
    pub fn put_enum(&mut self, prefix: &[u8], value: Result<(u64, usize), &str>) {
        match (pack(prefix), value) {
            (Some((word, len)), Ok((value, value_len))) => {
                self.word_field(word, len, value, value_len)
            }
            (_, Err(text)) => self.put_bytes(prefix, text.as_bytes()),
            (None, Ok((value, value_len))) => {
                let bytes = value.to_le_bytes();
                let text = &bytes[..value_len.clamp(1, 8) - 1];
                self.long_prefix_field(prefix, text, false);
            }
        }
    }

    /// A field whose prefix and value (SOH included) are both packed in words; inlined like
    /// [`Writer::short_prefix_field`].
    #[inline(always)]
    fn word_field(&mut self, prefix: u64, len: usize, value: u64, value_len: usize) {
        let pos = self.at();
        let Some(dst) = self.buf.get_mut(pos..pos + WORD_ROOM) else {
            return self.word_field_grow(prefix, len, value, value_len);
        };
        // Both lengths are at most 8; masked to 15 they need no further checks and keep
        // the end within the room even if they were not.
        let len = len & 15;
        if let Some((head, _)) = dst.split_first_chunk_mut::<8>() {
            *head = prefix.to_le_bytes();
        }
        if let Some(tail) = dst.get_mut(len..).and_then(|d| d.first_chunk_mut::<8>()) {
            *tail = value.to_le_bytes();
        }
        self.pos = pos + len + (value_len & 15);
    }

    /// [`Writer::word_field`] when the room has run out.
    #[cold]
    #[inline(never)]
    fn word_field_grow(&mut self, prefix: u64, len: usize, value: u64, value_len: usize) {
        self.grow(WORD_ROOM);
        self.word_field(prefix, len, value, value_len);
    }

    /// A field whose prefix is packed in a word, its value checked for SOH. Values
    /// of up to 16 bytes with room to spare are written here, inlined into the generated
    /// code (about 40 instructions, and no call or register saves: with the buffer held in the
    /// writer, 8% fewer instructions to encode a NewOrderSingle, for 11% more release build
    /// time of fix50; see BENCHMARKS.md); longer ones go to
    /// [`Writer::medium_field`].
    #[inline(always)]
    fn short_prefix_field(&mut self, prefix: u64, len: usize, value: &[u8]) {
        // Prefix (at most 15 bytes after masking), up to 16 bytes of value and SOH.
        const NEEDED: usize = 32;
        let n = value.len();
        let pos = self.at();
        if n > 16 {
            return self.medium_field(prefix, len, value);
        }
        let dst = match self.buf.get_mut(pos..pos + NEEDED) {
            Some(dst) => dst,
            None => return self.slow_field(prefix, len, value),
        };
        let (written, soh) = fill_packed::<17>(dst, prefix, len, value, copy_short);
        self.pos = pos + written;
        if soh {
            self.note_soh(prefix);
        }
    }

    /// [`Writer::short_prefix_field`] for values of 17 to 32 bytes (IDs, mostly), the same
    /// way with two 16-byte moves; longer ones go to [`Writer::slow_field`].
    #[inline(never)]
    fn medium_field(&mut self, prefix: u64, len: usize, value: &[u8]) {
        // Prefix (at most 15 bytes after masking), up to 32 bytes of value and SOH.
        const NEEDED: usize = 48;
        let n = value.len();
        let pos = self.at();
        let dst = match self.buf.get_mut(pos..pos + NEEDED) {
            Some(dst) if n <= 32 => dst,
            _ => return self.slow_field(prefix, len, value),
        };
        let (written, soh) = fill_packed::<33>(dst, prefix, len, value, copy_soh_checked);
        self.pos = pos + written;
        if soh {
            self.note_soh(prefix);
        }
    }

    /// [`Writer::short_prefix_field`] for a long value or when the room has run out.
    #[inline(never)]
    fn slow_field(&mut self, prefix: u64, len: usize, value: &[u8]) {
        let n = value.len();
        let len = len.min(8);
        let pos = self.pos;
        let dst = self.room(8 + n + 1);
        if let Some((head, _)) = dst.split_first_chunk_mut::<8>() {
            *head = prefix.to_le_bytes();
        }
        if let Some(rest) = dst.get_mut(len..len + n + 1) {
            rest[..n].copy_from_slice(value);
            rest[n] = SOH;
        }
        self.pos = pos + len + n + 1;
        if find_soh(value).is_some() {
            self.note_soh(prefix);
        }
    }

    /// Records that the value of the field with this packed prefix held SOH (the first one
    /// is reported).
    #[cold]
    #[inline(never)]
    fn note_soh(&mut self, prefix: u64) {
        if self.soh_in_value.is_none() {
            self.soh_in_value = Some(tag_of_prefix(&prefix.to_le_bytes()));
        }
    }

    /// A field whose prefix is longer than 8 bytes (or not a literal).
    #[inline(never)]
    fn long_prefix_field(&mut self, prefix: &[u8], value: &[u8], check: bool) {
        let (p, n) = (prefix.len(), value.len());
        let dst = self.room(p + n + 1);
        if let Some((head, rest)) = dst.split_at_mut_checked(p) {
            head.copy_from_slice(prefix);
            if let Some((middle, last)) = rest.split_at_mut_checked(n) {
                middle.copy_from_slice(value);
                if let Some(last) = last.first_mut() {
                    *last = SOH;
                }
            }
        }
        self.pos += p + n + 1;
        if check && self.soh_in_value.is_none() && find_soh(value).is_some() {
            self.soh_in_value = Some(tag_of_prefix(prefix));
        }
    }

    /// Appends a field whose value type writes itself straight into the room.
    #[inline(always)]
    pub(crate) fn put_bounded<V: Bounded>(&mut self, prefix: &[u8], value: &V) {
        match pack(prefix) {
            Some((word, len)) => self.bounded_field(word, len, value),
            None => self.put_written(prefix, value),
        }
    }

    /// A field of a [`Bounded`] value with a packed prefix: like
    /// [`Writer::short_prefix_field`], nothing is called on the way when there is room.
    #[inline(never)]
    fn bounded_field<V: Bounded>(&mut self, prefix: u64, len: usize, value: &V) {
        let pos = self.at();
        let needed = 16 + V::MAX + 1;
        let Some(dst) = self.buf.get_mut(pos..pos + needed) else {
            return self.bounded_field_grow(prefix, len, value);
        };
        // At most 8; masked to 15 it needs no further checks.
        let len = len & 15;
        let mut n = 0;
        if let Some((head, _)) = dst.split_first_chunk_mut::<8>() {
            *head = prefix.to_le_bytes();
            if let Some(rest) = dst.get_mut(len..len + V::MAX + 1) {
                n = value.fill(rest).min(V::MAX);
                rest[n] = SOH;
            }
        }
        self.pos = pos + len + n + 1;
    }

    /// [`Writer::bounded_field`] when the room has run out.
    #[cold]
    #[inline(never)]
    fn bounded_field_grow<V: Bounded>(&mut self, prefix: u64, len: usize, value: &V) {
        self.grow(16 + V::MAX + 1);
        self.bounded_field(prefix, len, value);
    }

    /// Appends a field through the value's [`FixValue::write`] (the buffer is cut back to
    /// the message for it and the room made again afterwards).
    #[inline(never)]
    pub(crate) fn put_written<V: FixValue>(&mut self, prefix: &[u8], value: &V) {
        self.buf.truncate(self.pos);
        self.buf.extend_from_slice(prefix);
        let value_start = self.buf.len();
        value.write(&mut self.buf);
        // A value written this way (a CHAR, for one) may hold SOH, unless its type says not.
        if !V::SOH_FREE
            && self.soh_in_value.is_none()
            && find_soh(self.buf.get(value_start..).unwrap_or_default()).is_some()
        {
            self.soh_in_value = Some(tag_of_prefix(prefix));
        }
        self.buf.push(SOH);
        self.pos = self.buf.len();
    }

    /// Appends a DATA field's bytes, which may contain SOH. The caller writes the length field.
    #[inline]
    pub fn put_data(&mut self, prefix: &[u8], value: &[u8]) {
        self.long_prefix_field(prefix, value, false);
    }

    /// Appends an unsigned integer field.
    #[inline(always)]
    pub fn put_u64(&mut self, prefix: &[u8], value: u64) {
        self.put_bounded(prefix, &value);
    }

    /// Appends a field given by tag number (slower than a prefix; for generic code).
    pub fn put_tag_bytes(&mut self, tag: Tag, value: &[u8]) {
        if self.soh_in_value.is_none() && value.contains(&SOH) {
            self.soh_in_value = Some(tag);
        }
        let mut prefix = [0u8; 11];
        let at = fill_u64(&mut prefix, 10, u64::from(tag));
        prefix[10] = b'=';
        self.long_prefix_field(&prefix[at..], value, false);
    }

    /// Appends fields encoded earlier by a [`FieldsWriter`] (whole fields, each ending in
    /// SOH, already checked), as they are.
    pub fn put_encoded(&mut self, fields: &[u8]) {
        let n = fields.len();
        if let Some(dst) = self.room(n).get_mut(..n) {
            dst.copy_from_slice(fields);
            self.pos += n;
        }
    }

    /// The bytes of the body written so far (after MsgType is written, starting with it).
    pub fn body(&self) -> &[u8] {
        self.buf.get(self.body_start..self.pos).unwrap_or_default()
    }

    /// Fills in BodyLength and appends CheckSum; returns where the message lies in the buffer.
    pub fn finish(mut self) -> std::ops::Range<usize> {
        let start = self.start;
        let body_start = self.body_start;
        let body_len = (self.pos - body_start) as u64;
        let k = digit_count(body_len);
        let len_at = body_start - RESERVED - 1;
        let sum = if k == RESERVED {
            // The usual length, 100 to 999: three digits in the room reserved for them. The
            // message is summed first, over the placeholder `000`, and the digits' values
            // added: summed after it, the BodyLength store (the youngest) would hold up the
            // sum's loads until it reached the cache, as a load spanning narrower stores
            // cannot take its bytes from them (a NewOrderSingle: 117 -> 109 ns, BENCHMARKS.md).
            let v = body_len as u32;
            let digits = [(v / 100 % 10) as u8, (v / 10 % 10) as u8, (v % 10) as u8];
            let placeholder_sum = checksum(&self.buf[start..self.pos]);
            if let Some(field) = self
                .buf
                .get_mut(len_at..)
                .and_then(|f| f.first_chunk_mut::<4>())
            {
                *field = [b'0' + digits[0], b'0' + digits[1], b'0' + digits[2], SOH];
            }
            placeholder_sum.wrapping_add(digits[0] + digits[1] + digits[2])
        } else {
            // Any other length moves the body once to make the field fit.
            let old_end = self.pos;
            if k > RESERVED {
                let grow = k - RESERVED;
                self.room(grow);
                self.buf.copy_within(body_start..old_end, body_start + grow);
                self.pos += grow;
            } else {
                let shrink = RESERVED - k;
                self.buf
                    .copy_within(body_start..old_end, body_start - shrink);
                self.pos -= shrink;
            }
            if let Some(field) = self.buf.get_mut(len_at..=len_at + k) {
                fill_u64(field, k, body_len);
                field[k] = SOH;
            }
            checksum(&self.buf[start..self.pos])
        };
        let end = self.pos;
        // The trailer's seven bytes and a zero are written as one word; the zero is room
        // after the message, cut off with the rest.
        if let Some(dst) = self.room(8).first_chunk_mut::<8>() {
            *dst = CHECKSUM_FIELDS[usize::from(sum)].to_le_bytes();
        }
        self.pos = end + 7;
        start..end + 7
    }

    /// Like [`Writer::finish`], but fails if a non-DATA value contained SOH (the message is
    /// then removed from the buffer).
    pub fn finish_checked(mut self) -> Result<std::ops::Range<usize>, crate::error::EncodeError> {
        if let Some(tag) = self.soh_in_value {
            self.pos = self.start;
            return Err(crate::error::EncodeError::SohInValue { tag });
        }
        Ok(self.finish())
    }
}

/// A writer of body fields alone, with no header and no trailer: for a message body encoded
/// ahead of sending ([`crate::EncodedBody`]) and framed later with [`Writer::put_encoded`].
/// It derefs to a [`Writer`], so generated `encode_fields` and
/// [`crate::OutgoingMessage::encode_body`] write into it as into a whole message.
pub struct FieldsWriter<'a>(Writer<'a>);

impl<'a> FieldsWriter<'a> {
    /// Starts writing fields at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> FieldsWriter<'a> {
        let buf = std::mem::take(out);
        let start = buf.len();
        FieldsWriter(Writer {
            out,
            buf,
            pos: start,
            start,
            body_start: start,
            soh_in_value: None,
        })
    }

    /// Where the fields lie in the buffer; fails (and removes them) if a non-DATA value
    /// contained SOH.
    pub fn finish(mut self) -> Result<std::ops::Range<usize>, crate::error::EncodeError> {
        let w = &mut self.0;
        if let Some(tag) = w.soh_in_value {
            w.pos = w.start;
            return Err(crate::error::EncodeError::SohInValue { tag });
        }
        Ok(w.start..w.pos)
    }
}

impl<'a> std::ops::Deref for FieldsWriter<'a> {
    type Target = Writer<'a>;
    fn deref(&self) -> &Writer<'a> {
        &self.0
    }
}

impl<'a> std::ops::DerefMut for FieldsWriter<'a> {
    fn deref_mut(&mut self) -> &mut Writer<'a> {
        &mut self.0
    }
}

impl Drop for Writer<'_> {
    /// Cuts the buffer back to the end of what was written (the room after it goes) and gives
    /// it back to the caller.
    fn drop(&mut self) {
        self.buf.truncate(self.pos);
        std::mem::swap(self.out, &mut self.buf);
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
    fn the_buffer_comes_back_to_the_caller_with_what_it_held() {
        let mut buf = b"earlier".to_vec();
        {
            let mut w = Writer::new(&mut buf, "FIX.4.4");
            w.put_str(b"35=", "0");
            // Dropped unfinished: what was written stays, BodyLength not filled in.
        }
        assert_eq!(buf, b"earlier8=FIX.4.4\x019=000\x0135=0\x01");
        buf.truncate(7);
        let range = {
            let mut w = Writer::new(&mut buf, "FIX.4.4");
            w.put_str(b"35=", "0");
            w.finish()
        };
        assert_eq!(&buf[..7], b"earlier");
        assert_eq!(
            &buf[range.clone()],
            b"8=FIX.4.4\x019=5\x0135=0\x0110=163\x01"
        );
        assert_eq!(range.end, buf.len());
        // The allocation is reused: a second message fits without moving the buffer.
        let (at, capacity) = (buf.as_ptr(), buf.capacity());
        buf.truncate(7);
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "0");
        w.finish();
        assert_eq!((buf.as_ptr(), buf.capacity()), (at, capacity));
    }

    #[test]
    fn checksum_fields_of_every_sum() {
        for (sum, field) in CHECKSUM_FIELDS.iter().enumerate() {
            let bytes = field.to_le_bytes();
            assert_eq!(&bytes[..7], format!("10={sum:03}\x01").as_bytes(), "{sum}");
        }
        // And in messages, each checked by the framer: bodies of one or two digits of length
        // (moved into place), then one of every length from 100 to 999 (summed before
        // BodyLength is filled in), with sums spread over the whole range.
        let short = (0..1500u64).map(|i| format!("{i:x}{}", "q".repeat(i as usize % 13)));
        // A body is `35=0|58=` (8 bytes), the text and SOH.
        let long = (100..1000usize).map(|len| {
            (0..len - 9)
                .map(|j| char::from(b'!' + (j * 7 % 90) as u8))
                .collect::<String>()
        });
        let mut sums = std::collections::BTreeSet::new();
        let mut three_digit_lengths = std::collections::BTreeSet::new();
        for text in short.chain(long) {
            let mut buf = Vec::new();
            let mut w = Writer::new(&mut buf, "FIX.4.4");
            w.put_str(b"35=", "0");
            w.put_str(b"58=", &text);
            let r = w.finish();
            let msg = &buf[r];
            let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
            assert_eq!(frame.len, msg.len());
            if frame.body.len() >= 100 {
                three_digit_lengths.insert(frame.body.len());
            }
            sums.insert(msg[msg.len() - 4..msg.len() - 1].to_vec());
        }
        assert_eq!(sums.len(), 256);
        assert_eq!(three_digit_lengths, (100..1000).collect());
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
    fn every_kind_of_field_writes_its_wire_form() {
        use crate::value::{Date, LocalMktDate, UtcTimestamp};
        use rust_decimal::Decimal;
        let date = Date::new(2024, 1, 2).unwrap_or_else(|| panic!("date"));
        let ts = UtcTimestamp::new(
            date,
            10,
            11,
            12,
            345_000_000,
            crate::value::Precision::Millis,
        )
        .unwrap_or_else(|| panic!("timestamp"));
        let mut buf = b"keep".to_vec();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put_u64(b"34=", 0);
        w.put(b"123456789=", &12345u64);
        w.put(b"44=", &Decimal::new(-18725, 2));
        w.put(b"38=", &Decimal::new(100, 0));
        w.put(b"75=", &LocalMktDate::from_date(date));
        w.put(b"52=", &ts);
        w.put(b"5=", &-5i64);
        w.put(b"6=", &7u32);
        w.put(b"7=", &'c');
        w.put(b"8=", &true);
        w.put(b"9=", &"text".to_string());
        w.put_str(b"58=", &"x".repeat(40));
        w.put_str(b"1234567890=", "long prefix");
        w.put_tag_bytes(123_456_789, b"v");
        w.put_data(b"95=", b"a\x01b");
        w.put_str(b"59=", "");
        let expected: &[u8] = b"35=D\x0134=0\x01123456789=12345\x0144=-187.25\x0138=100\x01\
            75=20240102\x0152=20240102-10:11:12.345\x015=-5\x016=7\x017=c\x018=Y\x019=text\x01\
            58=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x011234567890=long prefix\x01\
            123456789=v\x0195=a\x01b\x0159=\x01";
        assert_eq!(
            String::from_utf8_lossy(w.body()),
            String::from_utf8_lossy(expected)
        );
        drop(w);
        // Dropped without finishing: the buffer ends where the writing did.
        assert!(buf.starts_with(b"keep8=FIX.4.4\x019=000\x01"));
        assert!(buf.ends_with(b"\x0159=\x01"));
        assert_eq!(buf.len(), 4 + 16 + expected.len());
    }

    #[test]
    fn enum_values_packed_or_as_text() {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        // "1" and SOH; "ABCDEFG" and SOH (a full word).
        w.put_enum(b"54=", Ok((0x0131, 2)));
        w.put_enum(b"5000=", Ok((0x0147_4645_4443_4241, 8)));
        w.put_enum(b"1234567890=", Ok((0x0132, 2)));
        w.put_enum(b"40=", Err("LONGER VALUE"));
        w.put_enum(b"1234567890=", Err("x"));
        assert_eq!(
            w.body(),
            b"54=1\x015000=ABCDEFG\x011234567890=2\x0140=LONGER VALUE\x011234567890=x\x01"
        );
        // Lengths out of contract write something, but do not panic or break the buffer.
        for len in [0, 9, 15, 16, usize::MAX] {
            w.put_enum(b"54=", Ok((0x0131, len)));
        }
        let r = w.finish();
        assert_eq!(r.end, buf.len());
    }

    #[test]
    fn room_grows_for_long_messages() {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        let mut expected = b"35=D\x01".to_vec();
        for i in 0..400u64 {
            w.put_u64(b"34=", i);
            w.put_str(b"58=", "abcdefghij");
            expected.extend_from_slice(format!("34={i}\x0158=abcdefghij\x01").as_bytes());
        }
        assert_eq!(w.body(), &expected[..]);
        let r = w.finish();
        assert_eq!(r.end, buf.len());
        let msg = &buf[r];
        let frame = find_frame(msg, DEFAULT_MAX_MESSAGE_LEN).unwrap().unwrap();
        assert_eq!(&msg[frame.body], &expected[..]);
    }

    #[test]
    fn strings_of_every_length_take_the_right_path() {
        // 0 to 16 bytes (short path), 17 to 32 (medium), longer (slow); many fields, so the
        // room runs out at every offset; a SOH at each end of each length is reported.
        let mut buf = b"kept".to_vec();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        let mut expected = b"35=D\x01".to_vec();
        for round in 0..30 {
            for n in 0..=40usize {
                let v: String = (0..n)
                    .map(|i| char::from(b'a' + ((i + round) % 26) as u8))
                    .collect();
                w.put_str(b"58=", &v);
                expected.extend_from_slice(format!("58={v}\x01").as_bytes());
            }
        }
        assert_eq!(w.body(), &expected[..]);
        let r = w.finish_checked().expect("no SOH in the values");
        assert_eq!(&buf[..4], b"kept");
        let frame = find_frame(&buf[r.clone()], DEFAULT_MAX_MESSAGE_LEN)
            .unwrap()
            .unwrap();
        assert_eq!(&buf[r][frame.body], &expected[..]);
        for n in 1..=40usize {
            for at in [0, n - 1] {
                let mut v = vec![b'x'; n];
                v[at] = SOH;
                let mut buf = Vec::new();
                let mut w = Writer::new(&mut buf, "FIX.4.4");
                w.put_str(b"35=", "D");
                w.put_bytes(b"11=", &v);
                assert_eq!(
                    w.finish_checked(),
                    Err(crate::error::EncodeError::SohInValue { tag: 11 }),
                    "length {n}, SOH at {at}"
                );
            }
        }
    }

    #[test]
    fn soh_in_an_unlisted_enum_value_a_string_or_a_char_is_refused() {
        let mut buf = Vec::new();
        // An enum's unlisted value (its text path).
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put_enum(b"54=", Err("1\x012"));
        assert_eq!(
            w.finish_checked(),
            Err(crate::error::EncodeError::SohInValue { tag: 54 })
        );
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put_enum(b"54=", Err("LONGVALUE"));
        w.put_enum(b"40=", Ok((u64::from_le_bytes(*b"2\x01\0\0\0\0\0\0"), 2)));
        let r = w.finish_checked().expect("no SOH");
        assert!(buf[r].starts_with(b"8=FIX.4.4\x019=23\x0135=D\x0154=LONGVALUE\x0140=2\x01"));
        // A String through the generic `put`.
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put(b"58=", &String::from("a\x01"));
        assert_eq!(
            w.finish_checked(),
            Err(crate::error::EncodeError::SohInValue { tag: 58 })
        );
        // A CHAR (written through its `FixValue::write`).
        buf.clear();
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put(b"9001=", &'\x01');
        assert_eq!(
            w.finish_checked(),
            Err(crate::error::EncodeError::SohInValue { tag: 9001 })
        );
        let mut w = Writer::new(&mut buf, "FIX.4.4");
        w.put_str(b"35=", "D");
        w.put(b"9001=", &'x');
        assert!(w.finish_checked().is_ok());
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
            let mut out = vec![b'x'; n + 1];
            assert!(!copy_soh_checked(&mut out[1..], &clean), "len {n}");
            assert_eq!(&out[1..], &clean[..]);
            for p in 0..n {
                let mut dirty = clean.clone();
                dirty[p] = SOH;
                let mut out = vec![b'x'; n + 1];
                assert!(copy_soh_checked(&mut out[1..], &dirty), "len {n} at {p}");
                assert_eq!(&out[1..], &dirty[..]);
            }
        }
    }
}
