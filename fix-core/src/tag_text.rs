//! Tables keyed by a tag's wire text: the 1 to 7 digits before `=`, as read from the message
//! in one word. A hit gives the tag number and what the dictionary knows about it without
//! converting digits to a number first; a miss (an unknown tag, a tag written with leading
//! zeros, a tag of 8 or more digits) sends the caller to the numeric path.

use std::borrow::Cow;

use crate::tag::Tag;

/// The key of `tag`: its decimal digits (no leading zero) little-endian in a word, first
/// digit lowest, bytes above them zero; `None` for 0 and for tags of more than 7 digits.
pub(crate) fn tag_key(tag: Tag) -> Option<u64> {
    if tag == 0 || tag > 9_999_999 {
        return None;
    }
    let digits = tag.to_string();
    let mut word = [0u8; 8];
    for (w, b) in word.iter_mut().zip(digits.bytes()) {
        *w = b;
    }
    Some(u64::from_le_bytes(word))
}

/// What a [`TagTable`] holds for one tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TagEntry {
    /// [`tag_key`] of the tag; 0 marks an empty entry.
    pub(crate) key: u64,
    /// The tag number.
    pub(crate) tag: Tag,
    /// The dictionary's `field_info` for the tag.
    pub(crate) def: u32,
    /// For a message's table: where the tag goes (`level << 16 | slot`, group flag); for the
    /// dictionary's table: [`NO_PLACE`].
    pub(crate) place: u32,
}

/// [`TagEntry::place`] of a tag that is no member of the message's header, body or trailer.
pub(crate) const NO_PLACE: u32 = u32::MAX;

const EMPTY: TagEntry = TagEntry {
    key: 0,
    tag: 0,
    def: 0,
    place: NO_PLACE,
};

/// An open-addressing hash table from [`tag_key`] to [`TagEntry`], at most half full.
/// Derived data: it takes no part in equality.
#[derive(Debug, Clone)]
pub(crate) struct TagTable {
    /// Borrowed (and empty) only in constants, which must stay promotable to `'static`.
    entries: Cow<'static, [TagEntry]>,
    /// `64 - log2(entries.len())`: how far to shift the multiplicative hash.
    shift: u32,
}

impl Default for TagTable {
    fn default() -> TagTable {
        TagTable::EMPTY
    }
}

impl PartialEq for TagTable {
    fn eq(&self, _: &TagTable) -> bool {
        true
    }
}

impl Eq for TagTable {}

impl TagTable {
    /// An empty table (every lookup misses).
    pub(crate) const EMPTY: TagTable = TagTable {
        entries: Cow::Borrowed(&[]),
        shift: 0,
    };

    #[inline(always)]
    fn hash(key: u64, shift: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
    }

    /// A table of `entries` (unique tags; tags without a key are left out).
    pub(crate) fn build(entries: impl Iterator<Item = (Tag, u32, u32)>) -> TagTable {
        let keyed: Vec<TagEntry> = entries
            .filter_map(|(tag, def, place)| {
                Some(TagEntry {
                    key: tag_key(tag)?,
                    tag,
                    def,
                    place,
                })
            })
            .collect();
        if keyed.is_empty() || keyed.len() >= 1 << 24 {
            return TagTable::EMPTY;
        }
        let size = (keyed.len() * 2).next_power_of_two().max(8);
        let shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        let mut table = vec![EMPTY; size];
        for e in keyed {
            let mut h = Self::hash(e.key, shift);
            while table[h].key != 0 && table[h].key != e.key {
                h = (h + 1) & mask;
            }
            table[h] = e;
        }
        TagTable {
            entries: Cow::Owned(table),
            shift,
        }
    }

    /// Whether the table holds anything.
    #[inline]
    pub(crate) fn is_built(&self) -> bool {
        !self.entries.is_empty()
    }

    /// The entry for `key` (a non-zero word of digits).
    #[inline(always)]
    pub(crate) fn get(&self, key: u64) -> Option<&TagEntry> {
        let entries: &[TagEntry] = &self.entries;
        let mask = entries.len().wrapping_sub(1);
        let mut h = Self::hash(key, self.shift) & mask;
        loop {
            let e = entries.get(h)?;
            if e.key == key {
                return Some(e);
            }
            if e.key == 0 {
                return None;
            }
            h = (h + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_wire_digits() {
        assert_eq!(tag_key(35), Some(u64::from_le_bytes(*b"35\0\0\0\0\0\0")));
        assert_eq!(tag_key(9_999_999), Some(u64::from_le_bytes(*b"9999999\0")));
        assert_eq!(tag_key(10_000_000), None);
        assert_eq!(tag_key(0), None);
    }

    #[test]
    fn finds_every_tag_and_no_other() {
        let tags: Vec<Tag> = (1..3000).map(|i| i * 7 % 10_007 + 1).collect();
        let table = TagTable::build(tags.iter().map(|&t| (t, t * 2, t * 3)));
        for &t in &tags {
            let e = table.get(tag_key(t).expect("key")).expect("present");
            assert_eq!((e.tag, e.def, e.place), (t, t * 2, t * 3));
        }
        for t in [10_008, 20_000, 9_999_999] {
            if !tags.contains(&t) {
                assert!(table.get(tag_key(t).expect("key")).is_none());
            }
        }
        // A key with a leading zero is no tag's key.
        assert!(table.get(u64::from_le_bytes(*b"035\0\0\0\0\0")).is_none());
        assert!(TagTable::EMPTY.get(1).is_none());
    }
}
