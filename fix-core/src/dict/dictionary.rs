//! The whole dictionary as tables, with the derived lookup tables built by [`Dictionary::new`].

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::meta::{info, pack, FieldMeta, FieldMetaTable, NO_FIELD, POSITION_MASK};
use super::{DictId, FieldDef, Layout, List, MessageDef, Text};
use crate::tag::Tag;
use crate::tag_text::{TagTable, NO_PLACE};

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

/// Tags below this are looked up in a direct table; above it, by binary search.
const DIRECT_TAGS: usize = 65_536;

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
