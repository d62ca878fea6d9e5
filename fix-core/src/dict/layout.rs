//! The members of one level and the tables that find a tag's slot.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{List, Member};
use crate::tag::Tag;
use crate::tag_text::{TagTable, NO_PLACE};

/// The members of one level (header, body, trailer or group entry), components expanded.
///
/// A member's position in `members` is its *slot*: decoded views store the field found for
/// each slot, and generated code reads slots by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Members in dictionary order.
    pub members: List<Member>,
    /// `(tag, slot)` for every member, sorted by tag, for lookup.
    pub index: List<(Tag, u16)>,
    /// The slots of required members, in order.
    pub required: List<u16>,
    /// Hash table from tag to slot, built by [`Layout::new`]; when empty (static or
    /// deserialized layouts), lookups fall back to binary search over `index`.
    #[serde(skip)]
    table: SlotTable,
    /// For a message body inside a [`Dictionary`]: one table for the header, body and trailer
    /// tags, giving `level << 16 | slot` (level 0 header, 1 body, 2 trailer; the header wins
    /// over the body, the body over the trailer). Built by [`Dictionary::new`]; empty otherwise.
    #[serde(skip)]
    combined: SlotTable,
    /// The same as `combined`, keyed by the tags' wire text, with each field's `field_info`.
    #[serde(skip)]
    pub(crate) combined_tags: TagTable,
}

/// An open-addressing hash table from tag to a 32-bit value (a slot): each entry packs
/// `tag << 32 | value`, `u64::MAX` marks an empty entry. Derived data: it takes no part in
/// equality.
#[derive(Debug, Clone)]
struct SlotTable {
    /// Borrowed (and empty) only in [`Layout::EMPTY`], which must stay promotable to `'static`.
    entries: List<u64>,
    /// `32 - log2(entries.len())`: how far to shift the multiplicative hash.
    shift: u32,
}

impl Default for SlotTable {
    fn default() -> SlotTable {
        SlotTable {
            entries: Cow::Borrowed(&[]),
            shift: 0,
        }
    }
}

impl PartialEq for SlotTable {
    fn eq(&self, _: &SlotTable) -> bool {
        true
    }
}

impl Eq for SlotTable {}

const EMPTY_ENTRY: u64 = u64::MAX;

impl SlotTable {
    #[inline]
    fn hash(tag: Tag, shift: u32) -> usize {
        (tag.wrapping_mul(0x9E37_79B1) >> shift) as usize
    }

    /// A table for unique tags and their values, or an empty one when there are too many.
    fn build_values(pairs: impl ExactSizeIterator<Item = (Tag, u32)>) -> SlotTable {
        let len = pairs.len();
        if len == 0 || len >= 1 << 15 {
            return SlotTable::default();
        }
        // At most half full, so probe sequences stay short.
        let size = (len * 2).next_power_of_two().max(8);
        let shift = 32 - size.trailing_zeros();
        let mut entries = vec![EMPTY_ENTRY; size];
        let mask = size - 1;
        for (tag, value) in pairs {
            let mut h = Self::hash(tag, shift);
            while entries[h] != EMPTY_ENTRY {
                h = (h + 1) & mask;
            }
            entries[h] = (u64::from(tag) << 32) | u64::from(value);
        }
        SlotTable {
            entries: Cow::Owned(entries),
            shift,
        }
    }

    /// Whether the table was built (lookups through it are valid).
    #[inline]
    fn is_built(&self) -> bool {
        !self.entries.is_empty()
    }

    /// The value for `tag`; the table must be built.
    #[inline]
    fn get(&self, tag: Tag) -> Option<u32> {
        let entries: &[u64] = &self.entries;
        let mask = entries.len().wrapping_sub(1);
        let mut h = Self::hash(tag, self.shift) & mask;
        loop {
            let e = *entries.get(h)?;
            if (e >> 32) as Tag == tag && e != EMPTY_ENTRY {
                return Some(e as u32);
            }
            if e == EMPTY_ENTRY {
                return None;
            }
            h = (h + 1) & mask;
        }
    }
}

impl Layout {
    /// An empty layout.
    pub const EMPTY: Layout = Layout {
        members: Cow::Borrowed(&[]),
        index: Cow::Borrowed(&[]),
        required: Cow::Borrowed(&[]),
        table: SlotTable {
            entries: Cow::Borrowed(&[]),
            shift: 0,
        },
        combined: SlotTable {
            entries: Cow::Borrowed(&[]),
            shift: 0,
        },
        combined_tags: TagTable::EMPTY,
    };

    /// Builds a layout from members, computing the index. For tags that appear twice the
    /// first slot wins.
    pub fn new(members: Vec<Member>) -> Layout {
        let mut index: Vec<(Tag, u16)> = Vec::with_capacity(members.len());
        for (slot, m) in members.iter().enumerate() {
            let slot = u16::try_from(slot).unwrap_or(u16::MAX);
            index.push((m.tag(), slot));
        }
        index.sort_by_key(|&(tag, slot)| (tag, slot));
        index.dedup_by_key(|&mut (tag, _)| tag);
        let required = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.required())
            .map(|(slot, _)| u16::try_from(slot).unwrap_or(u16::MAX))
            .collect::<Vec<_>>();
        let table = if index.iter().any(|&(_, s)| s == u16::MAX) {
            SlotTable::default()
        } else {
            SlotTable::build_values(index.iter().map(|&(tag, slot)| {
                let group = match members.get(usize::from(slot)) {
                    Some(Member::Group { .. }) => GROUP_BIT,
                    _ => 0,
                };
                (tag, u32::from(slot) | group)
            }))
        };
        Layout {
            members: Cow::Owned(members),
            index: Cow::Owned(index),
            required: Cow::Owned(required),
            table,
            combined: SlotTable::default(),
            combined_tags: TagTable::EMPTY,
        }
    }

    /// The slot of `tag` in this layout.
    #[inline]
    pub fn slot(&self, tag: Tag) -> Option<usize> {
        if self.table.is_built() {
            return self.table.get(tag).map(|v| (v & 0xFFFF) as usize);
        }
        self.slot_by_search(tag)
    }

    /// The slot of `tag` in this layout and whether the member there is a group.
    #[inline]
    pub(crate) fn slot_info(&self, tag: Tag) -> Option<(usize, bool)> {
        if self.table.is_built() {
            return self
                .table
                .get(tag)
                .map(|v| ((v & 0xFFFF) as usize, v & GROUP_BIT != 0));
        }
        let slot = self.slot_by_search(tag)?;
        Some((
            slot,
            matches!(self.member(slot), Some(Member::Group { .. })),
        ))
    }

    /// For a message body of a [`Dictionary`]: where `tag` goes, as `(level, slot, group)`
    /// with level 0 for the header, 1 for the body and 2 for the trailer, and whether the
    /// member is a group. `None` when the tag is in none of them; `Some(None)` when the
    /// combined table was not built (look it up in the three layouts instead).
    #[inline]
    pub(crate) fn combined_slot(&self, tag: Tag) -> Option<Option<(usize, usize, bool)>> {
        if !self.combined.is_built() {
            return Some(None);
        }
        let v = self.combined.get(tag)?;
        Some(Some(unpack_place(v)))
    }

    /// Builds the combined header, body and trailer table of a message body.
    pub(super) fn build_combined(
        &mut self,
        header: &Layout,
        trailer: &Layout,
        info: impl Fn(Tag) -> u32,
    ) {
        let mut pairs: Vec<(Tag, u32)> =
            Vec::with_capacity(header.index.len() + self.index.len() + trailer.index.len());
        for (level, layout) in [(0u32, header), (1, &*self), (2, trailer)] {
            for &(tag, slot) in layout.index.iter() {
                if slot == u16::MAX {
                    return;
                }
                let group = match layout.member(usize::from(slot)) {
                    Some(Member::Group { .. }) => GROUP_BIT,
                    _ => 0,
                };
                pairs.push((tag, level << 16 | u32::from(slot) | group));
            }
        }
        // First by tag, then by level (not by the whole value, whose group flag sits above
        // the level): the header wins, then the body.
        pairs.sort_unstable_by_key(|&(tag, v)| (tag, (v >> 16) & 3));
        pairs.dedup_by_key(|&mut (tag, _)| tag);
        // The text table also knows the tags inside groups (as no member of the top levels),
        // so a group's fields are found in one lookup too.
        let mut nested = Vec::new();
        for layout in [header, &*self, trailer] {
            collect_group_tags(layout, &mut nested);
        }
        nested.sort_unstable();
        nested.dedup();
        nested.retain(|tag| pairs.binary_search_by_key(tag, |&(t, _)| t).is_err());
        self.combined_tags = TagTable::build(
            pairs
                .iter()
                .map(|&(tag, v)| (tag, info(tag), v))
                .chain(nested.iter().map(|&tag| (tag, info(tag), NO_PLACE))),
        );
        self.combined = SlotTable::build_values(pairs.into_iter());
    }

    /// The slot of `tag` by binary search over `index`.
    pub(super) fn slot_by_search(&self, tag: Tag) -> Option<usize> {
        let index: &[(Tag, u16)] = &self.index;
        // Branch-light binary search over a few hundred entries at most.
        let mut lo = 0usize;
        let mut len = index.len();
        if len == 0 {
            return None;
        }
        while len > 1 {
            let half = len / 2;
            if index[lo + half].0 <= tag {
                lo += half;
            }
            len -= half;
        }
        let (t, slot) = index[lo];
        (t == tag).then_some(usize::from(slot))
    }

    /// The member at `slot`.
    pub fn member(&self, slot: usize) -> Option<&Member> {
        self.members.get(slot)
    }
}

/// Every tag inside the groups of `layout`, at any depth.
fn collect_group_tags(layout: &Layout, out: &mut Vec<Tag>) {
    for m in layout.members.iter() {
        if let Member::Group { entry, .. } = m {
            out.extend(entry.members.iter().map(Member::tag));
            collect_group_tags(entry, out);
        }
    }
}

/// In a slot table's value: the member is a group.
const GROUP_BIT: u32 = 1 << 20;

/// A combined table's value as `(level, slot, group)`: level 0 for the header, 1 for the
/// body, 2 for the trailer, and whether the member is a group.
#[inline(always)]
pub(crate) fn unpack_place(v: u32) -> (usize, usize, bool) {
    (
        (v >> 16 & 3) as usize,
        (v & 0xFFFF) as usize,
        v & GROUP_BIT != 0,
    )
}
