//! QuickFIX's field order for a message body it writes: fields by tag number, except that a
//! repeating group's entries follow its NumInGroup field with each entry's fields in the
//! dictionary's order (QuickFIX keeps a field map sorted by tag, groups in `message_order`).
//!
//! The acceptance server echoes messages back in this order, as QuickFIX's echo application
//! does when it copies a message.

use fix_core::dict::{Layout, Member};
use fix_core::Tag;

/// A field, or a NumInGroup field with the entries that follow it.
struct Block {
    tag: Tag,
    value: Vec<u8>,
    entries: Vec<Vec<Block>>,
}

impl Block {
    fn flatten(self, out: &mut Vec<(Tag, Vec<u8>)>) {
        out.push((self.tag, self.value));
        for entry in self.entries {
            for b in entry {
                b.flatten(out);
            }
        }
    }
}

/// `fields` (a message body in arrival order) in QuickFIX's order for a body laid out as
/// `body`: top-level fields sorted by tag, group entries in definition order. Fields the
/// layout does not know stay in the top level.
pub fn quickfix_body_order(fields: &[(Tag, Vec<u8>)], body: &Layout) -> Vec<(Tag, Vec<u8>)> {
    let mut pos = 0;
    let mut blocks = Vec::new();
    while pos < fields.len() {
        blocks.push(read_block(fields, &mut pos, body));
    }
    blocks.sort_by_key(|b| b.tag);
    let mut out = Vec::with_capacity(fields.len());
    for b in blocks {
        b.flatten(&mut out);
    }
    out
}

/// Reads the field at `pos` (and, for a group of `level`, its entries).
fn read_block(fields: &[(Tag, Vec<u8>)], pos: &mut usize, level: &Layout) -> Block {
    let (tag, value) = fields[*pos].clone();
    *pos += 1;
    let mut block = Block {
        tag,
        value,
        entries: Vec::new(),
    };
    let group = level
        .slot(tag)
        .and_then(|s| level.member(s))
        .and_then(|m| match m {
            Member::Group {
                delimiter, entry, ..
            } => Some((*delimiter, entry)),
            Member::Field { .. } => None,
        });
    if let Some((delimiter, entry)) = group {
        while fields.get(*pos).is_some_and(|(t, _)| *t == delimiter) {
            block
                .entries
                .push(read_entry(fields, pos, delimiter, entry));
        }
    }
    block
}

/// Reads one group entry (starting at its delimiter) and orders it by definition.
fn read_entry(
    fields: &[(Tag, Vec<u8>)],
    pos: &mut usize,
    delimiter: Tag,
    entry: &Layout,
) -> Vec<Block> {
    let mut blocks = vec![read_block(fields, pos, entry)];
    while let Some((t, _)) = fields.get(*pos) {
        if *t == delimiter || entry.slot(*t).is_none() {
            break;
        }
        blocks.push(read_block(fields, pos, entry));
    }
    blocks.sort_by_key(|b| entry.slot(b.tag));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(tag: Tag, v: &str) -> (Tag, Vec<u8>) {
        (tag, v.as_bytes().to_vec())
    }

    #[test]
    fn body_by_tag_and_group_entries_by_definition() {
        // NoPartyIDs (453) entries: PartyID (448), PartyIDSource (447), PartyRole (452).
        let entry = Layout::new(vec![
            Member::Field {
                tag: 448,
                required: false,
            },
            Member::Field {
                tag: 447,
                required: false,
            },
            Member::Field {
                tag: 452,
                required: false,
            },
        ]);
        let body = Layout::new(vec![
            Member::Field {
                tag: 11,
                required: true,
            },
            Member::Group {
                tag: 453,
                required: false,
                delimiter: 448,
                entry,
            },
            Member::Field {
                tag: 55,
                required: true,
            },
        ]);
        let got = quickfix_body_order(
            &[
                f(55, "IBM"),
                f(453, "2"),
                f(448, "A"),
                f(452, "1"),
                f(447, "D"),
                f(448, "B"),
                f(447, "D"),
                f(11, "X"),
                f(9999, "u"),
            ],
            &body,
        );
        let tags: Vec<Tag> = got.iter().map(|(t, _)| *t).collect();
        assert_eq!(tags, vec![11, 55, 453, 448, 447, 452, 448, 447, 9999]);
        assert_eq!(got[3].1, b"A");
        assert_eq!(got[6].1, b"B");
    }
}
