//! The session-level MsgTypes (35) by name.

use crate::app::RawBody;

/// A session-level (admin) message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdminMsgType {
    /// Heartbeat (0).
    Heartbeat,
    /// TestRequest (1).
    TestRequest,
    /// ResendRequest (2).
    ResendRequest,
    /// Reject (3).
    Reject,
    /// SequenceReset (4).
    SequenceReset,
    /// Logout (5).
    Logout,
    /// Logon (A).
    Logon,
}

/// BusinessMessageReject (j), the application-level refusal of FIX.4.2 and later.
pub(crate) const BUSINESS_MESSAGE_REJECT: &str = "j";

impl AdminMsgType {
    /// The MsgType value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AdminMsgType::Heartbeat => "0",
            AdminMsgType::TestRequest => "1",
            AdminMsgType::ResendRequest => "2",
            AdminMsgType::Reject => "3",
            AdminMsgType::SequenceReset => "4",
            AdminMsgType::Logout => "5",
            AdminMsgType::Logon => "A",
        }
    }

    /// The admin type of a MsgType value; `None` for application messages.
    pub(crate) fn parse(v: &[u8]) -> Option<AdminMsgType> {
        Some(match v {
            b"0" => AdminMsgType::Heartbeat,
            b"1" => AdminMsgType::TestRequest,
            b"2" => AdminMsgType::ResendRequest,
            b"3" => AdminMsgType::Reject,
            b"4" => AdminMsgType::SequenceReset,
            b"5" => AdminMsgType::Logout,
            b"A" => AdminMsgType::Logon,
            _ => return None,
        })
    }

    /// An empty body of this type, marked as a session-level message.
    pub(crate) fn body(self) -> RawBody {
        let mut body = RawBody::new(self.as_str());
        body.admin = true;
        body
    }
}
