//! The members of messages, components, groups, header and trailer: references resolved by
//! name, `required` flags read, and QuickFIX's leniency (a field listed twice, a group counter
//! of another type, `required='yes'`) kept with a warning.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use fix_core::{FieldType, Tag};

use super::{dict_err, warning, Field, Group, Item};
use crate::error::{Error, Warning};
use crate::xml::Element;

/// What member lists are resolved against.
pub(super) struct Ctx<'a> {
    pub by_name: &'a HashMap<String, Tag>,
    pub comp_index: &'a HashMap<String, usize>,
    pub fields: &'a [Field],
    pub warnings: RefCell<Vec<Warning>>,
    /// Group counters declared with a type other than NUMINGROUP, INT or LENGTH: read as
    /// NUMINGROUP once the lists are built.
    pub counters: RefCell<HashSet<Tag>>,
}

impl Ctx<'_> {
    fn warn(&self, el: &Element, message: String) {
        self.warnings.borrow_mut().push(warning(el, message));
    }

    fn field_tag(&self, el: &Element) -> Result<Tag, Error> {
        let name = el
            .attr("name")
            .ok_or_else(|| dict_err(el, "reference without a name"))?
            .trim();
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| dict_err(el, format!("unknown field '{name}'")))
    }

    /// Reads a `required` attribute. QuickFIX reads `Y` as required and anything else as
    /// not; venue files carry `y`, `yes`, `true`, `1` too, so those count as required as
    /// well. Any value but `Y` and `N` gets a warning.
    fn required(&self, el: &Element) -> bool {
        let Some(raw) = el.attr("required") else {
            return false;
        };
        let value = raw.trim().to_ascii_lowercase();
        let required = matches!(value.as_str(), "y" | "yes" | "true" | "1");
        if raw != "Y" && raw != "N" {
            let read = if required { "Y" } else { "N" };
            self.warn(el, format!("required='{raw}' read as {read}"));
        }
        required
    }

    /// Checks a group's counter type; one of another type is taken as NUMINGROUP.
    fn counter(&self, el: &Element, tag: Tag) {
        let ty = self
            .fields
            .binary_search_by_key(&tag, |f| f.tag)
            .ok()
            .map(|i| self.fields[i].field_type);
        if let Some(ty) = ty {
            if !matches!(
                ty,
                FieldType::NumInGroup | FieldType::Int | FieldType::Length
            ) {
                self.warn(
                    el,
                    format!(
                        "group counter field {tag} is declared {}, read as NUMINGROUP",
                        ty.dictionary_name()
                    ),
                );
                self.counters.borrow_mut().insert(tag);
            }
        }
    }

    /// The members of `parent`.
    pub(crate) fn items(&self, parent: &Element) -> Result<Vec<Item>, Error> {
        let mut items = Vec::new();
        let mut seen: HashSet<Tag> = HashSet::new();
        for el in &parent.children {
            let item = match el.name.as_str() {
                "field" => {
                    let tag = self.field_tag(el)?;
                    if !seen.insert(tag) {
                        // QuickFIX keeps the first mention (FIX43.xml lists OwnershipType
                        // twice in RegistrationInstructions).
                        self.warn(el, format!("field {tag} listed again, ignored"));
                        continue;
                    }
                    Item::Field {
                        tag,
                        required: self.required(el),
                    }
                }
                "group" => {
                    let tag = self.field_tag(el)?;
                    self.counter(el, tag);
                    if !seen.insert(tag) {
                        return Err(dict_err(
                            el,
                            format!("group listed twice in {}", parent.describe()),
                        ));
                    }
                    let sub = self.items(el)?;
                    if sub.is_empty() {
                        return Err(dict_err(el, "group without fields"));
                    }
                    Item::Group(Group {
                        tag,
                        required: self.required(el),
                        items: sub,
                        delimiter: 0,
                    })
                }
                "component" => {
                    let name = el
                        .attr("name")
                        .ok_or_else(|| dict_err(el, "component reference without a name"))?
                        .trim();
                    let index = *self
                        .comp_index
                        .get(name)
                        .ok_or_else(|| dict_err(el, format!("unknown component '{name}'")))?;
                    Item::Component {
                        index,
                        required: self.required(el),
                    }
                }
                _ => continue,
            };
            items.push(item);
        }
        Ok(items)
    }
}
