//! Emitting Rust tokens from the checked model.
//!
//! One generated file holds sibling modules `tags`, `fields` (enums), `components`, `groups`
//! and, at its top level, the message structs, `Header`, `Trailer`, the `Message` enum and the
//! static `DICTIONARY`. Modules refer to each other through `super::`, so the file can be
//! included at any depth of a user's crate.

mod enums;
mod members;
mod struct_members;
mod structs;
mod tables;
mod views;

use std::collections::{HashMap, HashSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Field, Group, Item, Model};
use crate::names::{type_name, Unique};

pub(crate) fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// `required` or `optional`, for member docs.
pub(crate) fn req_text(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

/// The doc of a field member: its FIX name, tag, type and whether it is required.
pub(crate) fn field_doc(f: &Field, required: bool) -> String {
    format!(
        "`{}` ({}), {}, {}.",
        f.name,
        f.tag,
        f.field_type.dictionary_name(),
        req_text(required)
    )
}

/// The serde derives of a generated type, behind the generated crate's `serde` feature and
/// through `fix_core::__private`, so a generated crate needs no serde dependency of its own.
pub(crate) fn serde_derives() -> TokenStream {
    quote! {
        #[cfg_attr(
            feature = "serde",
            derive(fix_core::__private::serde::Serialize, fix_core::__private::serde::Deserialize),
            serde(crate = "fix_core::__private::serde")
        )]
    }
}

/// Names chosen for the model's generated types.
pub(crate) struct Names {
    /// Enum type name per field tag, for enumerated fields (not BOOLEAN).
    pub enums: HashMap<u32, String>,
    /// Struct name per component index.
    pub components: Vec<String>,
    /// Struct name per distinct group (keyed by the group's full definition).
    pub groups: HashMap<Group, String>,
    /// Groups in the order their structs are emitted.
    pub group_order: Vec<Group>,
    /// Struct name per message index.
    pub messages: Vec<String>,
}

impl Names {
    fn new(model: &Model) -> Names {
        let mut enum_names = Unique::default();
        let mut enums = HashMap::new();
        for f in &model.fields {
            if has_enum(f) {
                enums.insert(f.tag, enum_names.claim(type_name(&f.name), None));
            }
        }
        let mut comp_names = Unique::default();
        let components = model
            .components
            .iter()
            .map(|c| comp_names.claim(type_name(&c.name), None))
            .collect();
        let mut msg_names = Unique::with_reserved(&["Message", "Header", "Trailer", "Tables"]);
        let messages = model
            .messages
            .iter()
            .map(|m| msg_names.claim(type_name(&m.name), None))
            .collect();

        // Groups: one struct per distinct definition. A name used by several different
        // definitions is qualified by the owner of each (in dictionary order).
        let mut found: Vec<(Group, String)> = Vec::new();
        let owners = model
            .components
            .iter()
            .map(|c| (c.name.as_str(), &c.items))
            .chain([("Header", &model.header), ("Trailer", &model.trailer)])
            .chain(model.messages.iter().map(|m| (m.name.as_str(), &m.items)));
        for (owner, items) in owners {
            collect_groups(items, owner, model, &mut found);
        }
        let mut defs_per_name: HashMap<u32, usize> = HashMap::new();
        {
            let mut distinct: HashSet<&Group> = HashSet::new();
            for (g, _) in &found {
                if distinct.insert(g) {
                    *defs_per_name.entry(g.tag).or_insert(0) += 1;
                }
            }
        }
        let mut group_names = Unique::default();
        let mut groups = HashMap::new();
        let mut group_order = Vec::new();
        for (g, owner) in found {
            if groups.contains_key(&g) {
                continue;
            }
            let base = model
                .field(g.tag)
                .map(|f| type_name(&f.name))
                .unwrap_or_else(|| format!("Group{}", g.tag));
            let name = if defs_per_name.get(&g.tag).copied().unwrap_or(0) > 1 {
                group_names.claim(format!("{}{}", type_name(&owner), base), None)
            } else {
                group_names.claim(base, None)
            };
            groups.insert(g.clone(), name);
            group_order.push(g);
        }
        Names {
            enums,
            components,
            groups,
            group_order,
            messages,
        }
    }
}

fn collect_groups(items: &[Item], owner: &str, model: &Model, out: &mut Vec<(Group, String)>) {
    for it in items {
        if let Item::Group(g) = it {
            out.push((g.clone(), owner.to_string()));
            let inner_owner = model
                .field(g.tag)
                .map(|f| f.name.clone())
                .unwrap_or_default();
            collect_groups(&g.items, &format!("{owner}{inner_owner}"), model, out);
        }
    }
}

/// Whether a field gets a generated enum (enumerated, and not a plain Y/N boolean).
pub(crate) fn has_enum(f: &Field) -> bool {
    !f.values.is_empty() && f.field_type != fix_core::FieldType::Boolean
}

/// How many independent parts [`generate_part`] splits the file into.
pub(crate) const PARTS: usize = 4;

/// The names of the model's generated types, shared by the parts.
pub(crate) fn names(model: &Model) -> Names {
    Names::new(model)
}

/// Part `part` (0 to [`PARTS`] - 1) of the generated file, unformatted: the parts in order
/// hold the same items as [`generate`], so they can be generated and formatted on separate
/// threads and concatenated.
pub(crate) fn generate_part(model: &Model, names: &Names, part: usize) -> TokenStream {
    match part {
        0 => {
            let tags = enums::tags(model);
            let field_enums = enums::enums(model, names);
            let begin_string = model.begin_string();
            let appl_ver = match model.appl_ver_id() {
                Some(v) => quote!(Some(#v)),
                None => quote!(None),
            };
            quote! {
                /// BeginString (8) of this dictionary's messages.
                pub const BEGIN_STRING: &str = #begin_string;
                /// ApplVerID (1128) of this application dictionary, for FIX 5.0 and later.
                pub const APPL_VER_ID: Option<&str> = #appl_ver;

                /// A constant per field: its tag number.
                pub mod tags {
                    #tags
                }

                /// An enum per enumerated field, with a variant per value the dictionary lists and
                /// `Unlisted` for any other value a counterparty sends.
                pub mod fields {
                    #field_enums
                }
            }
        }
        1 => {
            let components = structs::components(model, names);
            let views = views::components(model, names);
            quote! {
                /// A struct per component. Components are sets of fields reused by messages; on the
                /// wire their fields sit directly in the message.
                pub mod components {
                    #components
                    #views
                }
            }
        }
        2 => {
            let groups = structs::groups(model, names);
            let views = views::groups(model, names);
            quote! {
                /// A struct per repeating-group entry.
                pub mod groups {
                    #groups
                    #views
                }
            }
        }
        _ => {
            let messages = structs::messages(model, names);
            let message_enum = structs::message_enum(model, names);
            let tables = tables::dictionary(model);
            let views = views::messages(model, names);
            quote! {
                #messages
                #message_enum
                #views
                #tables
            }
        }
    }
}
