//! The members of a message, component or group entry with their slots in its layout (the
//! numbering of `fix_dict::layout::flat_len`): what the typed views read by.

use crate::layout::flat_len;
use crate::model::{Field, Group, Item, Model};

/// One member as the generated types see it.
pub(crate) enum Member<'m> {
    /// A field in `slot`.
    Field {
        field: &'m Field,
        required: bool,
        slot: usize,
    },
    /// A DATA field (in `slot`) right after its LENGTH field: one member, the length is
    /// written from the data.
    Data {
        data: &'m Field,
        length: &'m Field,
        required: bool,
        slot: usize,
    },
    /// A component whose fields take slots `slot..end`.
    Component {
        index: usize,
        required: bool,
        slot: usize,
        end: usize,
    },
    /// A repeating group in `slot`.
    Group { group: &'m Group, slot: usize },
}

/// The members of `items` in order. Fields the model does not define take their slot and
/// are left out.
pub(crate) fn members<'m>(items: &'m [Item], model: &'m Model) -> Vec<Member<'m>> {
    let mut out = Vec::new();
    let mut slot = 0usize;
    let mut i = 0usize;
    while let Some(item) = items.get(i) {
        match item {
            Item::Field { tag, required } => {
                let Some(field) = model.field(*tag) else {
                    slot += 1;
                    i += 1;
                    continue;
                };
                if let Some((data, data_required)) = data_after(field, items.get(i + 1), model) {
                    out.push(Member::Data {
                        data,
                        length: field,
                        required: data_required,
                        slot: slot + 1,
                    });
                    slot += 2;
                    i += 2;
                    continue;
                }
                out.push(Member::Field {
                    field,
                    required: *required,
                    slot,
                });
                slot += 1;
            }
            Item::Component { index, required } => {
                let n = model
                    .components
                    .get(*index)
                    .map_or(0, |c| flat_len(model, &c.items));
                out.push(Member::Component {
                    index: *index,
                    required: *required,
                    slot,
                    end: slot + n,
                });
                slot += n;
            }
            Item::Group(group) => {
                out.push(Member::Group { group, slot });
                slot += 1;
            }
        }
        i += 1;
    }
    out
}

/// The DATA field `next` and whether it is required, when `field` is the LENGTH field
/// right before it.
fn data_after<'m>(
    field: &Field,
    next: Option<&Item>,
    model: &'m Model,
) -> Option<(&'m Field, bool)> {
    if field.field_type != fix_core::FieldType::Length {
        return None;
    }
    match next {
        Some(Item::Field { tag, required }) => model
            .field(*tag)
            .filter(|d| d.field_type.is_data())
            .map(|d| (d, *required)),
        _ => None,
    }
}
