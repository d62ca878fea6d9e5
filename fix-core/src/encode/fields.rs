//! How the writer lays down one field: the fast paths by prefix and value length, and the
//! slow path that grows the buffer.

use super::copy::{copy_short, copy_soh_checked, fill_packed, pack};
use super::tag_of_prefix;
use super::{Bounded, Writer, WORD_ROOM};
use crate::frame::{find_soh, SOH};
use crate::value::FixValue;

impl Writer<'_> {
    /// A field whose prefix and value (SOH included) are both packed in words; inlined like
    /// [`Writer::short_prefix_field`].
    #[inline(always)]
    pub(super) fn word_field(&mut self, prefix: u64, len: usize, value: u64, value_len: usize) {
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
    pub(super) fn word_field_grow(
        &mut self,
        prefix: u64,
        len: usize,
        value: u64,
        value_len: usize,
    ) {
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
    pub(super) fn short_prefix_field(&mut self, prefix: u64, len: usize, value: &[u8]) {
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
    pub(super) fn medium_field(&mut self, prefix: u64, len: usize, value: &[u8]) {
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
    pub(super) fn slow_field(&mut self, prefix: u64, len: usize, value: &[u8]) {
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
    pub(super) fn note_soh(&mut self, prefix: u64) {
        if self.soh_in_value.is_none() {
            self.soh_in_value = Some(tag_of_prefix(&prefix.to_le_bytes()));
        }
    }

    /// A field whose prefix is longer than 8 bytes (or not a literal).
    #[inline(never)]
    pub(super) fn long_prefix_field(&mut self, prefix: &[u8], value: &[u8], check: bool) {
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
    pub(super) fn bounded_field<V: Bounded>(&mut self, prefix: u64, len: usize, value: &V) {
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
    pub(super) fn bounded_field_grow<V: Bounded>(&mut self, prefix: u64, len: usize, value: &V) {
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
}
