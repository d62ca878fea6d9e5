//! Tag constants and field enums.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{has_enum, ident, serde_derives, Names};
use crate::model::Model;
use crate::names::{const_name, variant_name, Unique};

/// `pub const CL_ORD_ID: Tag = 11;` for every field.
pub(super) fn tags(model: &Model) -> TokenStream {
    let mut names = Unique::default();
    let items = model.fields.iter().map(|f| {
        let name = ident(&names.claim(const_name(&f.name), None));
        let tag = Literal::u32_unsuffixed(f.tag);
        let doc = format!(
            "`{}` ({}), type {}.",
            f.name,
            f.tag,
            f.field_type.dictionary_name()
        );
        quote! {
            #[doc = #doc]
            pub const #name: fix_core::Tag = #tag;
        }
    });
    quote!(#(#items)*)
}

/// An enum per enumerated field.
pub(super) fn enums(model: &Model, names: &Names) -> TokenStream {
    let mut out = TokenStream::new();
    for f in model.fields.iter().filter(|f| has_enum(f)) {
        let Some(name) = names.enums.get(&f.tag) else {
            continue;
        };
        let ty = ident(name);
        let mut variants = Unique::with_reserved(&["Unlisted"]);
        let mut decls = Vec::new();
        let mut to_wire = Vec::new();
        let mut to_word = Vec::new();
        let mut words = Vec::new();
        let mut from_wire = Vec::new();
        for v in &f.values {
            let var =
                ident(&variants.claim(variant_name(&v.description, &v.value), Some(&v.value)));
            let doc = format!("`{}`: {}", v.value, v.description);
            let wire = &v.value;
            let wire_bytes = Literal::byte_string(wire.as_bytes());
            decls.push(quote!(#[doc = #doc] #var,));
            to_wire.push(quote!(#ty::#var => #wire,));
            // Up to 7 bytes: the text and SOH as one little-endian word.
            let packed = if wire.len() < 8 {
                let word = wire
                    .bytes()
                    .chain([1u8])
                    .enumerate()
                    .fold(0u64, |w, (i, b)| w | u64::from(b) << (8 * i));
                let word = Literal::u64_suffixed(word);
                let len = Literal::usize_suffixed(wire.len() + 1);
                quote!(Ok((#word, #len)))
            } else {
                quote!(Err(#wire))
            };
            let index = Literal::usize_unsuffixed(to_word.len());
            words.push(packed);
            to_word.push(quote!(#ty::#var => #index,));
            from_wire.push(quote!(#wire_bytes => #ty::#var,));
        }
        let doc = format!(
            "Values of `{}` ({}), type {}.",
            f.name,
            f.tag,
            f.field_type.dictionary_name()
        );
        let count = Literal::usize_unsuffixed(words.len());
        let serde = serde_derives();
        out.extend(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #serde
            pub enum #ty {
                #(#decls)*
                /// A value the dictionary does not list, kept as received.
                Unlisted(String),
            }

            impl #ty {
                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#to_wire)*
                        #ty::Unlisted(s) => s,
                    }
                }

                /// For writing: the wire text followed by SOH, packed in a little-endian
                /// word with its length (SOH included), for values of up to 7 bytes; the
                /// text of longer and unlisted values.
                #[inline]
                pub fn wire_word(&self) -> Result<(u64, usize), &str> {
                    static WORDS: [Result<(u64, usize), &str>; #count] = [#(#words),*];
                    let i = match self {
                        #(#to_word)*
                        #ty::Unlisted(s) => return Err(s),
                    };
                    WORDS[i]
                }
            }

            impl fix_core::FixValue for #ty {
                fn write(&self, out: &mut Vec<u8>) {
                    out.extend_from_slice(self.as_str().as_bytes());
                }
                #[inline]
                fn put_field(&self, w: &mut fix_core::Writer<'_>, prefix: &[u8]) {
                    w.put_enum(prefix, self.wire_word());
                }
                fn parse(bytes: &[u8]) -> Result<Self, fix_core::ValueError> {
                    Ok(match bytes {
                        #(#from_wire)*
                        _ => #ty::Unlisted(<String as fix_core::FixValue>::parse(bytes)?),
                    })
                }
            }

            impl<'a> fix_core::ViewValue<'a> for #ty {
                #[inline]
                fn read(bytes: &'a [u8]) -> Option<Self> {
                    <Self as fix_core::FixValue>::parse(bytes).ok()
                }
                fn missing() -> Self {
                    #ty::Unlisted(String::new())
                }
            }

            impl std::fmt::Display for #ty {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        });
    }
    out
}
