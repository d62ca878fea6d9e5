//! The `<fields>` section, read the way QuickFIX reads it: a tag or name defined twice is
//! kept (the later definition's name and type win, enum values are merged), a field without a
//! type or with a type QuickFIX does not know is a STRING; each such place gives a warning.

use std::collections::{HashMap, HashSet};

use fix_core::{FieldType, Tag};

use super::{dict_err, warning, Field, Value};
use crate::error::{Error, Warning};
use crate::xml::Element;

/// The fields of a dictionary with the name index references resolve through.
#[derive(Debug, Default)]
pub(super) struct FieldTable {
    /// Fields sorted by tag.
    pub fields: Vec<Field>,
    /// Every name a field was defined with, to its tag (the last definition of a name wins).
    pub by_name: HashMap<String, Tag>,
}

/// Where and how a tag was first defined, for the warnings of its later definitions.
struct First {
    index: usize,
    line: usize,
}

/// Reads every `<field>` of `<fields>`.
pub(super) fn read(
    fields_el: Option<&Element>,
    old_char_is_string: bool,
    warnings: &mut Vec<Warning>,
) -> Result<FieldTable, Error> {
    let mut table = FieldTable::default();
    let mut first: HashMap<Tag, First> = HashMap::new();
    let Some(fs) = fields_el else {
        return Ok(table);
    };
    for el in fs.children.iter().filter(|c| c.name == "field") {
        let name = el
            .attr("name")
            .ok_or_else(|| dict_err(el, "field without a name"))?
            .trim()
            .to_string();
        let number = el
            .attr("number")
            .ok_or_else(|| dict_err(el, "field without a number"))?;
        let tag: Tag = number
            .trim()
            .parse()
            .ok()
            .filter(|&t: &Tag| t > 0)
            .ok_or_else(|| dict_err(el, format!("number '{number}' is not a positive tag")))?;
        let mut field_type = field_type(el, warnings);
        // FIX.4.0 and 4.1 use CHAR for values of any length (BeginString among them);
        // QuickFIX reads CHAR as one character only from FIX.4.2 on.
        if field_type == FieldType::Char && old_char_is_string {
            field_type = FieldType::String;
        }
        let values = values(el, warnings)?;
        if let Some(&old_tag) = table.by_name.get(&name) {
            if old_tag != tag {
                warnings.push(warning(
                    el,
                    format!(
                        "name '{name}' was defined for tag {old_tag} before; references to \
                         '{name}' now mean tag {tag}"
                    ),
                ));
            }
        }
        table.by_name.insert(name.clone(), tag);
        match first.get(&tag) {
            Some(f) => {
                let old = &mut table.fields[f.index];
                let what = if old.name == name && old.field_type == field_type {
                    "defined again".to_string()
                } else {
                    format!(
                        "defined again (first at line {} as '{}' {}); read as '{name}' {}",
                        f.line,
                        old.name,
                        old.field_type.dictionary_name(),
                        field_type.dictionary_name()
                    )
                };
                warnings.push(warning(el, format!("tag {tag} {what}, enum values merged")));
                old.name = name;
                old.field_type = field_type;
                for v in values {
                    if !old.values.iter().any(|o| o.value == v.value) {
                        old.values.push(v);
                    }
                }
            }
            None => {
                first.insert(
                    tag,
                    First {
                        index: table.fields.len(),
                        line: el.line,
                    },
                );
                table.fields.push(Field {
                    tag,
                    name,
                    field_type,
                    values,
                });
            }
        }
    }
    table.fields.sort_by_key(|f| f.tag);
    Ok(table)
}

/// The field's type; a missing or unknown one is read as STRING, as QuickFIX stores values
/// of a type it does not know.
fn field_type(el: &Element, warnings: &mut Vec<Warning>) -> FieldType {
    match el.attr("type") {
        None => {
            warnings.push(warning(el, "field without a type, read as STRING"));
            FieldType::String
        }
        Some(ty) => FieldType::from_dictionary_name(ty).unwrap_or_else(|| {
            warnings.push(warning(el, format!("unknown type '{ty}', read as STRING")));
            FieldType::String
        }),
    }
}

/// The `<value>`s of a field: a value listed twice is kept once (QuickFIX treats the list as
/// a set); two values whose descriptions differ only in case and punctuation get a warning,
/// since generated code cannot name both after their description.
fn values(el: &Element, warnings: &mut Vec<Warning>) -> Result<Vec<Value>, Error> {
    let mut out: Vec<Value> = Vec::new();
    let mut seen = HashSet::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for v in el.children.iter().filter(|c| c.name == "value") {
        let value = v
            .attr("enum")
            .ok_or_else(|| dict_err(v, "value without enum"))?
            .to_string();
        let description = v.attr("description").unwrap_or(&value).to_string();
        if !seen.insert(value.clone()) {
            warnings.push(warning(v, format!("value '{value}' listed again, ignored")));
            continue;
        }
        let key: String = description
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(other) = names.get(&key) {
            warnings.push(warning(
                v,
                format!(
                    "value '{value}' ('{description}') has the same name as value '{other}' once \
                     case and punctuation are ignored"
                ),
            ));
        } else {
            names.insert(key, value.clone());
        }
        out.push(Value { value, description });
    }
    Ok(out)
}
