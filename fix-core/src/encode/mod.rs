//! Writing a message into a caller's buffer: fields appended in place, BodyLength and
//! CheckSum filled in at the end.

use crate::frame::{checksum, SOH};
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
    #[doc(hidden)]
    #[inline]
    pub fn put_opt<V: FixValue>(&mut self, prefix: &[u8], value: &Option<V>) {
        if let Some(v) = value {
            self.put(prefix, v);
        }
    }

    /// [`Writer::put_str`] if `value` is set.
    #[doc(hidden)]
    #[inline]
    pub fn put_str_opt(&mut self, prefix: &[u8], value: &Option<String>) {
        if let Some(v) = value {
            self.put_str(prefix, v);
        }
    }

    /// Appends an optional component's fields if it is set.
    #[doc(hidden)]
    #[inline]
    pub fn put_component<C: crate::message::Fields>(&mut self, component: &Option<Box<C>>) {
        if let Some(c) = component {
            c.encode_fields(self);
        }
    }

    /// Appends a repeating group: its NumInGroup field (`prefix`, e.g. `b"453="`) with the
    /// number of entries, then each entry. An empty group is written (count 0) only when
    /// `required`.
    #[doc(hidden)]
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
    #[doc(hidden)]
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

mod copy;
mod fields;

use copy::{copy_soh_checked, pack};

pub use copy::{append, write_u64};

#[cfg(test)]
mod tests;
