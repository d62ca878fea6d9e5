//! The dictionary as `static` tables: `pub static DICTIONARY: fix_core::Dictionary`.
//!
//! Group entry layouts are emitted once each as `static` arrays and shared by every message
//! that uses them, which keeps the tables (and compile time) small for FIX 5.0SP2.

use std::collections::HashMap;

use fix_core::dict::{Dictionary, Layout, Member};
use fix_core::FieldType;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ident;

struct Shared {
    /// Debug text of a layout -> name of its static.
    seen: HashMap<String, String>,
    statics: TokenStream,
}

fn field_type(t: FieldType) -> TokenStream {
    let name = ident(&format!("{t:?}"));
    quote!(fix_core::FieldType::#name)
}

fn layout(l: &Layout, shared: &mut Shared) -> TokenStream {
    let key = format!("{l:?}");
    if let Some(name) = shared.seen.get(&key) {
        let m = ident(&format!("{name}_MEMBERS"));
        let x = ident(&format!("{name}_INDEX"));
        return quote!(fix_core::dict::Layout { members: std::borrow::Cow::Borrowed(&#m), index: std::borrow::Cow::Borrowed(&#x) });
    }
    let members: Vec<TokenStream> = l
        .members
        .iter()
        .map(|m| match m {
            Member::Field { tag, required } => quote!(fix_core::dict::Member::Field { tag: #tag, required: #required }),
            Member::Group { tag, required, delimiter, entry } => {
                let e = layout(entry, shared);
                quote!(fix_core::dict::Member::Group { tag: #tag, required: #required, delimiter: #delimiter, entry: #e })
            }
        })
        .collect();
    let index = l.index.iter().map(|(t, s)| quote!((#t, #s)));
    let name = format!("L{}", shared.seen.len());
    let m = ident(&format!("{name}_MEMBERS"));
    let x = ident(&format!("{name}_INDEX"));
    let n = Literal::usize_unsuffixed(members.len());
    let ni = Literal::usize_unsuffixed(l.index.len());
    shared.statics.extend(quote! {
        pub(super) static #m: [fix_core::dict::Member; #n] = [#(#members),*];
        pub(super) static #x: [(fix_core::Tag, u16); #ni] = [#(#index),*];
    });
    shared.seen.insert(key, name);
    quote!(fix_core::dict::Layout { members: std::borrow::Cow::Borrowed(&#m), index: std::borrow::Cow::Borrowed(&#x) })
}

/// `DICTIONARY` and the unit type `Tables` implementing `fix_core::DataDictionary`.
pub(super) fn dictionary(d: &Dictionary) -> TokenStream {
    let mut shared = Shared { seen: HashMap::new(), statics: TokenStream::new() };
    let fields = d.fields.iter().map(|f| {
        let tag = f.tag;
        let name = f.name.as_ref();
        let ty = field_type(f.field_type);
        let values = f.values.iter().map(|v| {
            let (val, desc) = (v.value.as_ref(), v.description.as_ref());
            quote!(fix_core::dict::EnumValue { value: std::borrow::Cow::Borrowed(#val), description: std::borrow::Cow::Borrowed(#desc) })
        });
        quote! {
            fix_core::dict::FieldDef {
                tag: #tag,
                name: std::borrow::Cow::Borrowed(#name),
                field_type: #ty,
                values: std::borrow::Cow::Borrowed(&[#(#values),*]),
            }
        }
    });
    let header = layout(&d.header, &mut shared);
    let trailer = layout(&d.trailer, &mut shared);
    let messages: Vec<TokenStream> = d
        .messages
        .iter()
        .map(|m| {
            let (mt, name, admin) = (m.msg_type.as_ref(), m.name.as_ref(), m.admin);
            let body = layout(&m.body, &mut shared);
            quote! {
                fix_core::dict::MessageDef {
                    msg_type: std::borrow::Cow::Borrowed(#mt),
                    name: std::borrow::Cow::Borrowed(#name),
                    admin: #admin,
                    body: #body,
                }
            }
        })
        .collect();
    let begin_string = d.begin_string.as_ref();
    let appl = match &d.appl_ver_id {
        Some(v) => {
            let v = v.as_ref();
            quote!(Some(std::borrow::Cow::Borrowed(#v)))
        }
        None => quote!(None),
    };
    let statics = shared.statics;
    let nf = Literal::usize_unsuffixed(d.fields.len());
    let nm = Literal::usize_unsuffixed(messages.len());
    quote! {
        /// Tables of layouts shared by the dictionary's messages.
        #[allow(missing_docs)]
        mod layouts {
            #statics
        }
        #[allow(unused_imports)]
        use layouts::*;

        static FIELD_DEFS: [fix_core::dict::FieldDef; #nf] = [#(#fields),*];
        static MESSAGE_DEFS: [fix_core::dict::MessageDef; #nm] = [#(#messages),*];

        /// This dictionary as tables, for validation by version-agnostic code such as the
        /// session engine.
        pub static DICTIONARY: fix_core::Dictionary = fix_core::Dictionary {
            begin_string: std::borrow::Cow::Borrowed(#begin_string),
            appl_ver_id: #appl,
            fields: std::borrow::Cow::Borrowed(&FIELD_DEFS),
            header: #header,
            trailer: #trailer,
            messages: std::borrow::Cow::Borrowed(&MESSAGE_DEFS),
        };

        /// A handle on [`DICTIONARY`] for code that takes any `fix_core::DataDictionary`.
        #[derive(Debug, Clone, Copy, Default)]
        pub struct Tables;

        impl fix_core::DataDictionary for Tables {
            fn tables(&self) -> &fix_core::Dictionary {
                &DICTIONARY
            }
        }
    }
}
