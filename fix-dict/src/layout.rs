//! The checked model flattened into fix-core's dictionary tables: components expanded in
//! place, a member per field or group. A member's position is its slot, which generated code
//! reads by number, so the numbering here and in fix-codegen's emitter comes from one function:
//! [`flat_len`].

use std::borrow::Cow;

use fix_core::dict::{Dictionary, EnumValue, FieldDef, Layout, Member, MessageDef};

use crate::model::{Item, Model};

/// How many slots `items` take once components are expanded (a group takes one).
pub fn flat_len(model: &Model, items: &[Item]) -> usize {
    items
        .iter()
        .map(|it| match it {
            Item::Field { .. } | Item::Group(_) => 1,
            Item::Component { index, .. } => model
                .components
                .get(*index)
                .map_or(0, |c| flat_len(model, &c.items)),
        })
        .sum()
}

fn flatten(model: &Model, items: &[Item], parent_required: bool, out: &mut Vec<Member>) {
    for it in items {
        match it {
            Item::Field { tag, required } => out.push(Member::Field {
                tag: *tag,
                required: *required && parent_required,
            }),
            Item::Group(g) => out.push(Member::Group {
                tag: g.tag,
                required: g.required && parent_required,
                delimiter: g.delimiter,
                entry: layout(model, &g.items),
            }),
            Item::Component { index, required } => {
                if let Some(c) = model.components.get(*index) {
                    flatten(model, &c.items, *required && parent_required, out);
                }
            }
        }
    }
}

/// The layout of a list of items.
pub fn layout(model: &Model, items: &[Item]) -> Layout {
    let mut members = Vec::new();
    flatten(model, items, true, &mut members);
    Layout::new(members)
}

/// The whole dictionary as fix-core tables (owned), for validation at run time and as the
/// source of the generated static tables.
pub fn dictionary(model: &Model) -> Dictionary {
    let fields = model
        .fields
        .iter()
        .map(|f| {
            let mut values: Vec<EnumValue> = f
                .values
                .iter()
                .map(|v| EnumValue {
                    value: Cow::Owned(v.value.clone()),
                    description: Cow::Owned(v.description.clone()),
                })
                .collect();
            values.sort_by(|a, b| a.value.as_bytes().cmp(b.value.as_bytes()));
            FieldDef {
                tag: f.tag,
                name: Cow::Owned(f.name.clone()),
                field_type: f.field_type,
                values: Cow::Owned(values),
            }
        })
        .collect::<Vec<_>>();
    let mut messages: Vec<MessageDef> = model
        .messages
        .iter()
        .map(|m| MessageDef {
            msg_type: Cow::Owned(m.msg_type.clone()),
            name: Cow::Owned(m.name.clone()),
            admin: m.admin,
            body: layout(model, &m.items),
        })
        .collect();
    messages.sort_by(|a, b| a.msg_type.as_bytes().cmp(b.msg_type.as_bytes()));
    Dictionary::new(
        Cow::Owned(model.begin_string()),
        model.appl_ver_id().map(Cow::Borrowed),
        Cow::Owned(fields),
        layout(model, &model.header),
        layout(model, &model.trailer),
        Cow::Owned(messages),
    )
}
