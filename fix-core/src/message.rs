//! The traits generated code implements.

use crate::dict::Dictionary;
use crate::encode::Writer;
use crate::error::{DecodeError, EncodeError, Invalid};
use crate::view::{Level, ValidationOptions};

/// A set of fields that reads itself from a [`Level`] and writes itself to a [`Writer`]:
/// every generated message body, component and group entry.
pub trait Fields: Sized {
    /// Appends the fields in dictionary order.
    fn encode_fields(&self, w: &mut Writer<'_>);
    /// Reads the fields from a decoded level whose slots follow this type's layout.
    fn decode_fields(level: Level<'_, '_>) -> Result<Self, Invalid>;
}

/// A message body of a known type.
pub trait Message: Fields {
    /// MsgType (35).
    const MSG_TYPE: &'static str;
    /// The dictionary's name for the message.
    const NAME: &'static str;
    /// Whether this is a session-level (admin) message.
    const ADMIN: bool;
}

/// A message that can be sent without knowing its concrete type: what a version-agnostic
/// session needs. Implemented for every [`Message`].
pub trait OutgoingMessage: Send + Sync {
    /// MsgType (35).
    fn msg_type(&self) -> &str;
    /// Appends the body fields (not the header, not the trailer).
    fn encode_body(&self, w: &mut Writer<'_>);
    /// Whether this is a session-level (admin) message.
    fn is_admin(&self) -> bool;
}

impl<M: Message + Send + Sync> OutgoingMessage for M {
    fn msg_type(&self) -> &str {
        M::MSG_TYPE
    }
    fn encode_body(&self, w: &mut Writer<'_>) {
        self.encode_fields(w)
    }
    fn is_admin(&self) -> bool {
        M::ADMIN
    }
}

/// The enum of every message of one dictionary (`fix44::Message`, `fix50::Message`, a crate
/// made by `cargo xtask codegen`): what code written once for any FIX version needs to decode,
/// encode and tell messages apart. Generated crates implement it; their inherent methods of
/// the same names do the same.
pub trait AnyMessage: Sized + OutgoingMessage {
    /// The dictionary's standard header.
    type Header;

    /// The version's zero-copy typed view of a decoded message (`fix44::MessageRef<'a>`).
    type Ref<'a>: crate::view::AnyMessageRef<'a, Message = Self>;

    /// The dictionary the messages are generated from.
    fn dictionary() -> &'static Dictionary;

    /// Decodes one whole message and its header with the given validation options.
    fn decode_with(
        buf: &[u8],
        options: &ValidationOptions,
    ) -> Result<(Self::Header, Self), DecodeError>;

    /// Encodes the message with `header` into `buf` (appended); returns where it lies.
    fn encode(
        &self,
        header: &Self::Header,
        buf: &mut Vec<u8>,
    ) -> Result<std::ops::Range<usize>, EncodeError>;

    /// Whether the MsgType is one the dictionary defines (not kept as raw fields).
    fn is_known(&self) -> bool;
}
