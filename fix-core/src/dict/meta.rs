//! What validation needs to know about each field: kind flags, check classes and the packed
//! forms of enumeration values.

use super::FieldDef;
use crate::field_type::FieldType;

/// The value's bytes may hold SOH: its length comes from the preceding LENGTH field.
pub(crate) const K_DATA: u8 = 1;
/// Any value the tokenizer produces has the right format (strings, DATA): skip the check.
pub(crate) const K_NO_FORMAT: u8 = 2;
/// The field is enumerated.
pub(crate) const K_ENUM: u8 = 4;
/// The enumeration's values are all single bytes, held in a bitmap.
pub(crate) const K_BITMAP: u8 = 8;
/// The enumeration's values are all 1 to 7 bytes, held as sorted packed keys.
pub(crate) const K_PACKED: u8 = 16;
/// The enumeration's values are all numbers 0 to 255 written without leading zeros, held in
/// a bitmap by number.
pub(crate) const K_INTMAP: u8 = 32;

/// `v` as a number 0 to 255 written without leading zeros (the only form a [`K_INTMAP`]
/// value can have).
#[inline]
pub(crate) fn small_int(v: &[u8]) -> Option<u8> {
    let n = match *v {
        [a] if a.is_ascii_digit() => u32::from(a - b'0'),
        [a @ b'1'..=b'9', b] if b.is_ascii_digit() => {
            u32::from(a - b'0') * 10 + u32::from(b - b'0')
        }
        [a @ b'1'..=b'9', b, c] if b.is_ascii_digit() && c.is_ascii_digit() => {
            u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0')
        }
        _ => return None,
    };
    u8::try_from(n).ok()
}

/// A value of 1 to 7 bytes as one integer: the bytes, little-endian, and the length on top.
#[inline]
pub(crate) fn pack(v: &[u8]) -> Option<u64> {
    let len = v.len();
    if len > 7 {
        return None;
    }
    Some(crate::scan::small_word(v)? | (len as u64) << 56)
}

/// What validation needs to know about one field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldMeta {
    pub(crate) field_type: FieldType,
    pub(crate) kind: u8,
    /// Index into the bitmaps when `kind` has [`K_BITMAP`], into the packed keys when it
    /// has [`K_PACKED`].
    pub(crate) bitmap: u32,
    /// How many packed keys, with [`K_PACKED`].
    pub(crate) count: u32,
}

/// Derived per-field data; takes no part in equality.
#[derive(Debug, Clone, Default)]
pub(super) struct FieldMetaTable {
    pub(super) meta: Vec<FieldMeta>,
    pub(super) bitmaps: Vec<[u64; 4]>,
    pub(super) packed: Vec<u64>,
}

impl PartialEq for FieldMetaTable {
    fn eq(&self, _: &FieldMetaTable) -> bool {
        true
    }
}

impl Eq for FieldMetaTable {}

impl FieldMeta {
    /// The metadata of `def`; a bitmap, if any, is appended to `bitmaps`.
    pub(super) fn of(
        def: &FieldDef,
        mut tables: Option<(&mut Vec<[u64; 4]>, &mut Vec<u64>)>,
    ) -> FieldMeta {
        let ty = def.field_type;
        let mut kind = 0;
        if ty.is_data() {
            kind |= K_DATA | K_NO_FORMAT;
        }
        if ty.is_text() {
            // The only format rule is "no SOH", and a tokenized non-DATA value has none.
            kind |= K_NO_FORMAT;
        }
        let mut bitmap = 0;
        let mut count = 0;
        if !def.values.is_empty() {
            kind |= K_ENUM;
            let single = !ty.is_multiple() && def.values.iter().all(|v| v.value.len() == 1);
            let small: Option<Vec<u8>> = if ty.is_multiple() || single {
                None
            } else {
                def.values
                    .iter()
                    .map(|v| small_int(v.value.as_bytes()))
                    .collect()
            };
            if let (Some(small), Some((bitmaps, _))) = (small, tables.as_mut()) {
                let mut bits = [0u64; 4];
                for b in small {
                    bits[usize::from(b >> 6)] |= 1 << (b & 63);
                }
                kind |= K_INTMAP;
                bitmap = bitmaps.len() as u32;
                bitmaps.push(bits);
                return FieldMeta {
                    field_type: ty,
                    kind,
                    bitmap,
                    count,
                };
            }
            let keys: Option<Vec<u64>> = def
                .values
                .iter()
                .map(|v| pack(v.value.as_bytes()))
                .collect();
            if let (false, Some(mut keys), Some((_, packed))) = (single, keys, tables.as_mut()) {
                keys.sort_unstable();
                kind |= K_PACKED;
                bitmap = packed.len() as u32;
                count = keys.len() as u32;
                packed.extend_from_slice(&keys);
            }
            if let (true, Some((bitmaps, _))) = (single, tables) {
                let mut bits = [0u64; 4];
                for v in def.values.iter() {
                    let b = v.value.as_bytes()[0];
                    bits[usize::from(b >> 6)] |= 1 << (b & 63);
                }
                kind |= K_BITMAP;
                bitmap = bitmaps.len() as u32;
                bitmaps.push(bits);
            }
        }
        FieldMeta {
            field_type: ty,
            kind,
            bitmap,
            count,
        }
    }
}

/// [`Dictionary::field_info`] of a tag the dictionary does not define: no position a field
/// can have, and no `K_*` flag set (so a flag test needs no separate check for it).
pub(crate) const NO_FIELD: u32 = 0x00FF_FFFF;
/// The position part of [`Dictionary::field_info`].
pub(crate) const POSITION_MASK: u32 = (1 << 16) - 1;

/// [`Dictionary::field_info`]'s check class (bits 16 to 23): which quick value check fits
/// the field. Free text: nothing to check.
pub(crate) const C_TEXT: u8 = 0;
/// No quick check: the full format and enumeration checks.
pub(crate) const C_FULL: u8 = 1;
/// A CHAR or text enumeration of single bytes: one byte, in the bitmap.
pub(crate) const C_BITMAP: u8 = 2;
/// INT, SEQNUM, LENGTH, NUMINGROUP, TAGNUM: up to nine digits pass at once (anything else,
/// a sign for one, gets the full check).
pub(crate) const C_UINT: u8 = 3;
/// FLOAT and its kinds: the usual decimal shapes pass at once.
pub(crate) const C_DECIMAL: u8 = 4;
/// UTCTIMESTAMP: the usual shapes pass at once.
pub(crate) const C_TIMESTAMP: u8 = 5;
/// An INT enumeration of small numbers: the number, in the bitmap.
pub(crate) const C_INTMAP: u8 = 6;
/// A single-valued text enumeration of short values: the packed value, among the keys.
pub(crate) const C_PACKED: u8 = 7;
/// UTCTIMEONLY: checked by ranges at once.
pub(crate) const C_TIMEONLY: u8 = 8;

/// The check class of a field with `meta`.
fn check_class(meta: &FieldMeta) -> u8 {
    if meta.kind & (K_NO_FORMAT | K_ENUM) == K_NO_FORMAT {
        return C_TEXT;
    }
    if meta.kind & K_BITMAP != 0 {
        return match meta.field_type {
            // Any listed byte is a well-formed value of these types.
            FieldType::Char | FieldType::String => C_BITMAP,
            _ => C_FULL,
        };
    }
    if meta.kind & K_INTMAP != 0 && meta.field_type == FieldType::Int {
        // A number 0 to 255 without leading zeros is a well-formed INT.
        return C_INTMAP;
    }
    if meta.kind & K_PACKED != 0 && meta.kind & K_NO_FORMAT != 0 && !meta.field_type.is_multiple() {
        return C_PACKED;
    }
    if meta.kind & K_ENUM != 0 {
        return C_FULL;
    }
    match meta.field_type {
        FieldType::Int
        | FieldType::SeqNum
        | FieldType::Length
        | FieldType::NumInGroup
        | FieldType::TagNum => C_UINT,
        FieldType::Float
        | FieldType::Price
        | FieldType::Qty
        | FieldType::Amt
        | FieldType::PriceOffset
        | FieldType::Percentage => C_DECIMAL,
        FieldType::UtcTimestamp => C_TIMESTAMP,
        FieldType::UtcTimeOnly => C_TIMEONLY,
        _ => C_FULL,
    }
}

/// `field_info` of the field at `position` with `meta`.
pub(super) fn info(position: usize, meta: &FieldMeta) -> u32 {
    position as u32 | u32::from(check_class(meta)) << 16 | u32::from(meta.kind) << 24
}
