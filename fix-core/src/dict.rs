//! Dictionary tables: what fields exist, which fields and groups each message holds, in which
//! order. Generated crates hold them as `static` data; a dictionary loaded at run time holds the
//! same types with owned data. One validator ([`crate::view`]) serves both.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::field_type::FieldType;
use crate::tag::Tag;
use crate::tag_text::{TagTable, NO_PLACE};

/// A string in a dictionary table: borrowed from static generated data or owned.
pub type Text = Cow<'static, str>;
/// A list in a dictionary table: borrowed from static generated data or owned.
pub type List<T> = Cow<'static, [T]>;

/// One value an enumerated field allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumValue {
    /// The wire value (`"1"`, `"A"`, `"EURIBOR"`).
    pub value: Text,
    /// The dictionary's description (`"BUY"`).
    pub description: Text,
}

/// A field the dictionary defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Tag number.
    pub tag: Tag,
    /// Name (`"ClOrdID"`).
    pub name: Text,
    /// Value type.
    pub field_type: FieldType,
    /// Allowed values, sorted by value; empty when any value of the type is allowed.
    pub values: List<EnumValue>,
}

impl FieldDef {
    /// The allowed value equal to `value`, if this field is enumerated and allows it.
    pub fn enum_value(&self, value: &[u8]) -> Option<&EnumValue> {
        if self.values.len() <= 16 {
            // Length and first byte first: most candidates fail without a full compare.
            let first = value.first().copied();
            return self.values.iter().find(|v| {
                let b = v.value.as_bytes();
                b.len() == value.len() && b.first().copied() == first && b == value
            });
        }
        self.values
            .binary_search_by(|v| v.value.as_bytes().cmp(value))
            .ok()
            .and_then(|i| self.values.get(i))
    }
}

/// One member of a message, component expansion or group entry, in dictionary order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Member {
    /// A field.
    Field {
        /// Tag number.
        tag: Tag,
        /// Whether the field must be present (already false inside an optional component).
        required: bool,
    },
    /// A repeating group.
    Group {
        /// The NumInGroup field's tag.
        tag: Tag,
        /// Whether the group must be present.
        required: bool,
        /// The tag every entry starts with.
        delimiter: Tag,
        /// The members of one entry.
        entry: Layout,
    },
}

impl Member {
    /// The member's tag: the field's, or the group's NumInGroup tag.
    pub fn tag(&self) -> Tag {
        match *self {
            Member::Field { tag, .. } | Member::Group { tag, .. } => tag,
        }
    }

    /// Whether the member must be present.
    pub fn required(&self) -> bool {
        match *self {
            Member::Field { required, .. } | Member::Group { required, .. } => required,
        }
    }
}

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
    fn build_combined(&mut self, header: &Layout, trailer: &Layout, info: impl Fn(Tag) -> u32) {
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
    fn slot_by_search(&self, tag: Tag) -> Option<usize> {
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

/// A message type the dictionary defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDef {
    /// MsgType (35) value (`"D"`).
    pub msg_type: Text,
    /// Name (`"NewOrderSingle"`).
    pub name: Text,
    /// True for session-level (admin) messages.
    pub admin: bool,
    /// The body's members.
    pub body: Layout,
}

/// A whole dictionary as tables: one FIX version's fields, header, trailer and messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dictionary {
    /// BeginString (8) of the messages (`"FIX.4.4"`, `"FIXT.1.1"`).
    pub begin_string: Text,
    /// For application dictionaries on FIXT, the ApplVerID (1128) value (`"9"` for FIX.5.0SP2).
    pub appl_ver_id: Option<Text>,
    /// Every field, sorted by tag.
    pub fields: List<FieldDef>,
    /// The standard header.
    pub header: Layout,
    /// The standard trailer.
    pub trailer: Layout,
    /// Every message, sorted by MsgType bytes.
    pub messages: List<MessageDef>,
    /// By tag, for tags below its length: the position in `fields` and the field's
    /// validation kind, packed as `position | kind << 24` ([`NO_FIELD`]: none). Built by
    /// [`Dictionary::new`]; when empty, lookups fall back to binary search.
    #[serde(skip)]
    field_index: Vec<u32>,
    /// `(pack(msg_type), position in messages)` for every MsgType of 1 to 7 bytes, sorted:
    /// the message lookup compares integers instead of byte strings. Built by
    /// [`Dictionary::new`]; when empty, lookups fall back to binary search.
    #[serde(skip)]
    message_keys: Vec<(u64, u32)>,
    /// Every field by its tag's wire text, with its `field_info`.
    #[serde(skip)]
    pub(crate) tags: TagTable,
    /// Per field position: what validation needs, without loading the whole [`FieldDef`].
    #[serde(skip)]
    meta: FieldMetaTable,
    /// Which [`Dictionary::new`] call made this dictionary, for decoders' shape caches.
    #[serde(skip)]
    pub(crate) id: DictId,
}

/// Tells dictionaries apart for what decoders remember of them (see `view::Shape`): each
/// [`Dictionary::new`] takes the next number; 0 (a dictionary deserialized without `new`)
/// means none, and nothing is remembered for it. A clone keeps the number, which is right as
/// long as dictionaries are not changed after `new`, which their derived tables assume too.
/// Derived data: it takes no part in equality.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DictId(pub(crate) u64);

impl PartialEq for DictId {
    fn eq(&self, _: &DictId) -> bool {
        true
    }
}

impl Eq for DictId {}

impl DictId {
    /// A number no other dictionary of this process has.
    fn next() -> DictId {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        DictId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

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
struct FieldMetaTable {
    meta: Vec<FieldMeta>,
    bitmaps: Vec<[u64; 4]>,
    packed: Vec<u64>,
}

impl PartialEq for FieldMetaTable {
    fn eq(&self, _: &FieldMetaTable) -> bool {
        true
    }
}

impl Eq for FieldMetaTable {}

impl FieldMeta {
    /// The metadata of `def`; a bitmap, if any, is appended to `bitmaps`.
    fn of(def: &FieldDef, mut tables: Option<(&mut Vec<[u64; 4]>, &mut Vec<u64>)>) -> FieldMeta {
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

/// Tags below this are looked up in a direct table; above it, by binary search.
const DIRECT_TAGS: usize = 65_536;

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
fn info(position: usize, meta: &FieldMeta) -> u32 {
    position as u32 | u32::from(check_class(meta)) << 16 | u32::from(meta.kind) << 24
}

impl Dictionary {
    /// Tables from their parts; `fields` must be sorted by tag and `messages` by MsgType.
    pub fn new(
        begin_string: Text,
        appl_ver_id: Option<Text>,
        fields: List<FieldDef>,
        header: Layout,
        trailer: Layout,
        messages: List<MessageDef>,
    ) -> Dictionary {
        let top = fields
            .iter()
            .map(|f| f.tag as usize + 1)
            .filter(|&t| t <= DIRECT_TAGS)
            .max()
            .unwrap_or(0);
        let mut bitmaps = Vec::new();
        let mut packed = Vec::new();
        let meta: Vec<FieldMeta> = fields
            .iter()
            .map(|f| FieldMeta::of(f, Some((&mut bitmaps, &mut packed))))
            .collect();
        let mut field_index = vec![NO_FIELD; top];
        if fields.len() < POSITION_MASK as usize {
            for (i, (f, m)) in fields.iter().zip(&meta).enumerate() {
                if let Some(slot) = field_index.get_mut(f.tag as usize) {
                    *slot = info(i, m);
                }
            }
        } else {
            field_index.clear();
        }
        let mut message_keys: Vec<(u64, u32)> = messages
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((pack(m.msg_type.as_bytes())?, u32::try_from(i).ok()?)))
            .collect();
        message_keys.sort_unstable();
        let mut dict = Dictionary {
            begin_string,
            appl_ver_id,
            fields,
            header,
            trailer,
            // Set below, once the tables that `field_info` reads are in place.
            messages: Cow::Borrowed(&[]),
            field_index,
            message_keys,
            tags: TagTable::EMPTY,
            meta: FieldMetaTable {
                meta,
                bitmaps,
                packed,
            },
            id: DictId::next(),
        };
        let mut messages = messages;
        if let Cow::Owned(list) = &mut messages {
            for m in list.iter_mut() {
                m.body
                    .build_combined(&dict.header, &dict.trailer, |tag| dict.field_info(tag));
            }
        }
        dict.tags = TagTable::build(
            dict.fields
                .iter()
                .map(|f| (f.tag, dict.field_info(f.tag), NO_PLACE)),
        );
        dict.messages = messages;
        dict
    }

    /// What validation needs to know about the field at `position` in `fields`.
    #[inline]
    pub(crate) fn meta(&self, position: usize) -> Option<FieldMeta> {
        match self.meta.meta.get(position) {
            Some(m) => Some(*m),
            // Tables not built by `new` (deserialized): derive it, without a bitmap.
            None => self.fields.get(position).map(|d| FieldMeta::of(d, None)),
        }
    }

    /// Whether `v` is one of the `meta.count` packed keys from `meta.bitmap` on (an
    /// enumeration with [`K_PACKED`]).
    #[inline]
    pub(crate) fn in_packed(&self, meta: &FieldMeta, v: &[u8]) -> bool {
        self.in_packed_keys(meta.bitmap, meta.count, v)
    }

    /// Whether `v` is one of the `count` packed keys from index `start` on.
    #[inline]
    pub(crate) fn in_packed_keys(&self, start: u32, count: u32, v: &[u8]) -> bool {
        let Some(key) = pack(v) else { return false };
        let start = start as usize;
        let Some(keys) = self.meta.packed.get(start..start + count as usize) else {
            return false;
        };
        // Branch-free lower bound: which value comes is data, not a pattern to predict.
        let mut lo = 0usize;
        let mut len = keys.len();
        if len == 0 {
            return false;
        }
        while len > 1 {
            let half = len / 2;
            lo = if keys[lo + half] <= key {
                lo + half
            } else {
                lo
            };
            len -= half;
        }
        keys[lo] == key
    }

    /// Whether the single byte `b` is one of the values of an enumeration with a bitmap.
    #[inline]
    pub(crate) fn in_bitmap(&self, bitmap: u32, b: u8) -> bool {
        self.meta
            .bitmaps
            .get(bitmap as usize)
            .is_some_and(|bits| bits[usize::from(b >> 6)] & (1 << (b & 63)) != 0)
    }

    /// The position of the field with `tag` in [`Dictionary::fields`].
    #[inline]
    pub fn field_position(&self, tag: Tag) -> Option<usize> {
        if let Some(&i) = self.field_index.get(tag as usize) {
            return (i != NO_FIELD).then_some((i & POSITION_MASK) as usize);
        }
        self.fields.binary_search_by_key(&tag, |f| f.tag).ok()
    }

    /// The field with `tag` as `position | class << 16 | kind << 24` (class: the `C_*`
    /// check class; kind: the `K_*` flags), or
    /// [`NO_FIELD`] when the dictionary does not define it.
    #[inline]
    pub(crate) fn field_info(&self, tag: Tag) -> u32 {
        if let Some(&i) = self.field_index.get(tag as usize) {
            return i;
        }
        match self.fields.binary_search_by_key(&tag, |f| f.tag) {
            Ok(i) if i < POSITION_MASK as usize => match self.meta(i) {
                Some(m) => info(i, &m),
                None => NO_FIELD,
            },
            _ => NO_FIELD,
        }
    }

    /// The field with `tag`.
    #[inline]
    pub fn field(&self, tag: Tag) -> Option<&FieldDef> {
        self.field_position(tag).and_then(|i| self.fields.get(i))
    }

    /// The field named `name` (linear search; for tools, not hot paths).
    pub fn field_by_name(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The message with MsgType `msg_type`.
    #[inline]
    pub fn message(&self, msg_type: &[u8]) -> Option<&MessageDef> {
        self.message_index(msg_type)
            .and_then(|i| self.messages.get(i))
    }

    /// The index into [`Dictionary::messages`] of the message with MsgType `msg_type`.
    #[inline]
    pub(crate) fn message_index(&self, msg_type: &[u8]) -> Option<usize> {
        if let (false, Some(key)) = (self.message_keys.is_empty(), pack(msg_type)) {
            let keys: &[(u64, u32)] = &self.message_keys;
            return match keys.binary_search_by_key(&key, |&(k, _)| k) {
                Ok(i) => keys.get(i).map(|&(_, m)| m as usize),
                // Every MsgType of 1 to 7 bytes has a key: no other can match.
                Err(_) => None,
            };
        }
        self.messages
            .binary_search_by(|m| m.msg_type.as_bytes().cmp(msg_type))
            .ok()
    }

    /// The message named `name` (linear search).
    pub fn message_by_name(&self, name: &str) -> Option<&MessageDef> {
        self.messages.iter().find(|m| m.name == name)
    }
}

/// Something that can hand out dictionary tables: generated crates implement it on a unit
/// type, and a dictionary loaded at run time implements it too.
pub trait DataDictionary: Send + Sync {
    /// The tables.
    fn tables(&self) -> &Dictionary;
}

impl DataDictionary for Dictionary {
    fn tables(&self) -> &Dictionary {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_keeps_bytes_and_length_of_one_to_seven_bytes() {
        let naive = |v: &[u8]| {
            (!v.is_empty() && v.len() <= 7).then(|| {
                let mut w = [0u8; 8];
                w[..v.len()].copy_from_slice(v);
                w[7] = v.len() as u8;
                u64::from_le_bytes(w)
            })
        };
        let bytes = b"AbC1xy9=Q";
        for start in 0..bytes.len() {
            for end in start..=bytes.len() {
                let v = &bytes[start..end];
                assert_eq!(pack(v), naive(v), "{v:?}");
            }
        }
        assert_ne!(pack(b"1"), pack(b"10"));
        assert_ne!(pack(b"1\0"), pack(b"1"));
    }

    #[test]
    fn layout_lookup_finds_every_tag_and_no_other() {
        let members: Vec<Member> = [44u32, 11, 38, 9000, 1, 54]
            .iter()
            .map(|&tag| Member::Field {
                tag,
                required: false,
            })
            .collect();
        let layout = Layout::new(members);
        for (slot, tag) in [44u32, 11, 38, 9000, 1, 54].iter().enumerate() {
            assert_eq!(layout.slot(*tag), Some(slot));
        }
        for tag in [0u32, 2, 12, 45, 8999, 9001, u32::MAX] {
            assert_eq!(layout.slot(tag), None);
        }
        assert_eq!(Layout::EMPTY.slot(1), None);
    }

    #[test]
    fn combined_table_prefers_header_then_body_then_trailer() {
        let field = |tag| Member::Field {
            tag,
            required: false,
        };
        let group = |tag| Member::Group {
            tag,
            required: false,
            delimiter: 1,
            entry: Layout::new(vec![field(1)]),
        };
        // 100: a header group, also in body and trailer; 200: a body group, also in the
        // trailer; 300: only in the trailer.
        let header = Layout::new(vec![field(8), group(100)]);
        let body = Layout::new(vec![field(100), field(5), group(200)]);
        let trailer = Layout::new(vec![field(200), field(100), field(300)]);
        let dict = Dictionary::new(
            Cow::Borrowed("FIX.4.4"),
            None,
            Cow::Owned(Vec::new()),
            header,
            trailer,
            Cow::Owned(vec![MessageDef {
                msg_type: Cow::Borrowed("D"),
                name: Cow::Borrowed("D"),
                admin: false,
                body,
            }]),
        );
        let body = &dict.messages[0].body;
        assert_eq!(body.combined_slot(100), Some(Some((0, 1, true))));
        assert_eq!(body.combined_slot(5), Some(Some((1, 1, false))));
        assert_eq!(body.combined_slot(200), Some(Some((1, 2, true))));
        assert_eq!(body.combined_slot(300), Some(Some((2, 2, false))));
        assert_eq!(body.combined_slot(8), Some(Some((0, 0, false))));
        assert_eq!(body.combined_slot(9), None);
        // Layouts outside a dictionary have no combined table.
        assert_eq!(Layout::new(vec![field(5)]).combined_slot(5), Some(None));
    }

    #[test]
    fn hash_table_agrees_with_binary_search() {
        let tags: Vec<Tag> = (0..300u32)
            .map(|i| 1 + i * 37 % 9973 + (i % 7) * 5000)
            .collect();
        let members: Vec<Member> = tags
            .iter()
            .map(|&tag| Member::Field {
                tag,
                required: false,
            })
            .collect();
        let layout = Layout::new(members);
        for tag in 0..50_000u32 {
            assert_eq!(layout.slot(tag), layout.slot_by_search(tag), "tag {tag}");
        }
        // A deserialized layout has no table and searches.
        let copy: Layout = serde_json::from_str(&serde_json::to_string(&layout).unwrap()).unwrap();
        assert_eq!(copy, layout);
        for &tag in &tags {
            assert_eq!(copy.slot(tag), layout.slot(tag));
        }
    }

    #[test]
    fn enum_tables_agree_with_enum_value() {
        let values = |vs: &[&'static str]| -> List<EnumValue> {
            let mut v: Vec<EnumValue> = vs
                .iter()
                .map(|&s| EnumValue {
                    value: Cow::Borrowed(s),
                    description: Cow::Borrowed("d"),
                })
                .collect();
            v.sort_by(|a, b| a.value.cmp(&b.value));
            Cow::Owned(v)
        };
        let field = |tag, field_type, vs: &[&'static str]| FieldDef {
            tag,
            name: Cow::Borrowed("F"),
            field_type,
            values: values(vs),
        };
        let fields = vec![
            field(1, FieldType::Char, &["1", "2", "A", "~"]),
            field(2, FieldType::Int, &["1", "2", "10", "11", "100", "9999999"]),
            field(3, FieldType::String, &["EURIBOR", "LONGER-THAN-7", "X"]),
            field(4, FieldType::MultipleValueString, &["A", "B", "CC"]),
            field(5, FieldType::String, &[]),
            field(
                6,
                FieldType::Int,
                &["0", "1", "9", "10", "99", "100", "255"],
            ),
            field(7, FieldType::Int, &["1", "256"]),
            field(8, FieldType::Int, &["01", "2"]),
        ];
        let dict = Dictionary::new(
            Cow::Borrowed("FIX.4.4"),
            None,
            Cow::Owned(fields.clone()),
            Layout::EMPTY,
            Layout::EMPTY,
            Cow::Borrowed(&[]),
        );
        let probes: &[&[u8]] = &[
            b"0",
            b"00",
            b"01",
            b"9",
            b"09",
            b"99",
            b"255",
            b"256",
            b"0255",
            b"-1",
            b"1a",
            b"1",
            b"2",
            b"3",
            b"A",
            b"~",
            b"10",
            b"100",
            b"1000",
            b"9999999",
            b"99999999",
            b"EURIBOR",
            b"EURIBO",
            b"LONGER-THAN-7",
            b"X",
            b"CC",
            b"C",
            b"",
            b"\x00",
            b"\xff",
        ];
        for (pos, def) in fields.iter().enumerate() {
            let meta = dict.meta(pos).unwrap();
            assert_eq!(meta.kind & K_ENUM != 0, !def.values.is_empty());
            for &p in probes {
                let expected = def.enum_value(p).is_some();
                if meta.kind & K_BITMAP != 0 {
                    let got = p.len() == 1 && dict.in_bitmap(meta.bitmap, p[0]);
                    assert_eq!(got, expected, "field {} {p:?}", def.tag);
                }
                if meta.kind & K_INTMAP != 0 {
                    let got = small_int(p).is_some_and(|n| dict.in_bitmap(meta.bitmap, n));
                    assert_eq!(got, expected, "field {} {p:?}", def.tag);
                }
                if meta.kind & K_PACKED != 0 {
                    assert_eq!(
                        dict.in_packed(&meta, p),
                        expected,
                        "field {} {p:?}",
                        def.tag
                    );
                }
            }
        }
        assert_ne!(dict.meta(0).unwrap().kind & K_BITMAP, 0);
        assert_ne!(dict.meta(1).unwrap().kind & K_PACKED, 0);
        assert_eq!(dict.meta(2).unwrap().kind & (K_PACKED | K_BITMAP), 0);
        assert_ne!(dict.meta(3).unwrap().kind & K_PACKED, 0);
        assert_ne!(dict.meta(5).unwrap().kind & K_INTMAP, 0);
        assert_ne!(dict.meta(6).unwrap().kind & K_PACKED, 0);
        assert_ne!(dict.meta(7).unwrap().kind & K_PACKED, 0);
    }
}
