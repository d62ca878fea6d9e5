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

mod dictionary;
mod layout;
mod meta;

pub use dictionary::{DataDictionary, Dictionary};
pub(crate) use layout::unpack_place;
pub use layout::Layout;
pub(crate) use meta::{
    pack, small_int, C_BITMAP, C_DECIMAL, C_INTMAP, C_PACKED, C_TEXT, C_TIMEONLY, C_TIMESTAMP,
    C_UINT, K_BITMAP, K_DATA, K_ENUM, K_INTMAP, K_NO_FORMAT, K_PACKED, NO_FIELD, POSITION_MASK,
};

#[cfg(test)]
mod tests;
