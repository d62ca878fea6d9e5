//! Dictionary tables: what fields exist, which fields and groups each message holds, in which
//! order. Generated crates hold them as `static` data; a dictionary loaded at run time holds the
//! same types with owned data. One validator ([`crate::view`]) serves both.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::field_type::FieldType;
use crate::tag::Tag;

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
            return self.values.iter().find(|v| v.value.as_bytes() == value);
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
}

impl Layout {
    /// An empty layout.
    pub const EMPTY: Layout = Layout {
        members: Cow::Borrowed(&[]),
        index: Cow::Borrowed(&[]),
        required: Cow::Borrowed(&[]),
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
        Layout {
            members: Cow::Owned(members),
            index: Cow::Owned(index),
            required: Cow::Owned(required),
        }
    }

    /// The slot of `tag` in this layout.
    #[inline]
    pub fn slot(&self, tag: Tag) -> Option<usize> {
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
    /// Position in `fields` by tag, for tags below its length (`u16::MAX`: none). Built by
    /// [`Dictionary::new`]; when empty, lookups fall back to binary search.
    #[serde(skip)]
    field_index: Vec<u16>,
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
        let mut field_index = vec![u16::MAX; top];
        if fields.len() < usize::from(u16::MAX) {
            for (i, f) in fields.iter().enumerate() {
                if let Some(slot) = field_index.get_mut(f.tag as usize) {
                    *slot = i as u16;
                }
            }
        } else {
            field_index.clear();
        }
        Dictionary {
            begin_string,
            appl_ver_id,
            fields,
            header,
            trailer,
            messages,
            field_index,
        }
    }

    /// The position of the field with `tag` in [`Dictionary::fields`].
    #[inline]
    pub fn field_position(&self, tag: Tag) -> Option<usize> {
        if let Some(&i) = self.field_index.get(tag as usize) {
            return (i != u16::MAX).then_some(usize::from(i));
        }
        self.fields.binary_search_by_key(&tag, |f| f.tag).ok()
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
        self.messages
            .binary_search_by(|m| m.msg_type.as_bytes().cmp(msg_type))
            .ok()
            .and_then(|i| self.messages.get(i))
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
}
