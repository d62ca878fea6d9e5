//! Structs for messages, components and group entries, with their encode and decode code,
//! and the `Message` enum.

use fix_core::FieldType;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::struct_members::{members, Parts};
use super::{has_enum, ident, serde_derives, Names};
use crate::model::{Field, Item, Model};

/// Path prefix from where the code sits to the generated file's top level.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Top,
    Module,
}

impl Place {
    pub(super) fn prefix(self) -> TokenStream {
        match self {
            Place::Top => quote!(),
            Place::Module => quote!(super::),
        }
    }
}

/// The Rust type of a field's value.
pub(super) fn value_type(f: &Field, names: &Names, place: Place) -> TokenStream {
    let p = place.prefix();
    if has_enum(f) {
        if let Some(n) = names.enums.get(&f.tag) {
            let n = ident(n);
            if f.field_type.is_multiple() {
                return quote!(fix_core::value::MultipleValues<#p fields::#n>);
            }
            return quote!(#p fields::#n);
        }
    }
    match f.field_type {
        FieldType::Int => quote!(i64),
        FieldType::SeqNum => quote!(u64),
        FieldType::Length | FieldType::NumInGroup | FieldType::TagNum | FieldType::DayOfMonth => {
            quote!(u32)
        }
        FieldType::Float
        | FieldType::Price
        | FieldType::Qty
        | FieldType::Amt
        | FieldType::PriceOffset
        | FieldType::Percentage => quote!(fix_core::__private::Decimal),
        FieldType::Char => quote!(char),
        FieldType::Boolean => quote!(bool),
        FieldType::MultipleCharValue => quote!(fix_core::value::MultipleValues<char>),
        FieldType::MultipleValueString | FieldType::MultipleStringValue => {
            quote!(fix_core::value::MultipleValues<String>)
        }
        FieldType::Data | FieldType::XmlData => quote!(fix_core::value::Data),
        FieldType::UtcTimestamp => quote!(fix_core::value::UtcTimestamp),
        FieldType::UtcTimeOnly => quote!(fix_core::value::UtcTimeOnly),
        FieldType::UtcDateOnly => quote!(fix_core::value::UtcDateOnly),
        FieldType::LocalMktDate => quote!(fix_core::value::LocalMktDate),
        FieldType::LocalMktTime => quote!(fix_core::value::LocalMktTime),
        FieldType::MonthYear => quote!(fix_core::value::MonthYear),
        FieldType::TzTimeOnly => quote!(fix_core::value::TzTimeOnly),
        FieldType::TzTimestamp => quote!(fix_core::value::TzTimestamp),
        _ => quote!(String),
    }
}

/// A struct with its constructor, builders and `Fields` impl.
fn fields_struct(
    name: &str,
    doc: &str,
    items: &[Item],
    model: &Model,
    names: &Names,
    place: Place,
) -> TokenStream {
    let ty = ident(name);
    let Parts {
        decls,
        encode,
        decode,
        required,
        names: member_names,
        args,
        inits,
        builders,
    } = members(items, model, names, place);
    let new_doc = "Creates the value from its required members; optional ones start empty.";
    // Read every member, then build the value if none failed (see `fix_core::Level::opt`).
    let decode_body = if decode.is_empty() {
        quote!(Ok(#ty {}))
    } else {
        quote! {
            let mut __e: Option<fix_core::Invalid> = None;
            #(#decode)*
            match (__e, #(#required),*) {
                (None, #(Some(#required)),*) => Ok(#ty { #(#member_names),* }),
                (__e, ..) => Err(fix_core::view::first_error(__e)),
            }
        }
    };
    let l_param = if decode.is_empty() {
        quote!(_l)
    } else {
        quote!(__l)
    };
    let w_param = if encode.is_empty() {
        quote!(_w)
    } else {
        quote!(w)
    };
    let serde = serde_derives();
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #serde
        pub struct #ty {
            #(#decls)*
        }

        impl #ty {
            #[doc = #new_doc]
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(#(#args),*) -> Self {
                #ty { #(#inits)* }
            }
            #(#builders)*
        }

        impl fix_core::Fields for #ty {
            fn encode_fields(&self, #w_param: &mut fix_core::Writer<'_>) {
                #(#encode)*
            }
            fn decode_fields(#l_param: fix_core::Level<'_, '_>) -> Result<Self, fix_core::Invalid> {
                #decode_body
            }
        }
    }
}

/// A struct per component.
pub(super) fn components(model: &Model, names: &Names) -> TokenStream {
    let mut comps = TokenStream::new();
    for (i, c) in model.components.iter().enumerate() {
        let name = &names.components[i];
        let doc = format!("Component `{}`.", c.name);
        comps.extend(fields_struct(
            name,
            &doc,
            &c.items,
            model,
            names,
            Place::Module,
        ));
    }
    comps
}

/// A struct per group entry.
pub(super) fn groups(model: &Model, names: &Names) -> TokenStream {
    let mut groups = TokenStream::new();
    for g in &names.group_order {
        let name = &names.groups[g];
        let gname = model.field(g.tag).map(|f| f.name.as_str()).unwrap_or("?");
        let delim = model
            .field(g.delimiter)
            .map(|f| f.name.as_str())
            .unwrap_or("?");
        let doc = format!(
            "One entry of repeating group `{}` ({}); each entry starts with `{}` ({}).",
            gname, g.tag, delim, g.delimiter
        );
        groups.extend(fields_struct(
            name,
            &doc,
            &g.items,
            model,
            names,
            Place::Module,
        ));
    }
    groups
}

/// A struct per message, and `Header` and `Trailer`.
pub(super) fn messages(model: &Model, names: &Names) -> TokenStream {
    let mut msgs = TokenStream::new();
    for (i, m) in model.messages.iter().enumerate() {
        let name = &names.messages[i];
        let doc = format!(
            "`{}` (MsgType `{}`), {} message.",
            m.name,
            m.msg_type,
            if m.admin {
                "a session-level (admin)"
            } else {
                "an application"
            }
        );
        msgs.extend(fields_struct(
            name,
            &doc,
            &m.items,
            model,
            names,
            Place::Top,
        ));
        let ty = ident(name);
        let msg_type = &m.msg_type;
        let mname = &m.name;
        let admin = m.admin;
        msgs.extend(quote! {
            impl fix_core::Message for #ty {
                const MSG_TYPE: &'static str = #msg_type;
                const NAME: &'static str = #mname;
                const ADMIN: bool = #admin;
            }

            impl #ty {
                /// Encodes the message with `header` into `buf` (appended), computing
                /// BodyLength and CheckSum. Returns where the message lies in `buf`.
                pub fn encode(&self, header: &Header, buf: &mut Vec<u8>) -> Result<std::ops::Range<usize>, fix_core::EncodeError> {
                    encode_message(#msg_type, header, |w| fix_core::Fields::encode_fields(self, w), buf)
                }
            }

            impl From<#ty> for Message {
                fn from(m: #ty) -> Message {
                    Message::#ty(Box::new(m))
                }
            }
        });
    }
    let header = fields_struct(
        "Header",
        "The standard header, without BeginString, BodyLength and MsgType (written from the message).",
        &strip_leading(&model.header),
        model,
        names,
        Place::Top,
    );
    let trailer = fields_struct(
        "Trailer",
        "The standard trailer, without CheckSum (computed when encoding).",
        &strip_checksum(&model.trailer),
        model,
        names,
        Place::Top,
    );
    msgs.extend(header);
    msgs.extend(trailer);
    msgs
}

/// The header without the leading BeginString, BodyLength and MsgType, which the encoder
/// writes itself. Only leading ones are dropped, so the remaining slots keep their order.
pub(super) fn strip_leading(items: &[Item]) -> Vec<Item> {
    items.iter().skip(leading_framing(items)).cloned().collect()
}

pub(super) fn leading_framing(items: &[Item]) -> usize {
    items
        .iter()
        .take_while(|it| {
            matches!(
                it,
                Item::Field {
                    tag: 8 | 9 | 35,
                    ..
                }
            )
        })
        .count()
}

/// The trailer without a trailing CheckSum, which the encoder computes.
pub(super) fn strip_checksum(items: &[Item]) -> Vec<Item> {
    let mut v = items.to_vec();
    if matches!(v.last(), Some(Item::Field { tag: 10, .. })) {
        v.pop();
    }
    v
}

/// The `Message` enum with decoding by MsgType.
pub(super) fn message_enum(model: &Model, names: &Names) -> TokenStream {
    let variants = model.messages.iter().enumerate().map(|(i, m)| {
        let ty = ident(&names.messages[i]);
        let doc = format!("`{}` (MsgType `{}`).", m.name, m.msg_type);
        quote!(#[doc = #doc] #ty(Box<#ty>),)
    });
    let decodes = model.messages.iter().enumerate().map(|(i, m)| {
        let ty = ident(&names.messages[i]);
        let mt = Literal::byte_string(m.msg_type.as_bytes());
        quote!(#mt => Message::#ty(Box::new(fix_core::Fields::decode_fields(body)?)),)
    });
    let types = model.messages.iter().enumerate().map(|(i, m)| {
        let ty = ident(&names.messages[i]);
        let mt = &m.msg_type;
        quote!(Message::#ty(_) => #mt,)
    });
    let encodes = model.messages.iter().enumerate().map(|(i, _)| {
        let ty = ident(&names.messages[i]);
        quote!(Message::#ty(m) => fix_core::Fields::encode_fields(m.as_ref(), w),)
    });
    // The header's slots start after BeginString, BodyLength and MsgType in the layout.
    let skipped = leading_framing(&model.header);
    let serde = serde_derives();
    quote! {
        /// Any message of this dictionary, decoded by MsgType.
        #[derive(Debug, Clone, PartialEq)]
        #serde
        pub enum Message {
            #(#variants)*
            /// A MsgType this dictionary does not define, kept as raw fields.
            Unknown(fix_core::raw::RawMessage),
        }

        thread_local! {
            static DECODER: std::cell::RefCell<fix_core::Decoder> = std::cell::RefCell::new(fix_core::Decoder::new());
        }

        fn encode_message(
            msg_type: &str,
            header: &Header,
            body: impl FnOnce(&mut fix_core::Writer<'_>),
            buf: &mut Vec<u8>,
        ) -> Result<std::ops::Range<usize>, fix_core::EncodeError> {
            let mut w = fix_core::Writer::new(buf, BEGIN_STRING);
            w.put_str(b"35=", msg_type);
            fix_core::Fields::encode_fields(header, &mut w);
            body(&mut w);
            w.finish_checked()
        }

        impl Message {
            /// Decodes one whole message with full validation against this dictionary.
            pub fn decode(buf: &[u8]) -> Result<Message, fix_core::DecodeError> {
                Self::decode_with(buf, &fix_core::ValidationOptions::default()).map(|(_, m)| m)
            }

            /// Decodes one whole message and its header with the given validation options.
            pub fn decode_with(buf: &[u8], options: &fix_core::ValidationOptions) -> Result<(Header, Message), fix_core::DecodeError> {
                DECODER.with(|d| {
                    let mut d = d.try_borrow_mut().map_err(|_| fix_core::Invalid::message(fix_core::SessionRejectReason::Other))?;
                    let view = d.decode(buf, &DICTIONARY, options)?;
                    Self::from_view(&view)
                })
            }

            /// Builds the typed message and header from a decoded view.
            pub fn from_view(view: &fix_core::MessageView<'_>) -> Result<(Header, Message), fix_core::DecodeError> {
                if view.begin_string() != BEGIN_STRING.as_bytes() {
                    return Err(fix_core::DecodeError::BeginString {
                        expected: BEGIN_STRING.to_string(),
                        found: String::from_utf8_lossy(view.begin_string()).into_owned(),
                    });
                }
                if let Some(p) = view.problem() {
                    if p.reason != fix_core::SessionRejectReason::InvalidMsgType {
                        return Err(p.clone().into());
                    }
                }
                let header: Header = fix_core::Fields::decode_fields(view.header().sub(#skipped))?;
                let body = view.body();
                let message = match view.msg_type() {
                    #(#decodes)*
                    _ => Message::Unknown(fix_core::raw::RawMessage::from_view(view)),
                };
                Ok((header, message))
            }

            /// MsgType (35).
            pub fn msg_type(&self) -> &str {
                match self {
                    #(#types)*
                    Message::Unknown(raw) => &raw.msg_type,
                }
            }

            /// Encodes the message with `header` into `buf` (appended).
            pub fn encode(&self, header: &Header, buf: &mut Vec<u8>) -> Result<std::ops::Range<usize>, fix_core::EncodeError> {
                encode_message(self.msg_type(), header, |w| self.encode_body(w), buf)
            }

            /// Appends the body fields.
            pub fn encode_body(&self, w: &mut fix_core::Writer<'_>) {
                match self {
                    #(#encodes)*
                    Message::Unknown(raw) => raw.encode_body(w),
                }
            }
        }

        impl fix_core::AnyMessage for Message {
            type Header = Header;
            type Ref<'a> = MessageRef<'a>;
            fn dictionary() -> &'static fix_core::Dictionary {
                &DICTIONARY
            }
            fn decode_with(buf: &[u8], options: &fix_core::ValidationOptions) -> Result<(Header, Message), fix_core::DecodeError> {
                Message::decode_with(buf, options)
            }
            fn encode(&self, header: &Header, buf: &mut Vec<u8>) -> Result<std::ops::Range<usize>, fix_core::EncodeError> {
                Message::encode(self, header, buf)
            }
            fn is_known(&self) -> bool {
                !matches!(self, Message::Unknown(_))
            }
        }

        impl fix_core::OutgoingMessage for Message {
            fn msg_type(&self) -> &str {
                Message::msg_type(self)
            }
            fn encode_body(&self, w: &mut fix_core::Writer<'_>) {
                Message::encode_body(self, w)
            }
            fn is_admin(&self) -> bool {
                DICTIONARY.message(self.msg_type().as_bytes()).is_some_and(|m| m.admin)
            }
        }
    }
}
