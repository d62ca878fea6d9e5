//! A decoded message as a tree of named fields and group entries, printed for people (with
//! optional colour) or as one line of JSON.

use std::fmt::Write as _;

use fix_core::dict::{Dictionary, Layout, Member};
use fix_core::Tag;
use serde::{Deserialize, Serialize};

/// One field of a message, or a repeating group with its entries. `fix encode` reads it back
/// (name and meaning are then ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldOut {
    /// Tag number.
    pub tag: Tag,
    /// The field's name, if the dictionary defines the tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The value as received, control characters (SOH inside DATA fields) included (for a
    /// group: the NumInGroup count). Printed for people with control characters escaped.
    pub value: String,
    /// The description of an enumerated value (`BUY` for Side 1); several, comma-separated,
    /// for multiple-value fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<String>,
    /// For a NumInGroup field: the group's entries, each a list of fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Vec<Vec<FieldOut>>>,
}

/// A message ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageOut {
    /// The input it came from (a file name or `<stdin>`).
    pub source: String,
    /// 1-based line number in the input.
    pub line: usize,
    /// BeginString (8).
    pub begin_string: String,
    /// MsgType (35).
    pub msg_type: String,
    /// The message's name in the dictionary (`NewOrderSingle`), if it defines the MsgType.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_name: Option<String>,
    /// The dictionary used (`FIX.4.4`, `FIX.5.0SP2+FIXT.1.1`, ...).
    pub dictionary: String,
    /// Fields in wire order, groups nested.
    pub fields: Vec<FieldOut>,
    /// What is wrong with the message; empty when it decoded and validated.
    pub problems: Vec<String>,
}

/// A line (or message in it) that could not be read as a FIX message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// The input it came from.
    pub source: String,
    /// 1-based line number.
    pub line: usize,
    /// Why it could not be read.
    pub error: String,
}

/// A value fit for a terminal: control characters (SOH inside DATA fields) escaped.
fn text(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if !s.chars().any(char::is_control) {
        return s.into_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\x{:02X}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The value as text, unchanged when it is UTF-8 (as FIX values nearly always are).
fn lossless(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn meaning(dict: &Dictionary, tag: Tag, value: &[u8]) -> Option<String> {
    let def = dict.field(tag)?;
    if def.values.is_empty() {
        return None;
    }
    if let Some(v) = def.enum_value(value) {
        return Some(v.description.to_string());
    }
    if def.field_type.is_multiple() && value.contains(&b' ') {
        let parts: Vec<String> = value
            .split(|&b| b == b' ')
            .filter(|t| !t.is_empty())
            .map(|t| {
                def.enum_value(t)
                    .map_or_else(|| "?".to_string(), |v| v.description.to_string())
            })
            .collect();
        return Some(parts.join(", "));
    }
    None
}

fn field_out(dict: &Dictionary, tag: Tag, value: String, raw: &[u8]) -> FieldOut {
    FieldOut {
        tag,
        name: dict.field(tag).map(|d| d.name.to_string()),
        value,
        meaning: meaning(dict, tag, raw),
        group: None,
    }
}

/// Builds the field tree from fields in wire order.
///
/// `levels` are the layouts a top-level field may belong to (header, body, trailer), tried in
/// that order as the decoder does. A NumInGroup field of one of them opens a group: following
/// fields that belong to the entry layout go into it (a new entry starts at the delimiter),
/// and the first one that does not closes it. `overrides` replaces values for display (the
/// BodyLength and CheckSum as written, when the message was repaired).
pub fn tree(
    dict: &Dictionary,
    fields: &[(Tag, &[u8])],
    levels: &[&Layout],
    overrides: &[(Tag, String)],
) -> Vec<FieldOut> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < fields.len() {
        let (tag, raw) = fields[pos];
        pos += 1;
        let value = overrides
            .iter()
            .find(|(t, _)| *t == tag)
            .map_or_else(|| lossless(raw), |(_, v)| v.clone());
        let mut f = field_out(dict, tag, value, raw);
        let member = levels
            .iter()
            .find_map(|l| l.slot(tag).and_then(|s| l.member(s)));
        if let Some(Member::Group {
            entry, delimiter, ..
        }) = member
        {
            f.group = Some(entries(dict, fields, &mut pos, entry, *delimiter, 0));
        }
        out.push(f);
    }
    out
}

/// Groups nested deeper than this are shown flat (dictionaries nest 7 deep at most).
const MAX_DEPTH: usize = 32;

fn entries(
    dict: &Dictionary,
    fields: &[(Tag, &[u8])],
    pos: &mut usize,
    entry: &Layout,
    delimiter: Tag,
    depth: usize,
) -> Vec<Vec<FieldOut>> {
    let mut out: Vec<Vec<FieldOut>> = Vec::new();
    while let Some(&(tag, raw)) = fields.get(*pos) {
        let Some(slot) = entry.slot(tag) else { break };
        *pos += 1;
        let mut f = field_out(dict, tag, lossless(raw), raw);
        if let (
            Some(Member::Group {
                entry: inner,
                delimiter: d,
                ..
            }),
            true,
        ) = (entry.member(slot), depth < MAX_DEPTH)
        {
            f.group = Some(entries(dict, fields, pos, inner, *d, depth + 1));
        }
        match out.last_mut() {
            Some(current) if tag != delimiter => current.push(f),
            _ => out.push(vec![f]),
        }
    }
    out
}

/// ANSI styles, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colour on (`true`) or off.
    pub fn new(color: bool) -> Style {
        Style { color }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn human_fields(
    out: &mut String,
    fields: &[FieldOut],
    indent: usize,
    first_prefix: &str,
    st: Style,
) {
    for (i, f) in fields.iter().enumerate() {
        let pad = " ".repeat(indent);
        let lead = if i == 0 { first_prefix } else { "" };
        let lead_pad = if i == 0 {
            ""
        } else {
            &" ".repeat(first_prefix.len())
        };
        let name = f
            .name
            .as_deref()
            .map_or_else(|| st.paint("31", "(unknown tag)"), |n| st.paint("36", n));
        let _ = write!(
            out,
            "{pad}{lead}{lead_pad}{} {name} = {}",
            st.paint("2", &f.tag.to_string()),
            st.paint("1", &text(f.value.as_bytes()))
        );
        if let Some(m) = &f.meaning {
            let _ = write!(out, " ({})", st.paint("33", m));
        }
        out.push('\n');
        if let Some(entries) = &f.group {
            for e in entries {
                human_fields(out, e, indent + first_prefix.len() + 2, "- ", st);
            }
        }
    }
}

/// The message for people: a heading, one field per line (`  54 Side = 1 (BUY)`), group
/// entries indented with `- ` before each entry's first field, then its problems.
pub fn human(m: &MessageOut, st: Style) -> String {
    let mut out = String::new();
    let name = m.msg_name.as_deref().unwrap_or("unknown message type");
    let _ = writeln!(
        out,
        "{} {} {}",
        st.paint("2", &format!("{}:{}", m.source, m.line)),
        st.paint("1;32", &format!("{name} (35={})", m.msg_type)),
        st.paint("2", &format!("[{}]", m.dictionary)),
    );
    human_fields(&mut out, &m.fields, 2, "", st);
    for p in &m.problems {
        let _ = writeln!(out, "  {} {p}", st.paint("1;31", "problem:"));
    }
    out
}

/// A line that could not be read, for people.
pub fn human_error(e: &LineError, st: Style) -> String {
    format!(
        "{} {}\n",
        st.paint("1;31", &format!("error: {} line {}:", e.source, e.line)),
        e.error
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        assert_eq!(text(b"a\x01b"), "a\\x01b");
        assert_eq!(text(b"plain"), "plain");
    }
}
