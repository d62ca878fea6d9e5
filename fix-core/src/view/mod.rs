//! A zero-copy, group-aware view of one message, checked against a [`Dictionary`].
//!
//! [`Decoder::decode`] frames the bytes, splits them into fields (DATA fields by their length
//! field, so they may contain SOH), assigns each field to its level (header, body, trailer,
//! group entry) by the dictionary's [`Layout`]s and checks the rules the FIX session layer
//! rejects for. The result borrows the bytes and the decoder's reusable buffers, so decoding a
//! message allocates nothing once the decoder has warmed up.
//!
//! A well-framed message that breaks a rule still yields a view: the session needs its header
//! to answer with a Reject. [`MessageView::problem`] holds the first rule broken.
//!
//! A decoder remembers the shapes of the valid messages it decoded (see `Shape`): for a message
//! with the same MsgType, tags in the same order and the same group counts, the structure
//! checks are known to pass and the index is the remembered one, so only the values are
//! checked. The verdict is the same either way.

use std::ops::Range;

use crate::dict::{
    small_int, unpack_place, Dictionary, FieldDef, Layout, Member, MessageDef, C_BITMAP, C_DECIMAL,
    C_INTMAP, C_PACKED, C_TEXT, C_TIMEONLY, C_TIMESTAMP, C_UINT, K_BITMAP, K_DATA, K_ENUM,
    K_INTMAP, K_NO_FORMAT, K_PACKED, NO_FIELD, POSITION_MASK,
};
use crate::error::{Invalid, RefTag, SessionRejectReason as R};
use crate::frame::{locate_frame, FrameError, DEFAULT_MAX_MESSAGE_LEN, SOH};
use crate::message::Fields;
use crate::scan::{byte_sum, digits_in, soh_bitmap, zero_bytes, ONES};
use crate::tag::{Tag, CHECK_SUM, USER_DEFINED_START};
use crate::tag_text::{TagTable, NO_PLACE};
use crate::value::{
    check_format, quick_decimal_ok, quick_format_ok, quick_utc_time_only_ok,
    quick_utc_timestamp_ok, FixValue, ValueError,
};

/// Which dictionary rules to enforce, named after QuickFIX's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationOptions {
    /// Header fields after the body, body fields after the trailer: reject with reason 14
    /// (`ValidateFieldsOutOfOrder`).
    pub check_fields_out_of_order: bool,
    /// Empty values: reject with reason 4 (`ValidateFieldsHaveValues`).
    pub check_fields_have_values: bool,
    /// User-defined tags (5000 and up) the dictionary does not define: reject with reason 0
    /// (`ValidateUserDefinedFields`).
    pub check_user_defined_fields: bool,
    /// Accept fields the dictionary defines but not for this message (`AllowUnknownMsgFields`).
    pub allow_unknown_message_fields: bool,
    /// Check that required fields are present (reason 1).
    pub check_required: bool,
    /// Check value formats (reason 6) and enumerated values (reason 5).
    pub check_values: bool,
    /// Accept values of enumerated fields that the dictionary does not list; their format
    /// is still checked (`AllowUnknownEnumValues`).
    pub allow_unknown_enum_values: bool,
    /// A group entry's fields must come in the dictionary's order: a member before an
    /// earlier one is rejected with reason 15 (`ValidateUnorderedGroupFields`).
    pub check_group_field_order: bool,
    /// The first field after a NumInGroup starts each entry, whatever the dictionary names
    /// as the group's first field (`FirstFieldInGroupIsDelimiter`), for counterparties that
    /// order their groups their own way.
    pub first_field_in_group_is_delimiter: bool,
    /// Largest BodyLength accepted.
    pub max_message_len: usize,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions {
            check_fields_out_of_order: true,
            check_fields_have_values: true,
            check_user_defined_fields: true,
            allow_unknown_message_fields: false,
            check_required: true,
            check_values: true,
            allow_unknown_enum_values: false,
            check_group_field_order: true,
            first_field_in_group_is_delimiter: false,
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
        }
    }
}

impl ValidationOptions {
    /// Options that only check what is needed to read the message's structure: framing,
    /// group counts and repeated tags. For tools reading untidy logs.
    pub fn relaxed() -> Self {
        ValidationOptions {
            check_fields_out_of_order: false,
            check_fields_have_values: false,
            check_user_defined_fields: false,
            allow_unknown_message_fields: true,
            check_required: false,
            check_values: false,
            allow_unknown_enum_values: true,
            check_group_field_order: false,
            first_field_in_group_is_delimiter: false,
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct FieldRef {
    tag: Tag,
    start: u32,
    end: u32,
    /// The dictionary's [`Dictionary::field_info`]: the index into its fields and the
    /// field's validation kind, or `NO_FIELD` for a tag it does not define.
    def: u32,
    /// Where the field goes in the message's header, body or trailer (`level << 16 | slot`
    /// and the group flag) when the tokenizer found it by its text in the message's table;
    /// [`NO_PLACE`] when it is no member of them; [`UNPLACED`] when not looked up yet.
    place: u32,
}

/// [`FieldRef::place`] of a field the walk must look up itself.
const UNPLACED: u32 = u32::MAX - 1;

impl FieldRef {
    /// The index into the dictionary's fields (meaningless for an undefined tag).
    #[inline]
    fn position(&self) -> usize {
        (self.def & POSITION_MASK) as usize
    }

    /// The `C_*` check class (meaningless for an undefined tag).
    #[inline]
    fn class(&self) -> u8 {
        (self.def >> 16) as u8
    }
}

#[derive(Debug, Clone, Copy)]
struct LevelRec {
    slots_start: u32,
    slots_len: u32,
}

#[derive(Debug, Clone, Copy)]
struct GroupRec {
    first_level: u32,
    count: u32,
    /// The index of the NumInGroup field.
    field: u32,
}

/// In a slot: the member is a group, and the rest is its index into the groups + 1.
const GROUP_SLOT: u32 = 1 << 31;

const NO_DEF: u32 = NO_FIELD;

/// Reusable buffers for decoding; keep one per thread or connection.
///
/// A decoder also remembers the *shapes* of the last few valid messages it decoded (see
/// `Shape`): a counterparty sends the same message types with the same fields in the same
/// order again and again, and a message whose tags follow a remembered shape needs only its
/// values checked.
#[derive(Debug, Default)]
pub struct Decoder {
    fields: Vec<FieldRef>,
    /// Where the body's SOH bytes are.
    soh_bits: Vec<u64>,
    /// Per level, per slot: 0 when absent, else field index + 1 (fields) or
    /// [`GROUP_SLOT`] | group index + 1.
    slots: Vec<u32>,
    levels: Vec<LevelRec>,
    groups: Vec<GroupRec>,
    /// The NumInGroup fields the last walk read: `(field index, count)`.
    counts: Vec<(u32, u32)>,
    /// Shapes of valid messages, at most [`MAX_SHAPES`].
    shapes: Vec<Shape>,
    /// Which shape a new one replaces when `shapes` is full.
    next_shape: usize,
    /// Set by [`Decoder::set_remember_shapes`]`(false)`.
    shapes_off: bool,
}

/// One field of a [`Shape`]: its tag's text and `=` as read in one word.
#[derive(Debug, Clone, Copy)]
struct ShapeField {
    /// The tag's digits and `=`, little-endian, higher bytes zero.
    text: u64,
    /// Selects the bytes of `text` from a word read at the tag's start.
    mask: u64,
    /// Where `=` is, from the tag's start (1 to 7).
    eq: u32,
    /// A DATA field: its value's end comes from the length field before it.
    data: bool,
}

/// A value check of a [`Shape`]'s field: the check the walk makes for it under the shape's
/// options, with what it needs looked up once. Fields whose value only has to be non-empty
/// have none.
#[derive(Debug, Clone, Copy)]
struct ShapeCheck {
    /// The field's index: among the body's fields in [`Shape::checks`], among all the
    /// message's fields in [`Shape::framing`].
    at: u32,
    /// The `C_*` class of the field's definition.
    class: u8,
    /// For a NumInGroup field, the count the shape was walked with; else [`NOT_A_COUNT`].
    count: u32,
    /// For the enumeration classes, the field's bitmap or first packed key
    /// (`FieldMeta::bitmap`) and its number of packed keys.
    enum_at: u32,
    enum_len: u32,
}

/// [`ShapeCheck::count`] of a field that is no NumInGroup.
const NOT_A_COUNT: u32 = u32::MAX;

/// Set in [`ShapeCheck::class`] (above the `C_*` classes) for a NumInGroup value checked
/// against a count the shape's [`Shape::counts`] cannot hold.
const COUNTED: u8 = 0x80;

/// What the walk concluded from one valid message's tags, for messages with the same tags.
///
/// Everything the walk checks about a message's structure (which level each field belongs
/// to, order, repeated tags, required fields, group counts and entries) depends only on the
/// dictionary, the validation options, the MsgType, the sequence of tags and the NumInGroup
/// values. A message with the same of all of these has the same slots, levels and groups;
/// what can still differ, its values, is checked field by field as the walk would. The tags
/// are compared by their wire text ([`crate::tag_text`]), which also fixes the tag number,
/// definition and place the tokenizer would have looked up.
#[derive(Debug)]
struct Shape {
    /// [`Dictionary::id`](crate::dict::DictId) of the dictionary; 0 (which no dictionary
    /// that remembers shapes has) while the shape is being filled in or if that was given up.
    dict: u64,
    msg_type: Vec<u8>,
    opts: ValidationOptions,
    /// The body's fields (after BodyLength, before CheckSum) in order.
    fields: Vec<ShapeField>,
    /// Whether one of them is a DATA field.
    has_data: bool,
    /// The same fields as the tokenizer gave them (tag, definition, place); their bounds are
    /// each message's own.
    refs: Vec<FieldRef>,
    /// The values to check beyond being non-empty, in field order.
    checks: Vec<ShapeCheck>,
    /// The NumInGroup values, each as the index of its field and the count's digits packed
    /// ([`crate::dict::pack`]): the value must be exactly those digits. Such a value then
    /// passes its INT check too, so it has no [`ShapeCheck`].
    counts: Vec<(u32, u64)>,
    /// The checks of BeginString, BodyLength and CheckSum (indexed among all the fields).
    framing: [ShapeCheck; 3],
    /// The message's index in the dictionary's messages.
    message: usize,
    slots: Vec<u32>,
    levels: Vec<LevelRec>,
    groups: Vec<GroupRec>,
    trust: Trust,
}

/// Whether a [`Shape`] pays: following a shape that misses costs a partial pass and, before,
/// re-remembering the shape of every message cost more than walking it (a stream whose
/// optional fields and group counts vary from message to message). Each replay raises the
/// score, each miss lowers it by [`MISS_COST`]; at zero the shape is set aside for
/// `backoff` messages, walked without trying it, after which the next valid message's shape
/// replaces it. The backoff doubles (up to [`MAX_BACKOFF`]) each time a new shape misses
/// before paying once, and returns to 1 on a replay: on varied streams about one message in
/// [`MAX_BACKOFF`] costs a remember and a failed follow, on repeated shapes nothing changes.
#[derive(Debug, Clone, Copy)]
struct Trust {
    score: u8,
    /// Messages left to walk before re-remembering; 0 when the shape is in use.
    cooldown: u32,
    backoff: u32,
}

/// The most a [`Trust`] score holds: how many misses in a row (over [`MISS_COST`]) a shape
/// that paid for long survives.
const MAX_SCORE: u8 = 8;
/// What a miss costs a [`Trust`] score.
const MISS_COST: u8 = 2;
/// The longest a shape is set aside, in messages.
const MAX_BACKOFF: u32 = 64;

impl Trust {
    /// A shape just remembered: one miss sets it aside.
    const NEW: Trust = Trust {
        score: 1,
        cooldown: 0,
        backoff: 1,
    };

    /// A message followed the shape.
    fn hit(&mut self) {
        self.score = self.score.saturating_add(1).min(MAX_SCORE);
        self.backoff = 1;
    }

    /// A message of the shape's MsgType did not follow it.
    fn miss(&mut self) {
        self.score = self.score.saturating_sub(MISS_COST);
        if self.score == 0 {
            self.cooldown = self.backoff;
            self.backoff = self.backoff.saturating_mul(2).min(MAX_BACKOFF);
        }
    }

    /// A message walked while the shape is set aside: whether that time is over (the
    /// message's shape, if valid, replaces this one).
    fn cool(&mut self) -> bool {
        self.cooldown = self.cooldown.saturating_sub(1);
        self.cooldown == 0
    }

    /// The shape was replaced by a new one of the same MsgType: it starts over, keeping the
    /// backoff so a stream that never repeats backs off further.
    fn relearned(&mut self) {
        self.score = 1;
        self.cooldown = 0;
    }
}

/// One decoded message: the bytes plus an index of where each field lies. Cloning copies
/// the references, not the message or its index.
#[derive(Debug, Clone)]
pub struct MessageView<'a> {
    buf: &'a [u8],
    dict: &'a Dictionary,
    message: Option<&'a MessageDef>,
    fields: &'a [FieldRef],
    slots: &'a [u32],
    levels: &'a [LevelRec],
    groups: &'a [GroupRec],
    problem: Option<Invalid>,
}

/// How far a body followed a remembered shape (see [`follow`]).
struct Followed {
    /// Where the first field off the shape starts; the body's end when it followed to the end.
    next: usize,
    /// Whether every field followed the shape, nothing came after, and every value passed.
    whole: bool,
}

const HEADER: usize = 0;
const BODY: usize = 1;
const TRAILER: usize = 2;

impl Decoder {
    /// A decoder with empty buffers.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Whether to remember the shapes of valid messages (on unless turned off): a message with
    /// the tags, order and group counts of one remembered is validated by checking its values
    /// only, with the same verdict. Off, every message is walked field by field (for
    /// measuring that path, or memory-tight uses: a shape holds 4 bytes per member of its
    /// message's header, body and trailer with components expanded, and 44 per field
    /// received plus 20 per value with a check beyond being non-empty; from a few hundred
    /// bytes for session messages to a few kilobytes for the largest FIX 5.0 messages, at
    /// most eight shapes per decoder).
    pub fn set_remember_shapes(&mut self, on: bool) {
        self.shapes_off = !on;
        if !on {
            self.shapes.clear();
        }
    }

    /// Decodes the one message at the start of `buf` (which must hold it whole).
    ///
    /// Fails only for bytes that are not a well-framed message (garbled: FIX says ignore
    /// them); dictionary problems are reported by [`MessageView::problem`].
    pub fn decode<'a>(
        &'a mut self,
        buf: &'a [u8],
        dict: &'a Dictionary,
        opts: &ValidationOptions,
    ) -> Result<MessageView<'a>, FrameError> {
        let located = match locate_frame(buf, opts.max_message_len)? {
            Some(f) => f,
            None => return Err(FrameError::Truncated { skip: buf.len() }),
        };
        // One pass over the body marks its SOH bytes and sums it for the CheckSum.
        let body = located.frame.body.clone();
        let body_sum = soh_bitmap(&buf[body.clone()], &mut self.soh_bits);
        let sum = byte_sum(&buf[..body.start]).wrapping_add(body_sum);
        let frame = located.verify((sum & 0xFF) as u8)?;
        let buf = &buf[..frame.len];
        self.fields.clear();
        self.slots.clear();
        self.levels.clear();
        self.groups.clear();
        // BeginString and BodyLength are framed already.
        let bl_start = frame.begin_string.end + 3;
        self.fields.push(field_ref(
            dict,
            8,
            frame.begin_string.start,
            frame.begin_string.end,
        ));
        self.fields
            .push(field_ref(dict, 9, bl_start, frame.body.start - 1));
        // The body starts with `35=` (the frame checks it); MsgType runs to the next SOH.
        let msg_type = buf
            .get(frame.body.start + 3..frame.body.end)
            .and_then(|rest| rest.iter().position(|&b| b == SOH).map(|n| &rest[..n]))
            .unwrap_or_default();
        // A remembered shape knows its message; other messages are looked up.
        let shape = match dict.id.0 {
            0 => None,
            id => self
                .shapes
                .iter()
                .position(|s| s.is_for(id, msg_type, opts)),
        };
        // A shape that keeps missing is set aside for a while (see `Trust`): messages of its
        // MsgType are walked without trying it.
        let usable = shape.filter(|&i| self.shapes.get(i).is_some_and(|s| s.trust.cooldown == 0));
        let remembered = usable.and_then(|i| self.shapes.get(i));
        let message = match remembered {
            Some(sh) => dict.messages.get(sh.message),
            None => dict.message(msg_type),
        };
        let tags = message.map_or(&TagTable::EMPTY, |m| &m.body.combined_tags);
        // Fields that follow a remembered shape come from it; the rest from the tables.
        let followed = match remembered {
            Some(sh) => follow(
                buf,
                frame.body.clone(),
                dict,
                sh,
                &mut self.fields,
                &self.soh_bits,
            ),
            None => Followed {
                next: frame.body.start,
                whole: false,
            },
        };
        let tokenized = if followed.whole {
            Ok(())
        } else {
            tokenize(
                buf,
                frame.body.clone(),
                followed.next,
                dict,
                tags,
                &mut self.fields,
                &self.soh_bits,
            )
        };
        let cs = frame.body.end + 3;
        self.fields.push(field_ref(dict, CHECK_SUM, cs, cs + 3));
        self.counts.clear();
        let mut walk = Walk {
            buf,
            dict,
            opts,
            fields: &self.fields,
            slots: &mut self.slots,
            levels: &mut self.levels,
            groups: &mut self.groups,
            counts: &mut self.counts,
        };
        let mut replayed = None;
        let mut walked_valid = false;
        let problem = match (tokenized, usable) {
            (Ok(()), Some(i))
                if followed.whole && self.shapes[i].framing_ok(dict, buf, &self.fields) =>
            {
                replayed = Some(i);
                None
            }
            (Err(e), _) => {
                // Still index what we can so the header is readable.
                let _ = walk.run(message);
                Some(e)
            }
            (Ok(_), _) => {
                let problem = walk.run(message).err();
                walked_valid = problem.is_none();
                problem
            }
        };
        let learn = walked_valid && message.is_some() && dict.id.0 != 0 && !self.shapes_off;
        let remember = match shape.and_then(|i| self.shapes.get_mut(i)) {
            // The first message of its MsgType.
            None => learn,
            Some(s) if replayed.is_some() => {
                s.trust.hit();
                false
            }
            Some(s) if usable.is_some() => {
                s.trust.miss();
                false
            }
            Some(s) => s.trust.cool() && learn,
        };
        if remember {
            self.remember(shape, buf, frame.body.start, dict, msg_type, opts);
        }
        // A replayed message's index is its shape's.
        let (slots, levels, groups) = match replayed.and_then(|i| self.shapes.get(i)) {
            Some(shape) => (&shape.slots, &shape.levels, &shape.groups),
            None => (&self.slots, &self.levels, &self.groups),
        };
        Ok(MessageView {
            buf,
            dict,
            message,
            fields: &self.fields,
            slots,
            levels,
            groups,
            problem,
        })
    }
}

mod level;
mod shape;
mod tokenize;
mod typed;
mod walk;

pub use level::{first_error, Level};
use shape::*;
use tokenize::*;
pub use typed::{AnyMessageRef, ViewValue};
use walk::*;

#[cfg(test)]
mod tests;
