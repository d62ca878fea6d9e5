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

/// How many message shapes a [`Decoder`] remembers.
const MAX_SHAPES: usize = 8;
/// Messages with more fields than this are not remembered.
const MAX_SHAPE_FIELDS: usize = 1024;

impl Shape {
    /// Whether this is the shape of messages of `msg_type` decoded with dictionary `dict`
    /// (its id) and `opts`.
    fn is_for(&self, dict: u64, msg_type: &[u8], opts: &ValidationOptions) -> bool {
        self.dict == dict && self.msg_type == msg_type && self.opts == *opts
    }

    /// For a message whose body followed this shape (see [`follow`], which checked the body's
    /// values): whether its framing fields (BeginString, BodyLength, CheckSum; `fields` holds
    /// them all) pass the checks too. When false, the caller walks the message.
    fn framing_ok(&self, dict: &Dictionary, buf: &[u8], fields: &[FieldRef]) -> bool {
        self.framing.iter().all(|c| {
            fields.get(c.at as usize).is_some_and(|f| {
                f.start != f.end && (!c.checks_more() || shaped_value_ok(dict, buf, f, c))
            })
        })
    }
}

impl ShapeCheck {
    /// No check beyond the value being non-empty.
    const NONE: ShapeCheck = ShapeCheck {
        at: 0,
        class: C_TEXT,
        count: NOT_A_COUNT,
        enum_at: 0,
        enum_len: 0,
    };

    /// The check of field `f` (at index `at`), a NumInGroup one with `count` entries or not
    /// ([`NOT_A_COUNT`]), under `opts`: the walk's value checks as data.
    fn of(
        dict: &Dictionary,
        opts: &ValidationOptions,
        f: &FieldRef,
        at: usize,
        count: u32,
    ) -> Self {
        let class = if f.def == NO_DEF || !opts.check_values {
            C_TEXT
        } else {
            f.class()
        };
        let (enum_at, enum_len) = match dict.meta(f.position()) {
            Some(m) if f.def != NO_DEF => (m.bitmap, m.count),
            _ => (0, 0),
        };
        ShapeCheck {
            at: at as u32,
            // A count is checked by the path for counted values (see `shaped_value_ok`).
            class: if count == NOT_A_COUNT {
                class
            } else {
                class | COUNTED
            },
            count,
            enum_at,
            enum_len,
        }
    }

    /// A check beyond the value being non-empty.
    fn checks_more(&self) -> bool {
        self.class != C_TEXT || self.count != NOT_A_COUNT
    }
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
}

/// One decoded message: the bytes plus an index of where each field lies.
#[derive(Debug)]
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
        let remembered = shape.and_then(|i| self.shapes.get(i));
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
        let problem = match (tokenized, shape) {
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
                if problem.is_none() && message.is_some() && dict.id.0 != 0 && !self.shapes_off {
                    self.remember(shape, buf, frame.body.start, dict, msg_type, opts);
                }
                problem
            }
        };
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

impl Decoder {
    /// Remembers the shape of the valid message just walked (see [`Shape`]), replacing
    /// `found`, the shape for the same MsgType, dictionary and options, if there is one.
    fn remember(
        &mut self,
        found: Option<usize>,
        buf: &[u8],
        body_start: usize,
        dict: &Dictionary,
        msg_type: &[u8],
        opts: &ValidationOptions,
    ) {
        // The body's fields: after BeginString and BodyLength, before CheckSum.
        let body = match self.fields.get(2..self.fields.len().saturating_sub(1)) {
            Some(body) if body.len() <= MAX_SHAPE_FIELDS => body,
            _ => return,
        };
        let Some(message) = dict.message_index(msg_type) else {
            return;
        };
        let at = match found {
            Some(i) => i,
            None if self.shapes.len() < MAX_SHAPES => {
                self.shapes.push(Shape {
                    dict: dict.id.0,
                    msg_type: Vec::new(),
                    opts: opts.clone(),
                    fields: Vec::new(),
                    has_data: false,
                    refs: Vec::new(),
                    checks: Vec::new(),
                    counts: Vec::new(),
                    framing: [ShapeCheck::NONE; 3],
                    message,
                    slots: Vec::new(),
                    levels: Vec::new(),
                    groups: Vec::new(),
                });
                self.shapes.len() - 1
            }
            None => {
                let i = self.next_shape % MAX_SHAPES;
                self.next_shape = i + 1;
                i
            }
        };
        let Some(shape) = self.shapes.get_mut(at) else {
            return;
        };
        // Matches nothing until it is whole (dictionary id 0 is never looked up).
        shape.dict = 0;
        shape.fields.clear();
        shape.checks.clear();
        shape.counts.clear();
        // Each tag starts right after the previous field's SOH.
        let mut tag_start = body_start;
        for (k, f) in body.iter().enumerate() {
            let Some((key, eq)) = tag_text(buf, tag_start) else {
                // A tag of eight digits or more: no text key; this message is not remembered.
                return;
            };
            // `tag_text` found `=` at byte 1 to 7 of the word: digits and `=` fit in it.
            let eq = eq - tag_start;
            shape.fields.push(ShapeField {
                text: key | u64::from(b'=') << (8 * eq),
                mask: u64::MAX >> (56 - 8 * eq),
                eq: eq as u32,
                data: (f.def >> 24) as u8 & K_DATA != 0,
            });
            // NumInGroup fields: `counts` holds their index among all fields (the body's
            // from 2 on, after BeginString and BodyLength).
            let count = self
                .counts
                .iter()
                .find(|&&(i, _)| i as usize == k + 2)
                .map_or(NOT_A_COUNT, |&(_, n)| n);
            let check = match count_key(count) {
                Some(key) => {
                    shape.counts.push((k as u32, key));
                    // A count's digits pass the INT check; other classes still check.
                    Some(ShapeCheck::of(dict, opts, f, k, NOT_A_COUNT))
                        .filter(|c| c.class != C_UINT)
                }
                None => Some(ShapeCheck::of(dict, opts, f, k, count)),
            };
            if let Some(check) = check.filter(ShapeCheck::checks_more) {
                shape.checks.push(check);
            }
            tag_start = f.end as usize + 1;
        }
        shape.has_data = shape.fields.iter().any(|f| f.data);
        shape.refs.clear();
        shape.refs.extend_from_slice(body);
        let last = self.fields.len().saturating_sub(1);
        for (check, at) in shape.framing.iter_mut().zip([0, 1, last]) {
            if let Some(f) = self.fields.get(at) {
                *check = ShapeCheck::of(dict, opts, f, at, NOT_A_COUNT);
            }
        }
        shape.message = message;
        shape.msg_type.clear();
        shape.msg_type.extend_from_slice(msg_type);
        if shape.opts != *opts {
            shape.opts = opts.clone();
        }
        shape.slots.clone_from(&self.slots);
        shape.levels.clone_from(&self.levels);
        shape.groups.clone_from(&self.groups);
        shape.dict = dict.id.0;
    }
}

#[inline]
fn field_ref(dict: &Dictionary, tag: Tag, start: usize, end: usize) -> FieldRef {
    let def = dict.field_info(tag);
    FieldRef {
        tag,
        start: start as u32,
        end: end as u32,
        def,
        place: UNPLACED,
    }
}

/// Splits the body from byte `from` on (the body's start, or where [`follow`] left off) into
/// fields, appended to `out`. A tag that is not a positive number is reported as
/// `Invalid tag number` with the tag as received, and tokenizing stops.
///
/// Field ends come from `soh_bits`, the bitmap of the body's SOH bytes, one bit at a time, so
/// the next field's bounds never wait for this one's tag; only a DATA field (whose value may
/// hold SOH) moves the end by its length field, skipping the SOH bits inside its value.
#[inline(never)]
fn tokenize(
    buf: &[u8],
    body: Range<usize>,
    from: usize,
    dict: &Dictionary,
    message_tags: &TagTable,
    out: &mut Vec<FieldRef>,
    soh_bits: &[u64],
) -> Result<(), Invalid> {
    // Without the message's table, fields are placed by the walk.
    let not_member = if message_tags.is_built() {
        NO_PLACE
    } else {
        UNPLACED
    };
    let end = body.end.min(buf.len());
    let base = body.start.min(end);
    // Fields take at least four bytes (`1=x` and SOH); room for them all up front.
    out.reserve(end.saturating_sub(from) / 4 + 1);
    let mut start = from.clamp(base, end);
    // SOH bytes before this one are inside a DATA value, or before `from`.
    let mut skip_to = start;
    for (w, &word) in soh_bits.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let soh = base + w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if soh < skip_to {
                continue;
            }
            // The tag by its text: in the message's table (with its place), else in the
            // dictionary's; else (unknown tag, leading zeros, long tag) read as a number.
            let by_text = tag_text(buf, start).and_then(|(key, eq)| {
                if let Some(e) = message_tags.get(key) {
                    return Some((e.tag, eq, e.def, e.place));
                }
                let e = dict.tags.get(key)?;
                Some((e.tag, eq, e.def, not_member))
            });
            let (tag, eq, def, place) = match by_text {
                Some(found) => found,
                None => {
                    let (tag, eq) = match word_tag(buf, start) {
                        Some(found) => found,
                        None => tag_slow(&buf[..end], start)?,
                    };
                    (tag, eq, dict.field_info(tag), UNPLACED)
                }
            };
            let vstart = eq + 1;
            let mut vend = soh;
            if (def >> 24) as u8 & K_DATA != 0 {
                let length = out
                    .last()
                    .and_then(|prev| buf.get(prev.start as usize..prev.end as usize));
                vend = data_end(buf, end, length, vstart, tag)?;
                // SOH bits up to the value's end, in this word or later ones, are skipped
                // by the check at the top.
                skip_to = vend + 1;
            }
            if vstart > vend {
                // Unreachable: the tag's digits hold no SOH, so its `=` comes first.
                return Err(Invalid::new(R::Other, tag));
            }
            out.push(FieldRef {
                tag,
                start: vstart as u32,
                end: vend as u32,
                def,
                place,
            });
            start = vend + 1;
        }
    }
    if start < end {
        // Bytes after the last SOH (the frame's checks make this unreachable).
        return Err(Invalid::message(R::Other));
    }
    Ok(())
}

/// The end of a DATA value starting at `vstart`: its length is `length`, the value of the
/// field before it, and a SOH must follow it before `end`.
#[cold]
fn data_end(
    buf: &[u8],
    end: usize,
    length: Option<&[u8]>,
    vstart: usize,
    tag: Tag,
) -> Result<usize, Invalid> {
    match length.and_then(|v| u32::parse(v).ok()).map(|n| n as usize) {
        Some(n) if vstart + n < end && buf.get(vstart + n) == Some(&SOH) => Ok(vstart + n),
        _ => Err(Invalid::new(R::IncorrectDataFormatForValue, tag)),
    }
}

/// How far a body followed a remembered shape (see [`follow`]).
struct Followed {
    /// Where the first field off the shape starts; the body's end when it followed to the end.
    next: usize,
    /// Whether every field followed the shape, nothing came after, and every value passed.
    whole: bool,
}

/// Splits the body into fields while their tags follow the remembered `shape`, appending
/// them to `out`. Each tag is compared by its wire text and `=` in one masked word; its
/// number, definition and place are the shape's. Then the values get the checks the walk
/// would make: the shape's [`ShapeCheck`]s, and every value must be non-empty (an empty one
/// counts as failing: the walk decides).
///
/// Stops at the first tag off the shape, a DATA field it cannot bound, or a field beyond
/// the shape's; [`tokenize`] goes on from [`Followed::next`].
#[inline(never)]
fn follow(
    buf: &[u8],
    body: Range<usize>,
    dict: &Dictionary,
    shape: &Shape,
    out: &mut Vec<FieldRef>,
    soh_bits: &[u64],
) -> Followed {
    let end = body.end.min(buf.len());
    let base = body.start.min(end);
    if shape.refs.len() != shape.fields.len() {
        // Not a whole shape (never remembered so).
        return Followed {
            next: base,
            whole: false,
        };
    }
    let first = out.len();
    out.extend_from_slice(&shape.refs);
    let body_refs = out.get_mut(first..).unwrap_or_default();
    // Shapes without DATA fields (nearly all) take a loop without their branch.
    let run = if shape.has_data {
        follow_fields::<true>(buf, base, end, &shape.fields, body_refs, soh_bits)
    } else {
        follow_fields::<false>(buf, base, end, &shape.fields, body_refs, soh_bits)
    };
    if run.followed < shape.fields.len() {
        out.truncate(first + run.followed);
        return Followed {
            next: run.start,
            whole: false,
        };
    }
    let body_fields = out.get(first..).unwrap_or_default();
    let values_ok = !run.empty
        && shape.counts.iter().all(|&(at, key)| {
            body_fields.get(at as usize).is_some_and(|f| {
                buf.get(f.start as usize..f.end as usize)
                    .and_then(crate::dict::pack)
                    == Some(key)
            })
        })
        && shape.checks.iter().all(|c| {
            body_fields
                .get(c.at as usize)
                .is_some_and(|f| shaped_value_ok(dict, buf, f, c))
        });
    Followed {
        next: run.start,
        whole: run.rest_empty && run.start == end && values_ok,
    }
}

/// How far [`follow_fields`] went.
struct Run {
    /// The number of fields that followed the shape.
    followed: usize,
    /// Where the field after them starts.
    start: usize,
    /// Whether one of their values was empty.
    empty: bool,
    /// Whether no SOH came after the last of them.
    rest_empty: bool,
}

/// The loop of [`follow`]: bounds `refs` (the shape's records, copied in) field by field
/// while the tags of the body `base..end` match `fields`. `DATA` says whether any of them
/// is a DATA field.
#[inline(never)]
fn follow_fields<const DATA: bool>(
    buf: &[u8],
    base: usize,
    end: usize,
    fields: &[ShapeField],
    refs: &mut [FieldRef],
    soh_bits: &[u64],
) -> Run {
    let mut start = base;
    // Where the value before `start` began (for a DATA field's length).
    let mut prev_vstart = base;
    let mut empty = false;
    let mut followed = 0usize;
    // The SOH bits not yet used, `bits` of the word at byte `w_base` on, then `words`.
    let mut words = soh_bits.iter();
    let mut bits = 0u64;
    let mut w_base = base.wrapping_sub(64);
    'fields: for (e, f) in fields.iter().zip(refs.iter_mut()) {
        while bits == 0 {
            match words.next() {
                Some(&next) => {
                    bits = next;
                    w_base = w_base.wrapping_add(64);
                }
                None => break 'fields,
            }
        }
        let soh = w_base.wrapping_add(bits.trailing_zeros() as usize);
        bits &= bits - 1;
        let Some(word) = word_at(buf, start) else {
            break;
        };
        if word & e.mask != e.text {
            break;
        }
        // The tag's digits and `=` matched and hold no SOH: the value starts at or before
        // `soh`.
        let vstart = start + e.eq as usize + 1;
        let mut vend = soh;
        if DATA && e.data {
            let length = (followed > 0)
                .then(|| buf.get(prev_vstart..start - 1))
                .flatten();
            let Ok(data_end) = data_end(buf, end, length, vstart, f.tag) else {
                break;
            };
            vend = data_end;
            // Go on with the SOH bits after the value's end.
            let next = vend + 1 - base;
            let w = next / 64;
            w_base = base + w * 64;
            bits = soh_bits
                .get(w)
                .map_or(0, |&b| b & (u64::MAX << (next % 64)));
            words = soh_bits.get(w + 1..).unwrap_or_default().iter();
        }
        f.start = vstart as u32;
        f.end = vend as u32;
        empty |= vstart == vend;
        prev_vstart = vstart;
        start = vend + 1;
        followed += 1;
    }
    Run {
        followed,
        start,
        empty,
        // Nothing may follow the last field.
        rest_empty: bits == 0 && words.all(|&b| b == 0),
    }
}

/// The eight bytes at `pos` as a little-endian word, if there are eight.
#[inline(always)]
fn word_at(buf: &[u8], pos: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*buf.get(pos..)?.first_chunk::<8>()?))
}

/// The text key of the tag at `pos` (the bytes before `=` in the word read there, see
/// [`crate::tag_text`]) and the position of its `=`, when the `=` is one of the word's
/// bytes 1 to 7.
#[inline(always)]
fn tag_text(buf: &[u8], pos: usize) -> Option<(u64, usize)> {
    let word = word_at(buf, pos)?;
    let eq = zero_bytes(word ^ (ONES * u64::from(b'=')));
    let first = eq & eq.wrapping_neg();
    let k = (first.trailing_zeros() / 8) as usize;
    if k.wrapping_sub(1) >= 7 {
        return None;
    }
    Some((word & ((first >> 7) - 1), pos + k))
}

/// The tag at `pos` and the position of its `=`, when the tag is 1 to 7 digits and the `=`
/// lies in the eight bytes from `pos` (read as one little-endian word; the frame's trailer
/// guarantees eight readable bytes after any body field's start). `None` otherwise: the
/// caller reads byte by byte.
#[inline(always)]
fn word_tag(buf: &[u8], pos: usize) -> Option<(Tag, usize)> {
    let (key, eq) = tag_text(buf, pos)?;
    let k = eq - pos;
    // Bytes below `k` must be digits.
    let low = u64::MAX >> (64 - 8 * k);
    if !digits_in(key, low) {
        return None;
    }
    let d = key.wrapping_sub(ONES * u64::from(b'0'));
    match digits_value(d & low, k) {
        0 => None,
        tag => Some((tag, eq)),
    }
}

/// The number whose `len` (1 to 8) decimal digits are the low bytes of `d` (each 0 to 9,
/// the first digit lowest, higher bytes zero), without a loop.
#[inline(always)]
fn digits_value(d: u64, len: usize) -> Tag {
    // Right-align the digits as eight with leading zeros, then combine pairs, quads and
    // halves.
    let v = d << (64 - 8 * len);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v = ((v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32))))
        >> 32;
    v as Tag
}

/// The tag at `pos` and the position of its `=`, byte by byte: 1 to 9 digits, then `=`;
/// anything else is the error to report.
#[inline(never)]
fn tag_slow(buf: &[u8], pos: usize) -> Result<(Tag, usize), Invalid> {
    let mut tag: Tag = 0;
    let mut p = pos;
    while let Some(&b) = buf.get(p) {
        if !b.is_ascii_digit() || p - pos == 9 {
            break;
        }
        tag = tag * 10 + Tag::from(b - b'0');
        p += 1;
    }
    if p > pos && tag != 0 && buf.get(p) == Some(&b'=') {
        return Ok((tag, p));
    }
    let eq = match buf[pos..].iter().position(|&b| b == b'=') {
        Some(q) => pos + q,
        None => return Err(Invalid::message(R::Other)),
    };
    match parse_tag(&buf[pos..eq]) {
        Ok(t) => Ok((t, eq)),
        Err(bad) => Err(Invalid {
            reason: R::InvalidTagNumber,
            tag: bad,
        }),
    }
}

/// Reads a tag number; on failure returns the tag as best it can be reported (e.g. `-1`).
fn parse_tag(bytes: &[u8]) -> Result<Tag, Option<RefTag>> {
    if bytes.is_empty() || bytes.len() > 9 {
        return Err(None);
    }
    let (neg, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(None);
    }
    let n = digits
        .iter()
        .fold(0i64, |a, &b| a * 10 + i64::from(b - b'0'));
    if neg {
        return Err(Some(-n));
    }
    match Tag::try_from(n) {
        Ok(0) | Err(_) => Err(Some(n)),
        Ok(t) => Ok(t),
    }
}

struct Walk<'w> {
    buf: &'w [u8],
    dict: &'w Dictionary,
    opts: &'w ValidationOptions,
    fields: &'w [FieldRef],
    slots: &'w mut Vec<u32>,
    levels: &'w mut Vec<LevelRec>,
    groups: &'w mut Vec<GroupRec>,
    /// Every NumInGroup field read: `(field index, count)`.
    counts: &'w mut Vec<(u32, u32)>,
}

impl<'w> Walk<'w> {
    fn new_level(&mut self, layout: &Layout) -> usize {
        let start = self.slots.len();
        self.slots.resize(start + layout.members.len(), 0);
        self.levels.push(LevelRec {
            slots_start: start as u32,
            slots_len: layout.members.len() as u32,
        });
        self.levels.len() - 1
    }

    fn value(&self, f: &FieldRef) -> &'w [u8] {
        &self.buf[f.start as usize..f.end as usize]
    }

    /// Checks one field's value against its definition.
    #[inline(always)]
    fn check_value(&self, f: &FieldRef) -> Result<(), Invalid> {
        if f.start == f.end {
            if self.opts.check_fields_have_values {
                return Err(Invalid::new(R::TagSpecifiedWithoutAValue, f.tag));
            }
            return Ok(());
        }
        if !self.opts.check_values || f.def == NO_DEF {
            // Undefined tags: nothing more to check.
            return Ok(());
        }
        let v = self.value(f);
        if quick_value_ok(self.dict, f.class(), f.position(), v) {
            return Ok(());
        }
        // The full checks give the verdict and the reason.
        check_typed_value(self.dict, v, f)
    }

    fn run(&mut self, message: Option<&'w MessageDef>) -> Result<(), Invalid> {
        let result = self.run_levels(message);
        if message.is_none() {
            // An unknown MsgType outranks whatever else is wrong with the body.
            return Err(Invalid::new(R::InvalidMsgType, crate::tag::MSG_TYPE));
        }
        result
    }

    fn run_levels(&mut self, message: Option<&'w MessageDef>) -> Result<(), Invalid> {
        let dict = self.dict;
        let header_l = self.new_level(&dict.header);
        let body_layout = message.map(|m| &m.body).unwrap_or(&Layout::EMPTY);
        let body_l = self.new_level(body_layout);
        let trailer_l = self.new_level(&dict.trailer);
        debug_assert_eq!((header_l, body_l, trailer_l), (HEADER, BODY, TRAILER));

        // Where each level's slots start (levels 0, 1 and 2 are laid out in that order).
        let bases = [
            0,
            dict.header.members.len(),
            dict.header.members.len() + body_layout.members.len(),
        ];
        let layouts = [&dict.header, body_layout, &dict.trailer];
        let mut phase = HEADER;
        let mut i = 0;
        let n = self.fields.len();
        let mut first: Option<Invalid> = None;
        while i < n {
            let f = self.fields[i];
            // Where does the field belong? One lookup in the message's combined table, or
            // the header, body and trailer in turn.
            let place = match f.place {
                NO_PLACE => None,
                UNPLACED => match body_layout.combined_slot(f.tag) {
                    Some(Some(found)) => Some(found),
                    Some(None) => {
                        if let Some(s) = dict.header.slot(f.tag) {
                            Some((HEADER, s, true))
                        } else if let Some(s) = body_layout.slot(f.tag) {
                            Some((BODY, s, true))
                        } else {
                            dict.trailer.slot(f.tag).map(|s| (TRAILER, s, true))
                        }
                    }
                    None => None,
                },
                placed => Some(unpack_place(placed)),
            };
            // `maybe_group`: false only when the member is known to be a field.
            let Some((lvl, slot, maybe_group)) = place else {
                // Not a member of this message.
                phase = phase.max(BODY);
                if f.def == NO_DEF {
                    let user = f.tag >= USER_DEFINED_START;
                    if !user || self.opts.check_user_defined_fields {
                        return Err(Invalid::new(R::InvalidTagNumber, f.tag));
                    }
                } else if message.is_some() && !self.opts.allow_unknown_message_fields {
                    first.get_or_insert(Invalid::new(R::TagNotDefinedForThisMessageType, f.tag));
                } else if let Err(e) = self.check_value(&f) {
                    first.get_or_insert(e);
                }
                i += 1;
                continue;
            };
            if lvl < phase {
                if self.opts.check_fields_out_of_order {
                    first.get_or_insert(Invalid::new(R::TagSpecifiedOutOfRequiredOrder, f.tag));
                }
            } else {
                phase = lvl;
            }
            if let Err(e) = self.check_value(&f) {
                first.get_or_insert(e);
            }
            let at = bases[lvl] + slot;
            match self.slots.get_mut(at) {
                Some(s) if *s == 0 => *s = i as u32 + 1,
                _ => return Err(Invalid::new(R::TagAppearsMoreThanOnce, f.tag)),
            }
            if maybe_group {
                if let Some(Member::Group {
                    tag,
                    delimiter,
                    entry,
                    ..
                }) = layouts[lvl].member(slot)
                {
                    i = self.group(at, i, *tag, *delimiter, entry)?;
                    continue;
                }
            }
            i += 1;
        }
        if let Some(e) = first {
            return Err(e);
        }
        if self.opts.check_required {
            self.check_required(HEADER, &dict.header)?;
            if message.is_some() {
                self.check_required(BODY, body_layout)?;
            }
            self.check_required(TRAILER, &dict.trailer)?;
        }
        Ok(())
    }

    /// Reads a group whose NumInGroup field is `fields[i]`, stored at slot index `at` of
    /// `slots`. Returns the index of the first field after the group.
    fn group(
        &mut self,
        at: usize,
        i: usize,
        count_tag: Tag,
        delimiter: Tag,
        entry: &'w Layout,
    ) -> Result<usize, Invalid> {
        let count_field = self.fields[i];
        let Ok(count) = u32::parse(self.value(&count_field)) else {
            return Err(Invalid::new(R::IncorrectDataFormatForValue, count_tag));
        };
        self.counts.push((i as u32, count));
        let n = self.fields.len();
        if count as usize > n - i - 1 {
            return Err(Invalid::new(R::IncorrectNumInGroupCount, count_tag));
        }
        let first_level = self.levels.len();
        let width = entry.members.len();
        self.levels.resize(
            first_level + count as usize,
            LevelRec {
                slots_start: 0,
                slots_len: 0,
            },
        );
        self.groups.push(GroupRec {
            first_level: first_level as u32,
            count,
            field: i as u32,
        });
        if let Some(s) = self.slots.get_mut(at) {
            *s = GROUP_SLOT | self.groups.len() as u32; // group index + 1
        }
        let mut j = i + 1;
        let mut seen = 0u32;
        // Where the current entry's slots start.
        let mut base = 0usize;
        while j < n {
            let f = self.fields[j];
            let Some((s, is_group)) = entry.slot_info(f.tag) else {
                break;
            };
            if f.tag == delimiter {
                if seen == count {
                    return Err(Invalid::new(R::IncorrectNumInGroupCount, count_tag));
                }
                base = self.slots.len();
                self.slots.resize(base + width, 0);
                if let Some(rec) = self.levels.get_mut(first_level + seen as usize) {
                    *rec = LevelRec {
                        slots_start: base as u32,
                        slots_len: width as u32,
                    };
                }
                seen += 1;
            } else if seen == 0 {
                return Err(Invalid::new(R::RepeatingGroupFieldsOutOfOrder, f.tag));
            }
            self.check_value(&f)?;
            let field_at = base + s;
            match self.slots.get_mut(field_at) {
                Some(slot) if *slot == 0 => *slot = j as u32 + 1,
                _ => return Err(Invalid::new(R::TagAppearsMoreThanOnce, f.tag)),
            }
            if is_group {
                if let Some(Member::Group {
                    tag,
                    delimiter: inner_delimiter,
                    entry: inner,
                    ..
                }) = entry.member(s)
                {
                    j = self.group(field_at, j, *tag, *inner_delimiter, inner)?;
                    continue;
                }
            }
            j += 1;
        }
        if seen != count {
            return Err(Invalid::new(R::IncorrectNumInGroupCount, count_tag));
        }
        if self.opts.check_required {
            for e in 0..count as usize {
                self.check_required(first_level + e, entry)?;
            }
        }
        Ok(j)
    }

    fn check_required(&self, level: usize, layout: &Layout) -> Result<(), Invalid> {
        let rec = self.levels[level];
        let slots = &self.slots[rec.slots_start as usize..][..rec.slots_len as usize];
        for &slot in layout.required.iter() {
            let slot = usize::from(slot);
            if slots.get(slot) == Some(&0) {
                let tag = layout.member(slot).map_or(0, Member::tag);
                if tag != CHECK_SUM {
                    return Err(Invalid::new(R::RequiredTagMissing, tag));
                }
            }
        }
        Ok(())
    }
}

fn enum_ok(def: &FieldDef, v: &[u8]) -> bool {
    if def.field_type.is_multiple() {
        v.split(|&b| b == b' ')
            .all(|tok| def.enum_value(tok).is_some())
    } else {
        def.enum_value(v).is_some()
    }
}

/// The format and enumeration checks of [`Walk::check_value`] for value `v` of field `f`.
#[inline(never)]
fn check_typed_value(dict: &Dictionary, v: &[u8], f: &FieldRef) -> Result<(), Invalid> {
    let Some(meta) = dict.meta(f.position()) else {
        return Ok(());
    };
    if meta.kind & K_NO_FORMAT == 0 && !quick_format_ok(meta.field_type, v) {
        match check_format(meta.field_type, v) {
            Ok(()) => {}
            Err(ValueError::Empty) => {
                return Err(Invalid::new(R::TagSpecifiedWithoutAValue, f.tag))
            }
            Err(_) => return Err(Invalid::new(R::IncorrectDataFormatForValue, f.tag)),
        }
    }
    if meta.kind & K_ENUM != 0 {
        let ok = if meta.kind & K_BITMAP != 0 {
            match v {
                [b] => dict.in_bitmap(meta.bitmap, *b),
                _ => false,
            }
        } else if meta.kind & K_INTMAP != 0 {
            small_int(v).is_some_and(|n| dict.in_bitmap(meta.bitmap, n))
        } else if meta.kind & K_PACKED != 0 {
            if meta.field_type.is_multiple() {
                v.split(|&b| b == b' ')
                    .all(|tok| dict.in_packed(&meta, tok))
            } else {
                dict.in_packed(&meta, v)
            }
        } else {
            dict.fields
                .get(f.position())
                .is_none_or(|def| enum_ok(def, v))
        };
        if !ok {
            return Err(Invalid::new(R::ValueIsIncorrect, f.tag));
        }
    }
    Ok(())
}

/// The quick value check of check class `class` (a `C_*`), for the field at `position` of
/// `dict`'s fields: true means the value is valid; false means the full check
/// ([`check_typed_value`]) must decide.
#[inline(always)]
fn quick_value_ok(dict: &Dictionary, class: u8, position: usize, v: &[u8]) -> bool {
    match class {
        C_TEXT => true,
        C_BITMAP => match v {
            [b] => dict
                .meta(position)
                .is_some_and(|m| dict.in_bitmap(m.bitmap, *b)),
            _ => false,
        },
        C_INTMAP => small_int(v).is_some_and(|n| {
            dict.meta(position)
                .is_some_and(|m| dict.in_bitmap(m.bitmap, n))
        }),
        C_PACKED => dict.meta(position).is_some_and(|m| dict.in_packed(&m, v)),
        C_UINT => v.is_empty() || v.len() <= 9 && crate::scan::all_digits(v),
        C_DECIMAL => quick_decimal_ok(v),
        C_TIMESTAMP => quick_utc_timestamp_ok(v),
        C_TIMEONLY => quick_utc_time_only_ok(v),
        _ => false,
    }
}

/// A NumInGroup count's digits packed as [`crate::dict::pack`] packs a value, for counts of
/// up to seven digits.
fn count_key(count: u32) -> Option<u64> {
    if count == NOT_A_COUNT {
        return None;
    }
    let mut digits = [0u8; 10];
    let n = crate::value::digits::fill_front(&mut digits, u64::from(count));
    crate::dict::pack(digits.get(..n)?)
}

/// Whether the value of field `f`, one of a shape's, passes the shape's check `c`.
#[inline(always)]
fn shaped_value_ok(dict: &Dictionary, buf: &[u8], f: &FieldRef, c: &ShapeCheck) -> bool {
    let v = buf
        .get(f.start as usize..f.end as usize)
        .unwrap_or_default();
    let quick = match c.class {
        C_TEXT => true,
        C_BITMAP => matches!(v, [b] if dict.in_bitmap(c.enum_at, *b)),
        C_INTMAP => small_int(v).is_some_and(|n| dict.in_bitmap(c.enum_at, n)),
        C_PACKED => dict.in_packed_keys(c.enum_at, c.enum_len, v),
        class if class & COUNTED != 0 => {
            if u32::parse(v) != Ok(c.count) {
                return false;
            }
            quick_value_ok(dict, class & !COUNTED, f.position(), v)
        }
        class => quick_value_ok(dict, class, f.position(), v),
    };
    quick || check_typed_value(dict, v, f).is_ok()
}

impl<'a> MessageView<'a> {
    /// The whole message's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The dictionary the message was decoded with.
    pub fn dictionary(&self) -> &'a Dictionary {
        self.dict
    }

    /// The first dictionary rule the message breaks, if any.
    pub fn problem(&self) -> Option<&Invalid> {
        self.problem.as_ref()
    }

    /// The message's definition, if the dictionary knows its MsgType.
    pub fn message_def(&self) -> Option<&'a MessageDef> {
        self.message
    }

    fn value(&self, f: &FieldRef) -> &'a [u8] {
        &self.buf[f.start as usize..f.end as usize]
    }

    /// BeginString (8).
    pub fn begin_string(&self) -> &'a [u8] {
        self.fields
            .first()
            .map(|f| self.value(f))
            .unwrap_or_default()
    }

    /// MsgType (35).
    pub fn msg_type(&self) -> &'a [u8] {
        self.fields
            .get(2)
            .map(|f| self.value(f))
            .unwrap_or_default()
    }

    /// The value of the first field with `tag`, wherever it is.
    pub fn field(&self, tag: Tag) -> Option<&'a [u8]> {
        self.fields
            .iter()
            .find(|f| f.tag == tag)
            .map(|f| self.value(f))
    }

    /// Every field in wire order, including 8, 9 and 10.
    pub fn fields(&self) -> impl Iterator<Item = (Tag, &'a [u8])> + '_ {
        self.fields.iter().map(|f| (f.tag, self.value(f)))
    }

    /// Number of fields, including 8, 9 and 10.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the message has no fields (never true for a decoded message).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn level(&self, level: usize) -> Level<'_, 'a> {
        let rec = self.levels.get(level).copied().unwrap_or(LevelRec {
            slots_start: 0,
            slots_len: 0,
        });
        let slots = self
            .slots
            .get(rec.slots_start as usize..(rec.slots_start + rec.slots_len) as usize)
            .unwrap_or_default();
        Level { view: self, slots }
    }

    /// The standard header.
    pub fn header(&self) -> Level<'_, 'a> {
        self.level(HEADER)
    }

    /// The body, laid out by the message's definition (empty for an unknown MsgType).
    pub fn body(&self) -> Level<'_, 'a> {
        self.level(BODY)
    }

    /// The standard trailer.
    pub fn trailer(&self) -> Level<'_, 'a> {
        self.level(TRAILER)
    }
}

/// One level of a message (header, body, trailer, component or group entry): fields by slot.
#[derive(Clone, Copy)]
pub struct Level<'v, 'a> {
    view: &'v MessageView<'a>,
    slots: &'v [u32],
}

impl<'v, 'a> Level<'v, 'a> {
    /// The raw value in `slot`, if present.
    #[inline]
    pub fn raw(&self, slot: usize) -> Option<&'a [u8]> {
        let field = match self.slots.get(slot) {
            // A group's value is its NumInGroup field's.
            Some(&s) if s & GROUP_SLOT != 0 => {
                self.view.groups.get(group_index(s)?).map(|g| g.field)?
            }
            Some(&s) if s != 0 => s - 1,
            _ => return None,
        };
        self.view
            .fields
            .get(field as usize)
            .map(|f| self.view.value(f))
    }

    /// The value in `slot` read as `V`; `tag` names the field in errors.
    #[inline]
    pub fn get<V: FixValue>(&self, slot: usize, tag: Tag) -> Result<Option<V>, Invalid> {
        match self.raw(slot) {
            None => Ok(None),
            Some(b) => V::parse(b).map(Some).map_err(|e| value_error(e, tag)),
        }
    }

    /// The value in `slot` read as `V`, which must be present.
    #[inline]
    pub fn req<V: FixValue>(&self, slot: usize, tag: Tag) -> Result<V, Invalid> {
        self.get(slot, tag)?
            .ok_or(Invalid::new(R::RequiredTagMissing, tag))
    }

    /// The entries of the group in `slot` (none when absent).
    pub fn group(&self, slot: usize) -> impl ExactSizeIterator<Item = Level<'v, 'a>> + 'v {
        let view = self.view;
        let rec = match self.slots.get(slot) {
            Some(&s) => group_index(s).and_then(|g| view.groups.get(g)).copied(),
            None => None,
        }
        .unwrap_or(GroupRec {
            first_level: 0,
            count: 0,
            field: 0,
        });
        (rec.first_level..rec.first_level + rec.count).map(move |l| view.level(l as usize))
    }

    /// The level seen from `base` on: how a component's slots are read inside its parent.
    #[inline]
    pub fn sub(&self, base: usize) -> Level<'v, 'a> {
        Level {
            view: self.view,
            slots: self.slots.get(base..).unwrap_or_default(),
        }
    }

    /// Whether any slot in `range` is filled: whether an optional component is present.
    #[inline]
    pub fn any(&self, range: Range<usize>) -> bool {
        self.slots
            .get(range)
            .is_some_and(|s| s.iter().any(|&x| x != 0))
    }
}

/// Helpers for generated `decode_fields`: each reads one member, keeps the first error in
/// `err` (later ones are dropped) and returns `None` (or an empty list) on error. Generated
/// code reads every member in dictionary order, then builds the value if `err` is still
/// empty, so the error reported is the first one in member order, as with `?` after each
/// member, with much smaller functions to compile.
impl<'v, 'a> Level<'v, 'a> {
    /// An optional field.
    #[inline]
    pub fn opt<V: FixValue>(&self, err: &mut Option<Invalid>, slot: usize, tag: Tag) -> Option<V> {
        keep_first(err, self.get(slot, tag)).flatten()
    }

    /// A required field (its absence is `RequiredTagMissing`).
    #[inline]
    pub fn required<V: FixValue>(
        &self,
        err: &mut Option<Invalid>,
        slot: usize,
        tag: Tag,
    ) -> Option<V> {
        keep_first(err, self.req(slot, tag))
    }

    /// An optional component whose slots are `base..end`: present when any of them is.
    #[inline]
    pub fn component<C: Fields>(
        &self,
        err: &mut Option<Invalid>,
        base: usize,
        end: usize,
    ) -> Option<Box<C>> {
        if self.any(base..end) {
            self.required_component(err, base)
        } else {
            None
        }
    }

    /// A required component whose slots start at `base`.
    #[inline]
    pub fn required_component<C: Fields>(
        &self,
        err: &mut Option<Invalid>,
        base: usize,
    ) -> Option<Box<C>> {
        keep_first(err, C::decode_fields(self.sub(base))).map(Box::new)
    }

    /// The entries of the group in `slot`.
    #[inline]
    pub fn entries<G: Fields>(&self, err: &mut Option<Invalid>, slot: usize) -> Vec<G> {
        keep_first(
            err,
            self.group(slot)
                .map(G::decode_fields)
                .collect::<Result<Vec<G>, Invalid>>(),
        )
        .unwrap_or_default()
    }
}

/// The index into the groups of a slot holding a group; `None` for any other slot.
fn group_index(slot: u32) -> Option<usize> {
    if slot & GROUP_SLOT == 0 {
        return None;
    }
    ((slot & !GROUP_SLOT) as usize).checked_sub(1)
}

/// The error kept by the [`Level`] decode helpers, for generated code whose members did not
/// all decode (`err` is never empty then; a generic error stands in if it were).
pub fn first_error(err: Option<Invalid>) -> Invalid {
    err.unwrap_or(Invalid::message(R::Other))
}

#[inline]
fn keep_first<T>(err: &mut Option<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            if err.is_none() {
                *err = Some(e);
            }
            None
        }
    }
}

fn value_error(e: ValueError, tag: Tag) -> Invalid {
    match e {
        ValueError::Empty => Invalid::new(R::TagSpecifiedWithoutAValue, tag),
        _ => Invalid::new(R::IncorrectDataFormatForValue, tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_value_reads_one_to_eight_digits() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let len = 1 + (rng % 8) as usize;
            let digits: Vec<u8> = (0..len).map(|i| ((rng >> (5 * i)) % 10) as u8).collect();
            let word = digits
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &d)| w | u64::from(d) << (8 * i));
            let expected = digits.iter().fold(0u32, |a, &d| a * 10 + u32::from(d));
            assert_eq!(digits_value(word, len), expected, "{digits:?}");
        }
        assert_eq!(digits_value(0x0909_0909_0909_0909, 8), 99_999_999);
        assert_eq!(digits_value(0x05_03, 2), 35);
    }
}
