//! The checked model of a dictionary: every reference resolved, every rule of a well-formed
//! dictionary checked, components still nested (code generation keeps them as structs).

mod fields;
mod items;
mod transport;

use std::cell::RefCell;
use std::collections::HashMap;

use fix_core::{FieldType, Tag};

use crate::error::{Error, Warning};
use crate::xml::Element;
use items::Ctx;

/// A field definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Tag number.
    pub tag: Tag,
    /// Name as the dictionary spells it.
    pub name: String,
    /// Value type.
    pub field_type: FieldType,
    /// Enumerated values in dictionary order.
    pub values: Vec<Value>,
}

/// One enumerated value of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// Wire value.
    pub value: String,
    /// Description.
    pub description: String,
}

/// One member of a message, component, group entry, header or trailer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    /// A field, by tag.
    Field {
        /// Tag.
        tag: Tag,
        /// Required in its container.
        required: bool,
    },
    /// A component, by index into [`Model::components`].
    Component {
        /// Index of the component.
        index: usize,
        /// Required in its container.
        required: bool,
    },
    /// A repeating group.
    Group(Group),
}

/// A repeating group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// The NumInGroup field's tag.
    pub tag: Tag,
    /// Required in its container.
    pub required: bool,
    /// The members of one entry.
    pub items: Vec<Item>,
    /// The tag each entry starts with (the first field, found through components).
    pub delimiter: Tag,
}

/// A component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Name.
    pub name: String,
    /// Members.
    pub items: Vec<Item>,
}

/// A message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Name.
    pub name: String,
    /// MsgType value.
    pub msg_type: String,
    /// Session-level message.
    pub admin: bool,
    /// Body members.
    pub items: Vec<Item>,
}

/// A whole checked dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// `FIX` or `FIXT`.
    pub kind: String,
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Service pack (0 when absent).
    pub service_pack: u32,
    /// Fields sorted by tag.
    pub fields: Vec<Field>,
    /// Components in dictionary order.
    pub components: Vec<Component>,
    /// Header members.
    pub header: Vec<Item>,
    /// Trailer members.
    pub trailer: Vec<Item>,
    /// Messages in dictionary order.
    pub messages: Vec<Message>,
    /// What the dictionary relies on QuickFIX's leniency for, one warning per place, in
    /// document order (transport warnings after the application's).
    pub warnings: Vec<Warning>,
}

fn dict_err(el: &Element, problem: impl Into<String>) -> Error {
    Error::Dictionary {
        element: el.describe(),
        problem: problem.into(),
    }
}

fn warning(el: &Element, message: impl Into<String>) -> Warning {
    Warning {
        line: el.line,
        element: el.describe(),
        message: message.into(),
    }
}

impl Model {
    /// Builds and checks the model from a parsed document.
    ///
    /// What QuickFIX loads loads here too; the places where the dictionary relies on
    /// QuickFIX's leniency are listed in [`Model::warnings`].
    pub fn from_xml(root: &Element) -> Result<Model, Error> {
        if root.name != "fix" {
            return Err(dict_err(root, "root element must be <fix>"));
        }
        let num = |key: &str| -> Result<u32, Error> {
            match root.attr(key) {
                None => Ok(0),
                Some(v) if v.trim().is_empty() => Ok(0),
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| dict_err(root, format!("attribute {key}='{v}' is not a number"))),
            }
        };
        let kind = root.attr("type").unwrap_or("FIX").trim().to_string();
        let (major, minor, service_pack) = (num("major")?, num("minor")?, num("servicepack")?);
        let mut warnings = Vec::new();
        let old_char_is_string = kind == "FIX" && major == 4 && minor <= 1;
        let table = fields::read(root.child("fields"), old_char_is_string, &mut warnings)?;

        // Components: names first (they may refer to each other in any order), then bodies.
        let comp_els: Vec<&Element> = root
            .child("components")
            .map(|c| {
                c.children
                    .iter()
                    .filter(|e| e.name == "component")
                    .collect()
            })
            .unwrap_or_default();
        let mut comp_index: HashMap<String, usize> = HashMap::new();
        for (i, el) in comp_els.iter().enumerate() {
            let name = el
                .attr("name")
                .ok_or_else(|| dict_err(el, "component without a name"))?
                .trim()
                .to_string();
            if comp_index.insert(name.clone(), i).is_some() {
                return Err(dict_err(el, format!("duplicate component name '{name}'")));
            }
        }
        let ctx = Ctx {
            by_name: &table.by_name,
            comp_index: &comp_index,
            fields: &table.fields,
            warnings: RefCell::new(warnings),
            counters: RefCell::default(),
        };
        let mut components = Vec::with_capacity(comp_els.len());
        for el in &comp_els {
            let items = ctx.items(el)?;
            components.push(Component {
                name: el.attr("name").unwrap_or_default().trim().to_string(),
                items,
            });
        }
        // Cycles, then group delimiters (which look into components).
        for (i, el) in comp_els.iter().enumerate() {
            check_cycle(i, &components, &mut Vec::new(), el)?;
        }
        let header = match root.child("header") {
            Some(h) => ctx.items(h)?,
            None => Vec::new(),
        };
        let trailer = match root.child("trailer") {
            Some(t) => ctx.items(t)?,
            None => Vec::new(),
        };
        let messages = match root.child("messages") {
            Some(ms) => messages(ms, &ctx)?,
            None => Vec::new(),
        };
        let counters = ctx.counters.take();
        let warnings = ctx.warnings.take();
        let mut fields = table.fields;
        for f in &mut fields {
            if counters.contains(&f.tag) {
                f.field_type = FieldType::NumInGroup;
            }
        }
        let mut model = Model {
            kind,
            major,
            minor,
            service_pack,
            fields,
            components,
            header,
            trailer,
            messages,
            warnings,
        };
        model.resolve_delimiters(&comp_els)?;
        model.register_msg_types();
        Ok(model)
    }

    /// The BeginString of messages of this dictionary (`FIX.4.4`, `FIXT.1.1`).
    ///
    /// FIX 5.0 and later application dictionaries travel on FIXT.1.1; their own version is
    /// given by [`Model::appl_ver_id`].
    pub fn begin_string(&self) -> String {
        if self.kind == "FIX" && self.major >= 5 {
            "FIXT.1.1".to_string()
        } else {
            format!("{}.{}.{}", self.kind, self.major, self.minor)
        }
    }

    /// The ApplVerID (1128) value for FIX 5.0 and later application dictionaries.
    pub fn appl_ver_id(&self) -> Option<&'static str> {
        match (
            self.kind.as_str(),
            self.major,
            self.minor,
            self.service_pack,
        ) {
            ("FIX", 5, 0, 0) => Some("7"),
            ("FIX", 5, 0, 1) => Some("8"),
            ("FIX", 5, 0, 2) => Some("9"),
            _ => None,
        }
    }

    /// The field with `tag`.
    pub fn field(&self, tag: Tag) -> Option<&Field> {
        self.fields
            .binary_search_by_key(&tag, |f| f.tag)
            .ok()
            .map(|i| &self.fields[i])
    }

    /// Every MsgType the dictionary defines is a valid value of MsgType (35), also custom
    /// ones (`U1`, `XCN`) that the field's own value list does not name.
    fn register_msg_types(&mut self) {
        let Ok(i) = self.fields.binary_search_by_key(&35, |f| f.tag) else {
            return;
        };
        let field = &mut self.fields[i];
        if field.values.is_empty() {
            return;
        }
        for m in &self.messages {
            if !field.values.iter().any(|v| v.value == m.msg_type) {
                field.values.push(Value {
                    value: m.msg_type.clone(),
                    description: m.name.clone(),
                });
            }
        }
    }

    fn resolve_delimiters(&mut self, comp_els: &[&Element]) -> Result<(), Error> {
        // Delimiters of groups inside components first (messages reuse them).
        let comps = self.components.clone();
        for (i, c) in self.components.iter_mut().enumerate() {
            let el = comp_els.get(i).copied();
            set_delimiters(&mut c.items, &comps, el, &c.name)?;
        }
        let comps = self.components.clone();
        set_delimiters(&mut self.header, &comps, None, "header")?;
        set_delimiters(&mut self.trailer, &comps, None, "trailer")?;
        for m in &mut self.messages {
            set_delimiters(&mut m.items, &comps, None, &m.name)?;
        }
        Ok(())
    }
}

/// The `<message>`s. Two messages may share a name (generated code names the later one
/// apart); a MsgType defined twice keeps the first definition with the later one's new
/// members added, as QuickFIX adds both definitions' fields to the MsgType.
fn messages(ms: &Element, ctx: &Ctx<'_>) -> Result<Vec<Message>, Error> {
    let mut messages: Vec<Message> = Vec::new();
    let mut by_type: HashMap<String, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for el in ms.children.iter().filter(|c| c.name == "message") {
        let name = el
            .attr("name")
            .ok_or_else(|| dict_err(el, "message without a name"))?
            .trim()
            .to_string();
        let msg_type = el
            .attr("msgtype")
            .ok_or_else(|| dict_err(el, "message without a msgtype"))?
            .trim()
            .to_string();
        if msg_type.is_empty() || msg_type.bytes().any(|b| b == 1 || b == b'=') {
            return Err(dict_err(el, format!("msgtype '{msg_type}' is not valid")));
        }
        let admin = el
            .attr("msgcat")
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("admin"));
        let items = ctx.items(el)?;
        if let Some(&i) = by_type.get(&msg_type) {
            let first: &mut Message = &mut messages[i];
            ctx.warnings.borrow_mut().push(warning(
                el,
                format!(
                    "msgtype '{msg_type}' defined again (first as '{}'); its new members are \
                     added to the first definition",
                    first.name
                ),
            ));
            for item in items {
                if !first.items.iter().any(|old| same_member(old, &item)) {
                    first.items.push(item);
                }
            }
            continue;
        }
        if let Some(&i) = names.get(&name) {
            ctx.warnings.borrow_mut().push(warning(
                el,
                format!(
                    "message name '{name}' already names msgtype '{}'",
                    messages[i].msg_type
                ),
            ));
        } else {
            names.insert(name.clone(), messages.len());
        }
        by_type.insert(msg_type.clone(), messages.len());
        messages.push(Message {
            name,
            msg_type,
            admin,
            items,
        });
    }
    Ok(messages)
}

/// Whether two members stand for the same field, group or component.
fn same_member(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::Field { tag: x, .. }, Item::Field { tag: y, .. }) => x == y,
        (Item::Group(x), Item::Group(y)) => x.tag == y.tag,
        (Item::Component { index: x, .. }, Item::Component { index: y, .. }) => x == y,
        _ => false,
    }
}

pub(crate) fn shift_items(items: &[Item], offset: usize) -> Vec<Item> {
    items
        .iter()
        .map(|it| match it {
            Item::Component { index, required } => Item::Component {
                index: index + offset,
                required: *required,
            },
            Item::Group(g) => Item::Group(Group {
                items: shift_items(&g.items, offset),
                ..g.clone()
            }),
            f => f.clone(),
        })
        .collect()
}

fn set_delimiters(
    items: &mut [Item],
    comps: &[Component],
    el: Option<&Element>,
    owner: &str,
) -> Result<(), Error> {
    for it in items.iter_mut() {
        if let Item::Group(g) = it {
            set_delimiters(&mut g.items, comps, el, owner)?;
            g.delimiter = first_field(&g.items, comps, 0).ok_or_else(|| Error::Dictionary {
                element: match el {
                    Some(e) => e.describe(),
                    None => format!("'{owner}'"),
                },
                problem: format!("group {} has no fields", g.tag),
            })?;
        }
    }
    Ok(())
}

/// The first field of a list of items, looking into components and groups (a group's first
/// field is its NumInGroup tag).
fn first_field(items: &[Item], comps: &[Component], depth: usize) -> Option<Tag> {
    if depth > 64 {
        return None;
    }
    for it in items {
        match it {
            Item::Field { tag, .. } => return Some(*tag),
            Item::Group(g) => return Some(g.tag),
            Item::Component { index, .. } => {
                if let Some(t) = comps
                    .get(*index)
                    .and_then(|c| first_field(&c.items, comps, depth + 1))
                {
                    return Some(t);
                }
            }
        }
    }
    None
}

fn check_cycle(
    i: usize,
    comps: &[Component],
    path: &mut Vec<usize>,
    el: &Element,
) -> Result<(), Error> {
    if path.contains(&i) {
        let names: Vec<&str> = path
            .iter()
            .chain(std::iter::once(&i))
            .map(|&j| comps[j].name.as_str())
            .collect();
        return Err(dict_err(
            el,
            format!("component cycle: {}", names.join(" -> ")),
        ));
    }
    path.push(i);
    let mut children = Vec::new();
    collect_components(&comps[i].items, &mut children);
    for c in children {
        check_cycle(c, comps, path, el)?;
    }
    path.pop();
    Ok(())
}

fn collect_components(items: &[Item], out: &mut Vec<usize>) {
    for it in items {
        match it {
            Item::Component { index, .. } => out.push(*index),
            Item::Group(g) => collect_components(&g.items, out),
            Item::Field { .. } => {}
        }
    }
}
