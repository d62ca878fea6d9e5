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

/// A message encoded ahead of sending: its MsgType and its body fields as bytes, with no
/// header and no trailer. The session frames it (header, BodyLength, CheckSum) by copying
/// the fields once, so a message built on one thread is encoded there and crosses to the
/// session's thread as bytes, with no `Box<dyn OutgoingMessage>` and no second encode.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EncodedBody {
    /// MsgType, then the fields.
    bytes: Vec<u8>,
    /// Length of the MsgType at the start of `bytes`.
    msg_type_len: usize,
    admin: bool,
}

impl EncodedBody {
    /// Encodes `msg`'s body; fails if a non-DATA value contains SOH.
    pub fn encode<M: OutgoingMessage + ?Sized>(msg: &M) -> Result<EncodedBody, EncodeError> {
        let mut bytes = Vec::new();
        let parts = EncodedParts::append(msg, &mut bytes)?;
        Ok(EncodedBody {
            bytes,
            msg_type_len: parts.fields.start,
            admin: parts.admin,
        })
    }

    /// The body borrowed, as an [`OutgoingMessage`].
    pub fn as_fields(&self) -> EncodedFields<'_> {
        EncodedParts {
            msg_type: 0..self.msg_type_len,
            fields: self.msg_type_len..self.bytes.len(),
            admin: self.admin,
        }
        .get(&self.bytes)
    }
}

impl OutgoingMessage for EncodedBody {
    fn msg_type(&self) -> &str {
        self.as_fields().msg_type
    }
    fn encode_body(&self, w: &mut Writer<'_>) {
        self.as_fields().encode_body(w)
    }
    fn is_admin(&self) -> bool {
        self.admin
    }
}

/// Where an encoded message lies in a buffer that may hold many ([`EncodedParts::append`]):
/// how a sender keeps several encoded messages in one reused buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedParts {
    /// The MsgType's bytes.
    pub msg_type: std::ops::Range<usize>,
    /// The body fields' bytes.
    pub fields: std::ops::Range<usize>,
    /// Whether the message is session-level.
    pub admin: bool,
}

impl EncodedParts {
    /// Appends `msg`'s MsgType and body fields to `out`; fails (leaving `out` as it was) if
    /// a non-DATA value contains SOH.
    pub fn append<M: OutgoingMessage + ?Sized>(
        msg: &M,
        out: &mut Vec<u8>,
    ) -> Result<EncodedParts, EncodeError> {
        let start = out.len();
        out.extend_from_slice(msg.msg_type().as_bytes());
        let msg_type = start..out.len();
        let mut w = crate::encode::FieldsWriter::new(out);
        msg.encode_body(&mut w);
        match w.finish() {
            Ok(fields) => Ok(EncodedParts {
                msg_type,
                fields,
                admin: msg.is_admin(),
            }),
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }

    /// The message in `buf` (the buffer it was appended to). A range outside `buf` reads
    /// as empty.
    pub fn get<'a>(&self, buf: &'a [u8]) -> EncodedFields<'a> {
        let msg_type = buf
            .get(self.msg_type.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default();
        EncodedFields {
            msg_type,
            fields: buf.get(self.fields.clone()).unwrap_or_default(),
            admin: self.admin,
        }
    }
}

/// An encoded message borrowed from its buffer: what [`EncodedBody::as_fields`] and
/// [`EncodedParts::get`] give, sent like any [`OutgoingMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedFields<'a> {
    msg_type: &'a str,
    fields: &'a [u8],
    admin: bool,
}

impl EncodedFields<'_> {
    /// The body fields as encoded (each `tag=value` and SOH).
    pub fn fields(&self) -> &[u8] {
        self.fields
    }
}

impl OutgoingMessage for EncodedFields<'_> {
    fn msg_type(&self) -> &str {
        self.msg_type
    }
    fn encode_body(&self, w: &mut Writer<'_>) {
        w.put_encoded(self.fields)
    }
    fn is_admin(&self) -> bool {
        self.admin
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

#[cfg(test)]
mod encoded_tests {
    use super::*;

    /// A message written field by field, as user code without generated types would.
    struct ByTag(&'static [(crate::Tag, &'static [u8])]);

    impl OutgoingMessage for ByTag {
        fn msg_type(&self) -> &str {
            "D"
        }
        fn encode_body(&self, w: &mut Writer<'_>) {
            for (tag, v) in self.0 {
                w.put_tag_bytes(*tag, v);
            }
        }
        fn is_admin(&self) -> bool {
            false
        }
    }

    fn framed(msg: &dyn OutgoingMessage) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out, "FIX.4.4");
        w.put_str(b"35=", msg.msg_type());
        w.put_u64(b"34=", 7);
        msg.encode_body(&mut w);
        w.finish_checked().map(|_| ()).unwrap_or_default();
        out
    }

    #[test]
    fn an_encoded_body_frames_to_the_same_bytes_as_the_message() {
        let msg = ByTag(&[
            (11, b"ORD-1"),
            (55, b"EUR/USD"),
            (95, b"3"),
            (96, b"a\x01b"),
        ]);
        let body = EncodedBody::encode(&ByTag(&[(11, b"ORD-1"), (55, b"EUR/USD")])).unwrap();
        assert_eq!(body.msg_type(), "D");
        assert!(!body.is_admin());
        assert_eq!(body.as_fields().fields(), b"11=ORD-1\x0155=EUR/USD\x01");
        let direct = ByTag(&[(11, b"ORD-1"), (55, b"EUR/USD")]);
        assert_eq!(framed(&body), framed(&direct));
        assert_eq!(framed(&body.as_fields()), framed(&direct));
        // Many messages in one buffer, each read back where it was appended.
        let mut buf = b"junk".to_vec();
        let a = EncodedParts::append(&direct, &mut buf).unwrap();
        let b = EncodedParts::append(&ByTag(&[(58, b"hi")]), &mut buf).unwrap();
        assert_eq!(a.get(&buf).fields(), b"11=ORD-1\x0155=EUR/USD\x01");
        assert_eq!(b.get(&buf).fields(), b"58=hi\x01");
        assert_eq!(b.get(&buf).msg_type(), "D");
        // A DATA-free value holding SOH is refused, and the buffer is left as it was.
        let len = buf.len();
        let err = EncodedParts::append(&msg, &mut buf).unwrap_err();
        assert_eq!(err, EncodeError::SohInValue { tag: 96 });
        assert_eq!(buf.len(), len);
        assert!(EncodedBody::encode(&msg).is_err());
    }
}
