//! The dictionary as compact `static` tables (`fix_core::spec::DictionarySpec`, components
//! kept nested) and `pub static DICTIONARY`, the flat tables built from them at first use.
//!
//! Nested tables are a fraction of the size of flattened ones (FIX 5.0SP2 expands components
//! into every message), which keeps the generated crates quick to compile.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ident;
use crate::model::{Item, Model};

fn items(list: &[Item]) -> TokenStream {
    let parts = list.iter().map(|it| match it {
        Item::Field { tag, required } => quote!(F(#tag, #required)),
        Item::Component { index, required } => {
            let i = *index as u32;
            quote!(C(#i, #required))
        }
        Item::Group(g) => {
            let (tag, required) = (g.tag, g.required);
            let inner = items(&g.items);
            quote!(G(#tag, #required, &[#inner]))
        }
    });
    quote!(#(#parts),*)
}

/// `DICTIONARY` and the unit type `Tables` implementing `fix_core::DataDictionary`.
pub(super) fn dictionary(model: &Model) -> TokenStream {
    let fields = model.fields.iter().map(|f| {
        let (tag, name) = (f.tag, f.name.as_str());
        let ty = ident(&format!("{:?}", f.field_type));
        let mut values: Vec<(&str, &str)> = f
            .values
            .iter()
            .map(|v| (v.value.as_str(), v.description.as_str()))
            .collect();
        values.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let values = values.iter().map(|(v, d)| quote!((#v, #d)));
        quote!(FieldSpec::new(#tag, #name, T::#ty, &[#(#values),*]))
    });
    let components = model.components.iter().map(|c| {
        let inner = items(&c.items);
        quote!(&[#inner])
    });
    let messages = model.messages.iter().map(|m| {
        let (mt, name, admin) = (m.msg_type.as_str(), m.name.as_str(), m.admin);
        let inner = items(&m.items);
        quote!(MessageSpec { msg_type: #mt, name: #name, admin: #admin, items: &[#inner] })
    });
    let header = items(&model.header);
    let trailer = items(&model.trailer);
    let begin_string = model.begin_string();
    let appl = match model.appl_ver_id() {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let nf = Literal::usize_unsuffixed(model.fields.len());
    let nc = Literal::usize_unsuffixed(model.components.len());
    let nm = Literal::usize_unsuffixed(model.messages.len());
    quote! {
        /// The dictionary in nested form, as written in the XML.
        mod spec {
            #[allow(unused_imports)]
            use fix_core::spec::ItemSpec::{C, F, G};
            use fix_core::spec::{DictionarySpec, FieldSpec, ItemSpec, MessageSpec};
            use fix_core::FieldType as T;

            static FIELDS: [FieldSpec; #nf] = [#(#fields),*];
            static COMPONENTS: [&[ItemSpec]; #nc] = [#(#components),*];
            static MESSAGES: [MessageSpec; #nm] = [#(#messages),*];

            pub(super) static SPEC: DictionarySpec = DictionarySpec {
                begin_string: #begin_string,
                appl_ver_id: #appl,
                fields: &FIELDS,
                components: &COMPONENTS,
                header: &[#header],
                trailer: &[#trailer],
                messages: &MESSAGES,
            };
        }

        /// This dictionary as flat tables, for validation by version-agnostic code such as
        /// the session engine. Built from the embedded tables on first use.
        pub static DICTIONARY: std::sync::LazyLock<fix_core::Dictionary> = std::sync::LazyLock::new(|| spec::SPEC.build());

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
