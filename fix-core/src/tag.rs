//! Field tags and the tags the framing and session layers need by name.

/// A FIX field tag number.
pub type Tag = u32;

/// BeginString (8): the protocol version, always the first field.
pub const BEGIN_STRING: Tag = 8;
/// BodyLength (9): bytes from after this field up to the CheckSum field, always second.
pub const BODY_LENGTH: Tag = 9;
/// CheckSum (10): byte sum modulo 256, three digits, always last.
pub const CHECK_SUM: Tag = 10;
/// MsgType (35): always third.
pub const MSG_TYPE: Tag = 35;
/// MsgSeqNum (34).
pub const MSG_SEQ_NUM: Tag = 34;
/// SenderCompID (49).
pub const SENDER_COMP_ID: Tag = 49;
/// TargetCompID (56).
pub const TARGET_COMP_ID: Tag = 56;
/// SendingTime (52).
pub const SENDING_TIME: Tag = 52;
/// PossDupFlag (43).
pub const POSS_DUP_FLAG: Tag = 43;
/// PossResend (97).
pub const POSS_RESEND: Tag = 97;
/// OrigSendingTime (122).
pub const ORIG_SENDING_TIME: Tag = 122;
/// Text (58).
pub const TEXT: Tag = 58;
/// ApplVerID (1128).
pub const APPL_VER_ID: Tag = 1128;
/// DefaultApplVerID (1137).
pub const DEFAULT_APPL_VER_ID: Tag = 1137;
/// The first tag reserved for user-defined fields (5000).
pub const USER_DEFINED_START: Tag = 5000;
