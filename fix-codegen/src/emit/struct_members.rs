//! The code of a struct's members: for each field, component or group its declaration,
//! encoding, decoding, constructor argument or builder.

use fix_core::FieldType;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::structs::{value_type, Place};
use super::{field_doc, has_enum, ident, req_text, Names};
use crate::layout::flat_len;
use crate::model::{Field, Group, Item, Model};
use crate::names::{member_name, Unique};

/// Whether the field's Rust type is `String` (written with the SOH check).
fn is_string(f: &Field) -> bool {
    !has_enum(f) && f.field_type.is_text()
}

/// Everything generated for one member of a struct.
#[derive(Default)]
pub(super) struct Parts {
    pub(super) decls: Vec<TokenStream>,
    pub(super) encode: Vec<TokenStream>,
    /// `let` statements reading each member in order (into `Option`s for required ones).
    pub(super) decode: Vec<TokenStream>,
    /// The members read as `Option`s that must be `Some` (required fields and components).
    pub(super) required: Vec<TokenStream>,
    /// Every member's name, for the struct literal.
    pub(super) names: Vec<TokenStream>,
    pub(super) args: Vec<TokenStream>,
    pub(super) inits: Vec<TokenStream>,
    pub(super) builders: Vec<TokenStream>,
}

/// The code of the members `items` of a struct at `place`.
pub(super) fn members(items: &[Item], model: &Model, names: &Names, place: Place) -> Parts {
    let mut e = MemberEmitter {
        model,
        names,
        place,
        p: place.prefix(),
        parts: Parts::default(),
        used: Unique::with_reserved(&["new", "encode", "decode"]),
        slot: 0,
    };
    let mut i = 0usize;
    while i < items.len() {
        i += match &items[i] {
            Item::Field { tag, required } => e.field(*tag, *required, items.get(i + 1)),
            Item::Component { index, required } => {
                e.component(*index, *required);
                1
            }
            Item::Group(g) => {
                e.group(g);
                1
            }
        };
    }
    e.parts
}

/// The builder method `with_<name>` of a member.
fn with_name(name: &Ident) -> Ident {
    ident(&format!(
        "with_{}",
        name.to_string().trim_start_matches("r#")
    ))
}

/// Emits the members of one struct in order, keeping their names unique and counting the
/// layout slots they take.
struct MemberEmitter<'m> {
    model: &'m Model,
    pub(super) names: &'m Names,
    place: Place,
    /// The path prefix to the sibling modules (`components`, `groups`).
    p: TokenStream,
    parts: Parts,
    used: Unique,
    /// The layout slot of the next member.
    slot: usize,
}

impl MemberEmitter<'_> {
    /// A member name for the FIX name `fix_name`, unique in the struct.
    fn claim(&mut self, fix_name: &str) -> Ident {
        ident(&self.used.claim(member_name(fix_name), None))
    }

    /// The field `tag`, with `next` the item after it; returns how many items it took (a
    /// LENGTH field right before its DATA field is written from the data's length: two).
    fn field(&mut self, tag: u32, required: bool, next: Option<&Item>) -> usize {
        let model = self.model;
        let Some(f) = model.field(tag) else {
            self.slot += 1;
            return 1;
        };
        let data = match next {
            Some(Item::Field {
                tag: t2,
                required: r2,
            }) if f.field_type == FieldType::Length => model
                .field(*t2)
                .filter(|d| d.field_type.is_data())
                .map(|d| (d, *r2)),
            _ => None,
        };
        match data {
            Some((data, data_required)) => {
                self.data(f, data, data_required);
                self.slot += 2;
                2
            }
            None => {
                self.value(f, required);
                self.slot += 1;
                1
            }
        }
    }

    /// A DATA field `data` and its LENGTH field `len`, one member.
    fn data(&mut self, len: &Field, data: &Field, required: bool) {
        let name = self.claim(&data.name);
        self.parts.names.push(quote!(#name));
        let len_prefix = Literal::byte_string(format!("{}=", len.tag).as_bytes());
        let data_prefix = Literal::byte_string(format!("{}=", data.tag).as_bytes());
        let data_tag = Literal::u32_unsuffixed(data.tag);
        let data_slot = self.slot + 1;
        let doc = format!(
            "`{}` ({}), {}; its length goes in `{}` ({}) when encoding.",
            data.name,
            data.tag,
            req_text(required),
            len.name,
            len.tag
        );
        let parts = &mut self.parts;
        if required {
            parts
                .decls
                .push(quote!(#[doc = #doc] pub #name: fix_core::value::Data,));
            parts.encode.push(quote! {
                w.put_u64(#len_prefix, self.#name.0.len() as u64);
                w.put_data(#data_prefix, &self.#name.0);
            });
            parts.decode.push(quote! {
                let #name: Option<fix_core::value::Data> = __l.required(&mut __e, #data_slot, #data_tag);
            });
            parts.required.push(quote!(#name));
            parts
                .args
                .push(quote!(#name: impl Into<fix_core::value::Data>));
            parts.inits.push(quote!(#name: #name.into(),));
            return;
        }
        parts.decls.push(quote! {
            #[doc = #doc]
            #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
            pub #name: Option<fix_core::value::Data>,
        });
        parts.encode.push(quote! {
            if let Some(v) = &self.#name {
                w.put_u64(#len_prefix, v.0.len() as u64);
                w.put_data(#data_prefix, &v.0);
            }
        });
        parts.decode.push(quote! {
            let #name: Option<fix_core::value::Data> = __l.opt(&mut __e, #data_slot, #data_tag);
        });
        parts.inits.push(quote!(#name: None,));
        let with = with_name(&name);
        let bdoc = format!("Sets `{}` ({}).", data.name, data.tag);
        parts.builders.push(quote! {
            #[doc = #bdoc]
            pub fn #with(mut self, value: impl Into<Vec<u8>>) -> Self {
                self.#name = Some(fix_core::value::Data(value.into()));
                self
            }
        });
    }

    /// A field of any other type, one member.
    fn value(&mut self, f: &Field, required: bool) {
        let name = self.claim(&f.name);
        let ty = value_type(f, self.names, self.place);
        let slot = self.slot;
        let prefix = Literal::byte_string(format!("{}=", f.tag).as_bytes());
        let tag = Literal::u32_unsuffixed(f.tag);
        let doc = field_doc(f, required);
        let string = is_string(f);
        // Generic, so a constructor argument or a builder costs nothing to compile until
        // someone calls it.
        let arg = if string {
            quote!(impl Into<String>)
        } else {
            quote!(impl Into<#ty>)
        };
        let parts = &mut self.parts;
        parts.names.push(quote!(#name));
        if required {
            let put = if string { quote!(put_str) } else { quote!(put) };
            parts.decls.push(quote!(#[doc = #doc] pub #name: #ty,));
            parts.encode.push(quote!(w.#put(#prefix, &self.#name);));
            parts
                .decode
                .push(quote!(let #name: Option<#ty> = __l.required(&mut __e, #slot, #tag);));
            parts.required.push(quote!(#name));
            parts.args.push(quote!(#name: #arg));
            parts.inits.push(quote!(#name: #name.into(),));
            return;
        }
        parts.decls.push(quote! {
            #[doc = #doc]
            #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
            pub #name: Option<#ty>,
        });
        let put_opt = if string {
            quote!(put_str_opt)
        } else {
            quote!(put_opt)
        };
        parts.encode.push(quote!(w.#put_opt(#prefix, &self.#name);));
        parts
            .decode
            .push(quote!(let #name: Option<#ty> = __l.opt(&mut __e, #slot, #tag);));
        parts.inits.push(quote!(#name: None,));
        let with = with_name(&name);
        let bdoc = format!("Sets `{}` ({}).", f.name, f.tag);
        parts.builders.push(quote! {
            #[doc = #bdoc]
            pub fn #with(mut self, value: #arg) -> Self {
                self.#name = Some(value.into());
                self
            }
        });
    }

    /// Component `index`, one boxed member: FIX 5.0 messages nest large components several
    /// levels deep, and inline they would make structs (and debug-build stack frames) huge.
    fn component(&mut self, index: usize, required: bool) {
        let model = self.model;
        let component = model.components.get(index);
        let n = component.map_or(0, |c| flat_len(model, &c.items));
        let cname = component.map(|c| c.name.clone()).unwrap_or_default();
        let name = self.claim(&cname);
        let ty = ident(
            self.names
                .components
                .get(index)
                .map(String::as_str)
                .unwrap_or("Missing"),
        );
        let doc = format!("Component `{}`, {}.", cname, req_text(required));
        let (slot, end) = (self.slot, self.slot + n);
        self.slot = end;
        let p = &self.p;
        let parts = &mut self.parts;
        parts.names.push(quote!(#name));
        if required {
            parts
                .decls
                .push(quote!(#[doc = #doc] pub #name: Box<#p components::#ty>,));
            parts
                .encode
                .push(quote!(fix_core::Fields::encode_fields(self.#name.as_ref(), w);));
            parts.decode.push(quote! {
                let #name: Option<Box<#p components::#ty>> = __l.required_component(&mut __e, #slot);
            });
            parts.required.push(quote!(#name));
            parts
                .args
                .push(quote!(#name: impl Into<#p components::#ty>));
            parts.inits.push(quote!(#name: Box::new(#name.into()),));
            return;
        }
        parts.decls.push(quote! {
            #[doc = #doc]
            #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
            pub #name: Option<Box<#p components::#ty>>,
        });
        parts.encode.push(quote!(w.put_component(&self.#name);));
        parts.decode.push(quote! {
            let #name: Option<Box<#p components::#ty>> = __l.component(&mut __e, #slot, #end);
        });
        parts.inits.push(quote!(#name: None,));
        let with = with_name(&name);
        let bdoc = format!("Sets component `{cname}`.");
        parts.builders.push(quote! {
            #[doc = #bdoc]
            pub fn #with(mut self, value: impl Into<#p components::#ty>) -> Self {
                self.#name = Some(Box::new(value.into()));
                self
            }
        });
    }

    /// Repeating group `g`, one member: a list of entries.
    fn group(&mut self, g: &Group) {
        let gname = self
            .model
            .field(g.tag)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| format!("Group{}", g.tag));
        let name = self.claim(&gname);
        let ty = ident(
            self.names
                .groups
                .get(g)
                .map(String::as_str)
                .unwrap_or("Missing"),
        );
        let prefix = Literal::byte_string(format!("{}=", g.tag).as_bytes());
        let doc = format!(
            "Repeating group `{}` ({}), {}: one entry per element; the count is written from the length.",
            gname,
            g.tag,
            req_text(g.required)
        );
        let slot = self.slot;
        self.slot += 1;
        let p = &self.p;
        let parts = &mut self.parts;
        parts.decls.push(quote! {
            #[doc = #doc]
            #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
            pub #name: Vec<#p groups::#ty>,
        });
        parts.names.push(quote!(#name));
        // A required group is written even when empty (count 0).
        let required = g.required;
        parts
            .encode
            .push(quote!(w.put_group(#prefix, &self.#name, #required);));
        parts.decode.push(quote! {
            let #name: Vec<#p groups::#ty> = __l.entries(&mut __e, #slot);
        });
        parts.inits.push(quote!(#name: Vec::new(),));
        let with = with_name(&name);
        let bdoc = format!("Sets the entries of group `{gname}`.");
        parts.builders.push(quote! {
            #[doc = #bdoc]
            pub fn #with(mut self, entries: impl IntoIterator<Item = #p groups::#ty>) -> Self {
                self.#name = entries.into_iter().collect();
                self
            }
        });
    }
}
