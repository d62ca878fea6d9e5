//! The application interface: QuickFIX's onCreate, onLogon, onLogout, toAdmin, fromAdmin,
//! toApp and fromApp, plus [`RawBody`], a message kept as a list of fields.

use fix_core::encode::Writer;
use fix_core::{
    EncodeError, EncodedFields, EncodedParts, MessageView, OutgoingMessage, SessionRejectReason,
    Tag,
};

use crate::settings::SessionId;

/// Tags of the standard header (all versions), used where no dictionary says otherwise.
pub const HEADER_TAGS: &[Tag] = &[
    8, 9, 34, 35, 43, 49, 50, 52, 56, 57, 90, 91, 97, 115, 116, 122, 128, 129, 142, 143, 144, 145,
    212, 213, 347, 369, 627, 628, 629, 630, 1128, 1129, 1156,
];

/// Whether `tag` is a header or trailer field (by `view`'s dictionary, or the standard list).
pub fn is_header_or_trailer(view: &MessageView<'_>, tag: Tag) -> bool {
    let dict = view.dictionary();
    if !dict.fields.is_empty() {
        return dict.header.slot(tag).is_some() || dict.trailer.slot(tag).is_some() || tag == 10;
    }
    HEADER_TAGS.contains(&tag) || matches!(tag, 10 | 89 | 93)
}

/// A message body as a list of fields in order: for admin messages the session builds, for
/// echoing a received message and for message types without generated code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody {
    /// MsgType (35).
    pub msg_type: String,
    /// Body fields in order, as `(tag, value)`.
    pub fields: Vec<(Tag, Vec<u8>)>,
    /// Whether it is a session-level message.
    pub admin: bool,
}

impl RawBody {
    /// An empty application message body of `msg_type`.
    pub fn new(msg_type: &str) -> RawBody {
        RawBody {
            msg_type: msg_type.to_string(),
            fields: Vec::new(),
            admin: false,
        }
    }

    /// Appends a field.
    pub fn push(&mut self, tag: Tag, value: impl AsRef<[u8]>) -> &mut RawBody {
        self.fields.push((tag, value.as_ref().to_vec()));
        self
    }

    /// Adds a field (builder style).
    pub fn with(mut self, tag: Tag, value: impl AsRef<[u8]>) -> RawBody {
        self.push(tag, value);
        self
    }

    /// The first value of `tag`.
    pub fn get(&self, tag: Tag) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, v)| v.as_slice())
    }

    /// The body of a received message (every field that is not header or trailer), in wire
    /// order.
    pub fn from_view(view: &MessageView<'_>) -> RawBody {
        let fields = view
            .fields()
            .filter(|(tag, _)| !is_header_or_trailer(view, *tag))
            .map(|(tag, v)| (tag, v.to_vec()))
            .collect();
        let msg_type = String::from_utf8_lossy(view.msg_type()).into_owned();
        let admin = is_admin_msg_type(&msg_type);
        RawBody {
            msg_type,
            fields,
            admin,
        }
    }
}

impl OutgoingMessage for RawBody {
    fn msg_type(&self) -> &str {
        &self.msg_type
    }
    fn encode_body(&self, w: &mut Writer<'_>) {
        for (tag, v) in &self.fields {
            w.put_tag_bytes(*tag, v);
        }
    }
    fn is_admin(&self) -> bool {
        self.admin
    }
}

/// Whether `msg_type` is a session-level message: Heartbeat, TestRequest, ResendRequest,
/// Reject, SequenceReset, Logout, Logon.
pub fn is_admin_msg_type(msg_type: &str) -> bool {
    matches!(msg_type, "0" | "1" | "2" | "3" | "4" | "5" | "A")
}

/// Returned by [`Application::from_admin`] to refuse a Logon: the session answers with a
/// Logout carrying the text, then disconnects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectLogon(pub String);

/// Returned by [`Application::to_app`] to veto an outgoing message: it is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoNotSend;

/// How the application refuses a received application message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppReject {
    /// BusinessMessageReject 380=3 `Unsupported Message Type` (FIX.4.2 and later) or a
    /// Reject (FIX.4.0/4.1).
    UnsupportedMessageType,
    /// A session-level Reject (35=3) with this reason, about `tag`.
    Reject {
        /// SessionRejectReason.
        reason: SessionRejectReason,
        /// RefTagID.
        tag: Option<Tag>,
    },
    /// A BusinessMessageReject (35=j) with BusinessRejectReason `reason` and `text`.
    Business {
        /// BusinessRejectReason (380).
        reason: u32,
        /// Text (58).
        text: String,
    },
}

/// Messages the application sends in answer to a received message, from
/// [`Application::from_app`]. They go out after the received message is processed.
///
/// Each message is encoded when it is given (into a buffer the session reuses from one
/// received message to the next), so replying allocates nothing once warm and boxes nothing.
#[derive(Debug, Default)]
pub struct Responder {
    bytes: Vec<u8>,
    replies: Vec<(EncodedParts, bool)>,
    refused: Vec<EncodeError>,
}

impl Responder {
    /// Sends `msg` back to the counterparty, with routing reversed from the received message
    /// (OnBehalfOf* become DeliverTo* and the other way round).
    pub fn reply(&mut self, msg: impl OutgoingMessage) {
        self.push(&msg, true);
    }

    /// Sends `msg` to the counterparty with no routing fields.
    pub fn send(&mut self, msg: impl OutgoingMessage) {
        self.push(&msg, false);
    }

    fn push<M: OutgoingMessage + ?Sized>(&mut self, msg: &M, reverse: bool) {
        match EncodedParts::append(msg, &mut self.bytes) {
            Ok(parts) => self.replies.push((parts, reverse)),
            Err(e) => self.refused.push(e),
        }
    }

    /// Whether nothing was given (sent or refused).
    pub(crate) fn is_empty(&self) -> bool {
        self.replies.is_empty() && self.refused.is_empty()
    }

    /// The messages given, in order, with whether routing is reversed for each.
    pub(crate) fn replies(&self) -> impl Iterator<Item = (EncodedFields<'_>, bool)> + '_ {
        self.replies
            .iter()
            .map(|(parts, reverse)| (parts.get(&self.bytes), *reverse))
    }

    /// Why messages given could not be encoded (a value held SOH).
    pub(crate) fn refused(&self) -> &[EncodeError] {
        &self.refused
    }

    /// Empties it for the next received message, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.replies.clear();
        self.refused.clear();
    }
}

/// Callbacks from the session to the application, as in QuickFIX. Every method has a default
/// that does nothing (or accepts), so an application implements only what it needs.
#[allow(clippy::wrong_self_convention)] // QuickFIX's names
pub trait Application: Send + Sync {
    /// A session was created (onCreate).
    fn on_create(&self, _id: &SessionId) {}
    /// The session logged on (onLogon).
    fn on_logon(&self, _id: &SessionId) {}
    /// The session logged out or lost its connection after logon (onLogout).
    fn on_logout(&self, _id: &SessionId) {}
    /// An admin message is about to be sent; fields may be added, e.g. Username (553) and
    /// Password (554) on a Logon (toAdmin).
    fn to_admin(&self, _msg: &mut RawBody, _id: &SessionId) {}
    /// An admin message was received (fromAdmin). For a Logon this is the authentication
    /// hook: Username (553) and Password (554) are in `msg`; an error refuses the Logon.
    fn from_admin(&self, _msg: &MessageView<'_>, _id: &SessionId) -> Result<(), RejectLogon> {
        Ok(())
    }
    /// An application message is about to be sent (toApp); an error vetoes it.
    fn to_app(&self, _msg: &dyn OutgoingMessage, _id: &SessionId) -> Result<(), DoNotSend> {
        Ok(())
    }
    /// An application message is about to be resent after a ResendRequest, with
    /// PossDupFlag=Y and the body it was first sent with (QuickFIX's toApp on a resend); an
    /// error sends a SequenceReset-GapFill in its place, e.g. for orders too old to resend.
    /// By default the same answer as [`Application::to_app`].
    fn to_app_resend(&self, msg: &dyn OutgoingMessage, id: &SessionId) -> Result<(), DoNotSend> {
        self.to_app(msg, id)
    }
    /// An application message was received, in sequence and valid (fromApp). Replies go
    /// through `out`; an error makes the session reject the message.
    fn from_app(
        &self,
        _msg: &MessageView<'_>,
        _id: &SessionId,
        _out: &mut Responder,
    ) -> Result<(), AppReject> {
        Ok(())
    }
}

/// An application that accepts everything and answers nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullApplication;

impl Application for NullApplication {}
