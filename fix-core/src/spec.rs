//! Dictionary tables in their compact, nested form, as generated crates embed them: fields,
//! components as lists of items, messages referring to components by index. Nothing here
//! needs dropping, so it can live in `static`s; [`DictionarySpec::build`] turns it into the
//! flat, indexed [`Dictionary`] the validator uses (components expanded in place, group
//! delimiters found), once, at first use.

use std::borrow::Cow;

use crate::dict::{Dictionary, EnumValue, FieldDef, Layout, Member, MessageDef};
use crate::field_type::FieldType;
use crate::tag::Tag;

/// A field definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Tag number.
    pub tag: Tag,
    /// Name.
    pub name: &'static str,
    /// Value type.
    pub field_type: FieldType,
    /// `(value, description)` pairs, sorted by value.
    pub values: &'static [(&'static str, &'static str)],
}

impl FieldSpec {
    /// A field definition (a short constructor for generated tables).
    pub const fn new(
        tag: Tag,
        name: &'static str,
        field_type: FieldType,
        values: &'static [(&'static str, &'static str)],
    ) -> FieldSpec {
        FieldSpec {
            tag,
            name,
            field_type,
            values,
        }
    }
}

/// One member of a message, component, group entry, header or trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemSpec {
    /// A field: tag, required.
    F(Tag, bool),
    /// A component: index into [`DictionarySpec::components`], required.
    C(u32, bool),
    /// A repeating group: NumInGroup tag, required, entry members.
    G(Tag, bool, &'static [ItemSpec]),
}

/// A message definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageSpec {
    /// MsgType.
    pub msg_type: &'static str,
    /// Name.
    pub name: &'static str,
    /// Session-level message.
    pub admin: bool,
    /// Body members.
    pub items: &'static [ItemSpec],
}

/// A whole dictionary in nested form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DictionarySpec {
    /// BeginString.
    pub begin_string: &'static str,
    /// ApplVerID for FIX 5.0+ application dictionaries.
    pub appl_ver_id: Option<&'static str>,
    /// Fields sorted by tag.
    pub fields: &'static [FieldSpec],
    /// Components' members, by index.
    pub components: &'static [&'static [ItemSpec]],
    /// Header members.
    pub header: &'static [ItemSpec],
    /// Trailer members.
    pub trailer: &'static [ItemSpec],
    /// Messages.
    pub messages: &'static [MessageSpec],
}

impl DictionarySpec {
    fn first_field(&self, items: &[ItemSpec], depth: usize) -> Option<Tag> {
        if depth > 64 {
            return None;
        }
        for it in items {
            match *it {
                ItemSpec::F(tag, _) | ItemSpec::G(tag, _, _) => return Some(tag),
                ItemSpec::C(i, _) => {
                    let found = self
                        .components
                        .get(i as usize)
                        .and_then(|c| self.first_field(c, depth + 1));
                    if found.is_some() {
                        return found;
                    }
                }
            }
        }
        None
    }

    fn flatten(
        &self,
        items: &[ItemSpec],
        parent_required: bool,
        depth: usize,
        out: &mut Vec<Member>,
    ) {
        if depth > 64 {
            return;
        }
        for it in items {
            match *it {
                ItemSpec::F(tag, required) => out.push(Member::Field {
                    tag,
                    required: required && parent_required,
                }),
                ItemSpec::G(tag, required, entry) => out.push(Member::Group {
                    tag,
                    required: required && parent_required,
                    delimiter: self.first_field(entry, 0).unwrap_or(0),
                    entry: self.layout(entry, depth + 1),
                }),
                ItemSpec::C(i, required) => {
                    if let Some(c) = self.components.get(i as usize) {
                        self.flatten(c, required && parent_required, depth + 1, out);
                    }
                }
            }
        }
    }

    fn layout(&self, items: &[ItemSpec], depth: usize) -> Layout {
        let mut members = Vec::new();
        self.flatten(items, true, depth, &mut members);
        Layout::new(members)
    }

    /// The flat, indexed tables.
    pub fn build(&self) -> Dictionary {
        let fields = self
            .fields
            .iter()
            .map(|f| FieldDef {
                tag: f.tag,
                name: Cow::Borrowed(f.name),
                field_type: f.field_type,
                values: f
                    .values
                    .iter()
                    .map(|&(v, d)| EnumValue {
                        value: Cow::Borrowed(v),
                        description: Cow::Borrowed(d),
                    })
                    .collect(),
            })
            .collect();
        let mut messages: Vec<MessageDef> = self
            .messages
            .iter()
            .map(|m| MessageDef {
                msg_type: Cow::Borrowed(m.msg_type),
                name: Cow::Borrowed(m.name),
                admin: m.admin,
                body: self.layout(m.items, 0),
            })
            .collect();
        messages.sort_by(|a, b| a.msg_type.as_bytes().cmp(b.msg_type.as_bytes()));
        Dictionary::new(
            Cow::Borrowed(self.begin_string),
            self.appl_ver_id.map(Cow::Borrowed),
            Cow::Owned(fields),
            self.layout(self.header, 0),
            self.layout(self.trailer, 0),
            Cow::Owned(messages),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::ItemSpec::{C, F, G};
    use super::*;

    static FIELDS: &[FieldSpec] = &[
        FieldSpec::new(1, "Account", FieldType::String, &[]),
        FieldSpec::new(54, "Side", FieldType::Char, &[("1", "BUY"), ("2", "SELL")]),
        FieldSpec::new(447, "PartyIDSource", FieldType::Char, &[]),
        FieldSpec::new(448, "PartyID", FieldType::String, &[]),
        FieldSpec::new(453, "NoPartyIDs", FieldType::NumInGroup, &[]),
    ];
    static PARTY: &[ItemSpec] = &[F(448, true), F(447, true)];
    static PARTIES: &[ItemSpec] = &[G(453, true, &[C(1, true)])];
    static SPEC: DictionarySpec = DictionarySpec {
        begin_string: "FIX.4.4",
        appl_ver_id: None,
        fields: FIELDS,
        components: &[PARTIES, PARTY],
        header: &[],
        trailer: &[],
        messages: &[MessageSpec {
            msg_type: "D",
            name: "Order",
            admin: false,
            items: &[F(54, true), C(0, false), F(1, true)],
        }],
    };

    #[test]
    fn components_expand_and_delimiters_are_found_through_them() {
        let d = SPEC.build();
        let body = &d.message(b"D").expect("D").body;
        assert_eq!(body.members.len(), 3);
        assert_eq!(
            body.members[0],
            Member::Field {
                tag: 54,
                required: true
            }
        );
        let Member::Group {
            tag,
            required,
            delimiter,
            entry,
        } = &body.members[1]
        else {
            panic!("group")
        };
        // The optional component makes its required group optional in this message.
        assert_eq!((*tag, *required, *delimiter), (453, false, 448));
        assert_eq!(entry.slot(447), Some(1));
        assert_eq!(body.slot(1), Some(2));
        assert_eq!(
            d.field(54)
                .and_then(|f| f.enum_value(b"2"))
                .map(|v| v.description.as_ref()),
            Some("SELL")
        );
    }
}
