//! Zero-copy typed views: a `…Ref` type per message, component and group entry that reads
//! its fields by slot from a decoded `fix_core::MessageView`, and the `MessageRef` enum that
//! dispatches on MsgType.
//!
//! Every accessor is one slot lookup in the view's index and a parse of the value's bytes
//! (text and DATA are borrowed): no search, no allocation (enumerations allocate only for a
//! value the dictionary does not list).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::members::{members, Member};
use super::structs::{leading_framing, strip_checksum, strip_leading, value_type, Place};
use super::{field_doc, ident, req_text, Names};
use crate::layout::flat_len;
use crate::model::{Field, Item, Model};
use crate::names::{member_name, Unique};

/// The name of the view of the generated type `name`.
pub(super) fn view_name(name: &str) -> String {
    format!("{name}Ref")
}

/// The type a view's accessor returns for a field (before `Option` for optional ones).
fn view_type(f: &Field, names: &Names, place: Place) -> TokenStream {
    if f.field_type.is_data() {
        return quote!(&'a [u8]);
    }
    let ty = value_type(f, names, place);
    if ty.to_string() == "String" {
        quote!(&'a str)
    } else {
        ty
    }
}

/// The accessors of `items`, reading from `self.level()`. `lt` is the lifetime of the
/// level's borrow of the view: `'v` in component and group views, `'_` in message views.
/// The accessors of `items` and the owned struct's member initializers read through them.
fn accessors(
    items: &[Item],
    model: &Model,
    names: &Names,
    place: Place,
    lt: &TokenStream,
) -> (TokenStream, Vec<TokenStream>) {
    let p = place.prefix();
    // The owned struct's member names, claimed as `structs` claims them.
    let mut owned_used = Unique::with_reserved(&["new", "encode", "decode"]);
    let mut inits = Vec::new();
    let mut used = Unique::with_reserved(&[
        "new",
        "level",
        "body",
        "header",
        "trailer",
        "view",
        "into_view",
        "to_owned",
        "missing_required",
    ]);
    let mut out = TokenStream::new();
    for m in members(items, model) {
        out.extend(match m {
            Member::Field {
                field,
                required,
                slot,
            } => {
                let name = ident(&used.claim(member_name(&field.name), None));
                let owned = ident(&owned_used.claim(member_name(&field.name), None));
                inits.push(owned_init(&owned, &name, required, field_conv(field, names, place)));
                let ty = view_type(field, names, place);
                let doc = field_doc(field, required);
                field_accessor(&name, &doc, &ty, required, slot)
            }
            Member::Data {
                data,
                length,
                required,
                slot,
            } => {
                let name = ident(&used.claim(member_name(&data.name), None));
                let owned = ident(&owned_used.claim(member_name(&data.name), None));
                inits.push(owned_init(&owned, &name, required, Conv::Data));
                let doc = format!(
                    "`{}` ({}), {}, {}; its length is `{}` ({}).",
                    data.name,
                    data.tag,
                    data.field_type.dictionary_name(),
                    req_text(required),
                    length.name,
                    length.tag
                );
                field_accessor(&name, &doc, &quote!(&'a [u8]), required, slot)
            }
            Member::Component {
                index,
                required,
                slot,
                end,
            } => {
                let cname = model
                    .components
                    .get(index)
                    .map(|c| c.name.as_str())
                    .unwrap_or_default();
                let name = ident(&used.claim(member_name(cname), None));
                let owned = ident(&owned_used.claim(member_name(cname), None));
                inits.push(owned_init(
                    &owned,
                    &name,
                    required,
                    Conv::Boxed,
                ));
                let ty = ident(&view_name(
                    names
                        .components
                        .get(index)
                        .map(String::as_str)
                        .unwrap_or("Missing"),
                ));
                let doc = format!("Component `{}`, {}.", cname, req_text(required));
                if required {
                    quote! {
                        #[doc = #doc]
                        #[inline]
                        pub fn #name(&self) -> #p components::#ty<#lt, 'a> {
                            #p components::#ty::new(self.level().sub(#slot))
                        }
                    }
                } else {
                    let present = format!(
                        "{doc} `None` when none of its fields is present (slots {slot} to {end})."
                    );
                    quote! {
                        #[doc = #present]
                        #[inline]
                        pub fn #name(&self) -> Option<#p components::#ty<#lt, 'a>> {
                            let l = self.level();
                            l.any(#slot..#end).then(|| #p components::#ty::new(l.sub(#slot)))
                        }
                    }
                }
            }
            Member::Group { group, slot } => {
                let gname = model
                    .field(group.tag)
                    .map(|f| f.name.clone())
                    .unwrap_or_else(|| format!("Group{}", group.tag));
                let name = ident(&used.claim(member_name(&gname), None));
                let owned = ident(&owned_used.claim(member_name(&gname), None));
                inits.push(quote!(#owned: self.#name().map(|e| e.to_owned()).collect(),));
                let ty = ident(&view_name(
                    names
                        .groups
                        .get(group)
                        .map(String::as_str)
                        .unwrap_or("Missing"),
                ));
                let doc = format!(
                    "Repeating group `{}` ({}), {}: its entries in order (none when absent).",
                    gname,
                    group.tag,
                    req_text(group.required)
                );
                quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #name(&self) -> impl ExactSizeIterator<Item = #p groups::#ty<#lt, 'a>> + #lt {
                        self.level().group(#slot).map(#p groups::#ty::new)
                    }
                }
            }
        });
    }
    (out, inits)
}

/// How a view's value becomes the owned struct's.
#[derive(Clone, Copy)]
enum Conv {
    Same,
    Text,
    Data,
    Boxed,
}

/// The initializer of owned member `owned` from accessor `name`.
fn owned_init(
    owned: &proc_macro2::Ident,
    name: &proc_macro2::Ident,
    required: bool,
    conv: Conv,
) -> TokenStream {
    let value = quote!(self.#name());
    let init = match (conv, required) {
        (Conv::Same, _) => value,
        (Conv::Text, true) => quote!(String::from(#value)),
        (Conv::Text, false) => quote!(#value.map(String::from)),
        (Conv::Data, true) => quote!(fix_core::value::Data(#value.to_vec())),
        (Conv::Data, false) => quote!(#value.map(|v| fix_core::value::Data(v.to_vec()))),
        (Conv::Boxed, true) => quote!(Box::new(#value.to_owned())),
        (Conv::Boxed, false) => quote!(#value.map(|c| Box::new(c.to_owned()))),
    };
    quote!(#owned: #init,)
}

/// The conversion from a field's view type to its owned type.
fn field_conv(f: &Field, names: &Names, place: Place) -> Conv {
    if f.field_type.is_data() {
        Conv::Data
    } else if value_type(f, names, place).to_string() == "String" {
        Conv::Text
    } else {
        Conv::Same
    }
}

fn field_accessor(
    name: &proc_macro2::Ident,
    doc: &str,
    ty: &TokenStream,
    required: bool,
    slot: usize,
) -> TokenStream {
    if required {
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn #name(&self) -> #ty {
                self.level().read_req(#slot)
            }
        }
    } else {
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn #name(&self) -> Option<#ty> {
                self.level().read(#slot)
            }
        }
    }
}

/// The view of a component, group entry, header or trailer: a `Level` and its accessors.
fn level_view(
    owned: &str,
    doc: &str,
    items: &[Item],
    model: &Model,
    names: &Names,
    place: Place,
) -> TokenStream {
    let ty = ident(&view_name(owned));
    let owned = ident(owned);
    let doc = format!("{doc} Zero-copy view: reads each field from the decoded message on access.");
    let (accessors, inits) = accessors(items, model, names, place, &quote!('v));
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy)]
        pub struct #ty<'v, 'a> {
            level: fix_core::Level<'v, 'a>,
        }

        impl<'v, 'a> #ty<'v, 'a> {
            /// The view of `level`, whose slots follow this type's layout.
            #[inline]
            pub fn new(level: fix_core::Level<'v, 'a>) -> Self {
                #ty { level }
            }

            /// The level the fields are read from, by slot.
            #[inline]
            pub fn level(&self) -> fix_core::Level<'v, 'a> {
                self.level
            }

            /// The owned value, read through the accessors (see `MessageRef::to_owned`).
            pub fn to_owned(self) -> #owned {
                #owned { #(#inits)* }
            }

            #accessors
        }
    }
}

/// A view per component.
pub(super) fn components(model: &Model, names: &Names) -> TokenStream {
    let mut out = TokenStream::new();
    for (c, name) in model.components.iter().zip(&names.components) {
        let doc = format!("Component `{}`.", c.name);
        out.extend(level_view(
            name,
            &doc,
            &c.items,
            model,
            names,
            Place::Module,
        ));
    }
    out
}

/// A view per group entry.
pub(super) fn groups(model: &Model, names: &Names) -> TokenStream {
    let mut out = TokenStream::new();
    for g in &names.group_order {
        let Some(name) = names.groups.get(g) else {
            continue;
        };
        let gname = model.field(g.tag).map(|f| f.name.as_str()).unwrap_or("?");
        let doc = format!("One entry of repeating group `{}` ({}).", gname, g.tag);
        out.extend(level_view(
            name,
            &doc,
            &g.items,
            model,
            names,
            Place::Module,
        ));
    }
    out
}

/// A view per message, the header's and trailer's, and `MessageRef`.
pub(super) fn messages(model: &Model, names: &Names) -> TokenStream {
    let mut out = TokenStream::new();
    out.extend(level_view(
        "Header",
        "The standard header, without BeginString, BodyLength and MsgType.",
        &strip_leading(&model.header),
        model,
        names,
        Place::Top,
    ));
    out.extend(level_view(
        "Trailer",
        "The standard trailer, without CheckSum.",
        &strip_checksum(&model.trailer),
        model,
        names,
        Place::Top,
    ));
    let skipped = leading_framing(&model.header);
    for (m, name) in model.messages.iter().zip(&names.messages) {
        let ty = ident(&view_name(name));
        let owned = ident(name);
        let doc = format!(
            "`{}` (MsgType `{}`): a zero-copy view of a decoded message, reading each field on access.",
            m.name, m.msg_type
        );
        let (accessors, inits) = accessors(&m.items, model, names, Place::Top, &quote!('_));
        out.extend(quote! {
            #[doc = #doc]
            #[derive(Debug)]
            pub struct #ty<'a> {
                view: fix_core::MessageView<'a>,
            }

            impl<'a> #ty<'a> {
                /// The body, read by slot.
                #[inline]
                pub fn level(&self) -> fix_core::Level<'_, 'a> {
                    self.view.body()
                }

                /// The standard header.
                #[inline]
                pub fn header(&self) -> HeaderRef<'_, 'a> {
                    HeaderRef::new(self.view.header().sub(#skipped))
                }

                /// The standard trailer.
                #[inline]
                pub fn trailer(&self) -> TrailerRef<'_, 'a> {
                    TrailerRef::new(self.view.trailer())
                }

                /// The decoded message underneath.
                #[inline]
                pub fn view(&self) -> &fix_core::MessageView<'a> {
                    &self.view
                }

                /// The decoded message underneath, by value.
                #[inline]
                pub fn into_view(self) -> fix_core::MessageView<'a> {
                    self.view
                }

                /// The first required field of the header, body or trailer the message
                /// lacks (possible when decoded with relaxed options); `None` when complete.
                pub fn missing_required(&self) -> Option<fix_core::Tag> {
                    self.view.missing_required()
                }

                /// The owned message, read through the accessors (see `MessageRef::to_owned`).
                pub fn to_owned(&self) -> #owned {
                    #owned { #(#inits)* }
                }

                #accessors
            }
        });
    }
    out.extend(message_ref(model, names));
    out
}

/// `MessageRef`: the view of any message of this dictionary by MsgType.
fn message_ref(model: &Model, names: &Names) -> TokenStream {
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut views = Vec::new();
    let mut intos = Vec::new();
    let mut owneds = Vec::new();
    for (m, name) in model.messages.iter().zip(&names.messages) {
        let var = ident(name);
        let ty = ident(&view_name(name));
        let doc = format!("`{}` (MsgType `{}`).", m.name, m.msg_type);
        variants.push(quote!(#[doc = #doc] #var(#ty<'a>),));
        let mt = Literal::byte_string(m.msg_type.as_bytes());
        let body_len = flat_len(model, &m.items);
        arms.push(quote! {
            #mt if fits(&view, #body_len) => MessageRef::#var(#ty { view }),
        });
        views.push(quote!(MessageRef::#var(m) => &m.view,));
        intos.push(quote!(MessageRef::#var(m) => m.view,));
        owneds.push(quote!(MessageRef::#var(m) => Message::#var(Box::new(m.to_owned())),));
    }
    let header_len = flat_len(model, &model.header);
    let skipped = leading_framing(&model.header);
    let trailer_len = flat_len(model, &model.trailer);
    quote! {
        /// Any message of this dictionary as a zero-copy typed view, by MsgType.
        #[derive(Debug)]
        pub enum MessageRef<'a> {
            #(#variants)*
            /// A MsgType this dictionary does not define (or a view decoded with a dictionary
            /// of another layout), as the raw view.
            Unknown(fix_core::MessageView<'a>),
        }

        /// Whether `view` was decoded with a dictionary whose header, trailer and message
        /// layouts are this one's (`body_len` slots for its MsgType).
        fn fits(view: &fix_core::MessageView<'_>, body_len: usize) -> bool {
            let dict = view.dictionary();
            std::ptr::eq(dict, &*DICTIONARY)
                || (dict.header.members.len() == #header_len
                    && dict.trailer.members.len() == #trailer_len
                    && view.message_def().is_some_and(|m| m.body.members.len() == body_len))
        }

        impl<'a> MessageRef<'a> {
            /// The typed view of a decoded message (decode with [`DICTIONARY`]).
            pub fn from_view(view: fix_core::MessageView<'a>) -> Self {
                match view.msg_type() {
                    #(#arms)*
                    _ => MessageRef::Unknown(view),
                }
            }

            /// Decodes the message at the start of `buf` with [`DICTIONARY`] into `decoder`'s
            /// buffers and views it. Dictionary problems are in `view().problem()`.
            pub fn decode(
                decoder: &'a mut fix_core::Decoder,
                buf: &'a [u8],
                options: &fix_core::ValidationOptions,
            ) -> Result<Self, fix_core::frame::FrameError> {
                decoder.decode(buf, &DICTIONARY, options).map(Self::from_view)
            }

            /// The decoded message underneath.
            pub fn view(&self) -> &fix_core::MessageView<'a> {
                match self {
                    #(#views)*
                    MessageRef::Unknown(v) => v,
                }
            }

            /// The decoded message underneath, by value.
            pub fn into_view(self) -> fix_core::MessageView<'a> {
                match self {
                    #(#intos)*
                    MessageRef::Unknown(v) => v,
                }
            }

            /// The standard header.
            pub fn header(&self) -> HeaderRef<'_, 'a> {
                HeaderRef::new(self.view().header().sub(#skipped))
            }

            /// The owned header and message, read through the views' accessors: on a view
            /// decoded with the default options, what `Message::from_view` decodes. On a
            /// view that did not check values or required fields (relaxed options), a
            /// malformed optional field is `None` and a missing required one holds its
            /// type's `fix_core::ViewValue::missing` value (see `missing_required`).
            pub fn to_owned(&self) -> (Header, Message) {
                let message = match self {
                    #(#owneds)*
                    MessageRef::Unknown(v) => Message::Unknown(fix_core::raw::RawMessage::from_view(v)),
                };
                (self.header().to_owned(), message)
            }

            /// The first required field of the header, body or trailer the message lacks
            /// (possible when decoded with relaxed options); `None` when complete.
            pub fn missing_required(&self) -> Option<fix_core::Tag> {
                self.view().missing_required()
            }
        }

        impl<'a> fix_core::AnyMessageRef<'a> for MessageRef<'a> {
            type Message = Message;
            fn from_view(view: fix_core::MessageView<'a>) -> Self {
                MessageRef::from_view(view)
            }
            fn view(&self) -> &fix_core::MessageView<'a> {
                MessageRef::view(self)
            }
            fn into_view(self) -> fix_core::MessageView<'a> {
                MessageRef::into_view(self)
            }
            fn is_known(&self) -> bool {
                !matches!(self, MessageRef::Unknown(_))
            }
            fn to_owned(&self) -> (Header, Message) {
                MessageRef::to_owned(self)
            }
        }
    }
}
