//! Errors that carry their FIX meaning: a [`SessionRejectReason`] and the tag at fault.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::frame::FrameError;
use crate::tag::Tag;

/// SessionRejectReason (373): why a message was rejected at the session level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SessionRejectReason {
    /// 0: the tag number is not defined by the dictionary.
    InvalidTagNumber,
    /// 1: a required tag is missing.
    RequiredTagMissing,
    /// 2: the tag is defined, but not for this message type.
    TagNotDefinedForThisMessageType,
    /// 3: undefined tag.
    UndefinedTag,
    /// 4: the tag has no value.
    TagSpecifiedWithoutAValue,
    /// 5: the value is not one the field allows.
    ValueIsIncorrect,
    /// 6: the value is not in the field type's format.
    IncorrectDataFormatForValue,
    /// 7: decryption problem.
    DecryptionProblem,
    /// 8: signature problem.
    SignatureProblem,
    /// 9: SenderCompID/TargetCompID do not match the session.
    CompIdProblem,
    /// 10: SendingTime too far from the receiver's clock.
    SendingTimeAccuracyProblem,
    /// 11: MsgType not defined.
    InvalidMsgType,
    /// 12: XML validation error.
    XmlValidationError,
    /// 13: the tag appears more than once.
    TagAppearsMoreThanOnce,
    /// 14: the tag is out of the required order (header, body, trailer).
    TagSpecifiedOutOfRequiredOrder,
    /// 15: fields of a repeating group entry are out of order.
    RepeatingGroupFieldsOutOfOrder,
    /// 16: NumInGroup does not match the number of entries.
    IncorrectNumInGroupCount,
    /// 17: a non-DATA value contains SOH.
    NonDataValueIncludesFieldDelimiter,
    /// 18: ApplVerID invalid or unsupported.
    InvalidUnsupportedApplicationVersion,
    /// 99: other.
    Other,
}

impl SessionRejectReason {
    /// The value carried in SessionRejectReason (373).
    pub fn code(self) -> u32 {
        match self {
            SessionRejectReason::InvalidTagNumber => 0,
            SessionRejectReason::RequiredTagMissing => 1,
            SessionRejectReason::TagNotDefinedForThisMessageType => 2,
            SessionRejectReason::UndefinedTag => 3,
            SessionRejectReason::TagSpecifiedWithoutAValue => 4,
            SessionRejectReason::ValueIsIncorrect => 5,
            SessionRejectReason::IncorrectDataFormatForValue => 6,
            SessionRejectReason::DecryptionProblem => 7,
            SessionRejectReason::SignatureProblem => 8,
            SessionRejectReason::CompIdProblem => 9,
            SessionRejectReason::SendingTimeAccuracyProblem => 10,
            SessionRejectReason::InvalidMsgType => 11,
            SessionRejectReason::XmlValidationError => 12,
            SessionRejectReason::TagAppearsMoreThanOnce => 13,
            SessionRejectReason::TagSpecifiedOutOfRequiredOrder => 14,
            SessionRejectReason::RepeatingGroupFieldsOutOfOrder => 15,
            SessionRejectReason::IncorrectNumInGroupCount => 16,
            SessionRejectReason::NonDataValueIncludesFieldDelimiter => 17,
            SessionRejectReason::InvalidUnsupportedApplicationVersion => 18,
            SessionRejectReason::Other => 99,
        }
    }

    /// The reason for a 373 value; unknown values map to [`SessionRejectReason::Other`].
    pub fn from_code(code: u32) -> SessionRejectReason {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.code() == code)
            .unwrap_or(SessionRejectReason::Other)
    }

    /// Every reason, in code order.
    pub const ALL: &'static [SessionRejectReason] = &[
        SessionRejectReason::InvalidTagNumber,
        SessionRejectReason::RequiredTagMissing,
        SessionRejectReason::TagNotDefinedForThisMessageType,
        SessionRejectReason::UndefinedTag,
        SessionRejectReason::TagSpecifiedWithoutAValue,
        SessionRejectReason::ValueIsIncorrect,
        SessionRejectReason::IncorrectDataFormatForValue,
        SessionRejectReason::DecryptionProblem,
        SessionRejectReason::SignatureProblem,
        SessionRejectReason::CompIdProblem,
        SessionRejectReason::SendingTimeAccuracyProblem,
        SessionRejectReason::InvalidMsgType,
        SessionRejectReason::XmlValidationError,
        SessionRejectReason::TagAppearsMoreThanOnce,
        SessionRejectReason::TagSpecifiedOutOfRequiredOrder,
        SessionRejectReason::RepeatingGroupFieldsOutOfOrder,
        SessionRejectReason::IncorrectNumInGroupCount,
        SessionRejectReason::NonDataValueIncludesFieldDelimiter,
        SessionRejectReason::InvalidUnsupportedApplicationVersion,
        SessionRejectReason::Other,
    ];

    /// The reason's FIX name, as sent in Text (58) of a Reject.
    pub fn text(self) -> &'static str {
        match self {
            SessionRejectReason::InvalidTagNumber => "Invalid tag number",
            SessionRejectReason::RequiredTagMissing => "Required tag missing",
            SessionRejectReason::TagNotDefinedForThisMessageType => {
                "Tag not defined for this message type"
            }
            SessionRejectReason::UndefinedTag => "Undefined Tag",
            SessionRejectReason::TagSpecifiedWithoutAValue => "Tag specified without a value",
            SessionRejectReason::ValueIsIncorrect => {
                "Value is incorrect (out of range) for this tag"
            }
            SessionRejectReason::IncorrectDataFormatForValue => "Incorrect data format for value",
            SessionRejectReason::DecryptionProblem => "Decryption problem",
            SessionRejectReason::SignatureProblem => "Signature problem",
            SessionRejectReason::CompIdProblem => "CompID problem",
            SessionRejectReason::SendingTimeAccuracyProblem => "SendingTime accuracy problem",
            SessionRejectReason::InvalidMsgType => "Invalid MsgType",
            SessionRejectReason::XmlValidationError => "XML Validation error",
            SessionRejectReason::TagAppearsMoreThanOnce => "Tag appears more than once",
            SessionRejectReason::TagSpecifiedOutOfRequiredOrder => {
                "Tag specified out of required order"
            }
            SessionRejectReason::RepeatingGroupFieldsOutOfOrder => {
                "Repeating group fields out of order"
            }
            SessionRejectReason::IncorrectNumInGroupCount => {
                "Incorrect NumInGroup count for repeating group"
            }
            SessionRejectReason::NonDataValueIncludesFieldDelimiter => {
                "Non Data value includes field delimiter (SOH character)"
            }
            SessionRejectReason::InvalidUnsupportedApplicationVersion => {
                "Invalid or unsupported application version"
            }
            SessionRejectReason::Other => "Other",
        }
    }
}

impl fmt::Display for SessionRejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// A tag number as reported in RefTagID (371): signed, because peers send tags like `-1`
/// and the Reject must name them as received.
pub type RefTag = i64;

/// A message that is well framed but breaks its dictionary's rules.
///
/// Carries everything a session needs to build a Reject (35=3): the reason, the tag at fault
/// (RefTagID, 371) where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("{reason}{}", tag.map(|t| format!(" (tag {t})")).unwrap_or_default())]
pub struct Invalid {
    /// Why the message is invalid.
    pub reason: SessionRejectReason,
    /// The tag at fault, if the problem is about one tag.
    pub tag: Option<RefTag>,
}

impl Invalid {
    /// A problem with `reason` about `tag`.
    pub fn new(reason: SessionRejectReason, tag: Tag) -> Invalid {
        Invalid {
            reason,
            tag: Some(RefTag::from(tag)),
        }
    }

    /// A problem with `reason` about the message as a whole.
    pub fn message(reason: SessionRejectReason) -> Invalid {
        Invalid { reason, tag: None }
    }
}

/// Why bytes could not be decoded into a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not a well-framed FIX message (garbled: ignore it).
    #[error("garbled message: {0}")]
    Frame(#[from] FrameError),
    /// The message is well framed but invalid (reject it).
    #[error("invalid message: {0}")]
    Invalid(#[from] Invalid),
    /// The BeginString is not the one this decoder handles.
    #[error("BeginString {found:?} does not match {expected:?}")]
    BeginString {
        /// What the decoder handles.
        expected: String,
        /// What the message carries.
        found: String,
    },
}

impl DecodeError {
    /// The SessionRejectReason this error calls for, if it calls for a Reject at all.
    pub fn reject_reason(&self) -> Option<SessionRejectReason> {
        match self {
            DecodeError::Invalid(i) => Some(i.reason),
            _ => None,
        }
    }
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A value would put SOH inside a non-DATA field.
    #[error("value of tag {tag} contains SOH")]
    SohInValue {
        /// The field.
        tag: Tag,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_texts() {
        for r in SessionRejectReason::ALL {
            assert_eq!(SessionRejectReason::from_code(r.code()), *r);
        }
        assert_eq!(
            SessionRejectReason::from_code(1).text(),
            "Required tag missing"
        );
        assert_eq!(
            SessionRejectReason::from_code(12345),
            SessionRejectReason::Other
        );
        let e = Invalid::new(SessionRejectReason::ValueIsIncorrect, 54);
        assert_eq!(
            e.to_string(),
            "Value is incorrect (out of range) for this tag (tag 54)"
        );
    }
}
