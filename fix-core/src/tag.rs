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
/// BeginSeqNo (7): first message asked for by a ResendRequest.
pub const BEGIN_SEQ_NO: Tag = 7;
/// EndSeqNo (16): last message asked for by a ResendRequest (0: no limit).
pub const END_SEQ_NO: Tag = 16;
/// NewSeqNo (36): the next MsgSeqNum after a SequenceReset.
pub const NEW_SEQ_NO: Tag = 36;
/// RefSeqNum (45): MsgSeqNum of the message a Reject refers to.
pub const REF_SEQ_NUM: Tag = 45;
/// SenderSubID (50).
pub const SENDER_SUB_ID: Tag = 50;
/// TargetSubID (57).
pub const TARGET_SUB_ID: Tag = 57;
/// EncryptMethod (98).
pub const ENCRYPT_METHOD: Tag = 98;
/// HeartBtInt (108): heartbeat interval in seconds.
pub const HEART_BT_INT: Tag = 108;
/// TestReqID (112).
pub const TEST_REQ_ID: Tag = 112;
/// OnBehalfOfCompID (115).
pub const ON_BEHALF_OF_COMP_ID: Tag = 115;
/// OnBehalfOfSubID (116).
pub const ON_BEHALF_OF_SUB_ID: Tag = 116;
/// GapFillFlag (123).
pub const GAP_FILL_FLAG: Tag = 123;
/// DeliverToCompID (128).
pub const DELIVER_TO_COMP_ID: Tag = 128;
/// DeliverToSubID (129).
pub const DELIVER_TO_SUB_ID: Tag = 129;
/// ResetSeqNumFlag (141).
pub const RESET_SEQ_NUM_FLAG: Tag = 141;
/// SenderLocationID (142).
pub const SENDER_LOCATION_ID: Tag = 142;
/// TargetLocationID (143).
pub const TARGET_LOCATION_ID: Tag = 143;
/// OnBehalfOfLocationID (144).
pub const ON_BEHALF_OF_LOCATION_ID: Tag = 144;
/// DeliverToLocationID (145).
pub const DELIVER_TO_LOCATION_ID: Tag = 145;
/// LastMsgSeqNumProcessed (369).
pub const LAST_MSG_SEQ_NUM_PROCESSED: Tag = 369;
/// RefTagID (371): the tag a Reject refers to.
pub const REF_TAG_ID: Tag = 371;
/// RefMsgType (372): MsgType of the message a Reject refers to.
pub const REF_MSG_TYPE: Tag = 372;
/// SessionRejectReason (373).
pub const SESSION_REJECT_REASON: Tag = 373;
/// BusinessRejectReason (380).
pub const BUSINESS_REJECT_REASON: Tag = 380;
/// Password (554).
pub const PASSWORD: Tag = 554;
/// NextExpectedMsgSeqNum (789).
pub const NEXT_EXPECTED_MSG_SEQ_NUM: Tag = 789;
/// The first tag reserved for user-defined fields (5000).
pub const USER_DEFINED_START: Tag = 5000;
