//! The shape cache: what the walk concluded from a valid message, replayed for messages
//! with the same tags (see [`Shape`]).

use super::*;

/// How many message shapes a [`Decoder`] remembers.
pub(super) const MAX_SHAPES: usize = 8;
/// Messages with more fields than this are not remembered.
pub(super) const MAX_SHAPE_FIELDS: usize = 1024;

impl Shape {
    /// Whether this is the shape of messages of `msg_type` decoded with dictionary `dict`
    /// (its id) and `opts`.
    pub(super) fn is_for(&self, dict: u64, msg_type: &[u8], opts: &ValidationOptions) -> bool {
        self.dict == dict && self.msg_type == msg_type && self.opts == *opts
    }

    /// For a message whose body followed this shape (see [`follow`], which checked the body's
    /// values): whether its framing fields (BeginString, BodyLength, CheckSum; `fields` holds
    /// them all) pass the checks too. When false, the caller walks the message.
    pub(super) fn framing_ok(&self, dict: &Dictionary, buf: &[u8], fields: &[FieldRef]) -> bool {
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

impl Decoder {
    /// Remembers the shape of the valid message just walked (see [`Shape`]), replacing
    /// `found`, the shape for the same MsgType, dictionary and options, if there is one.
    pub(super) fn remember(
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
                    trust: Trust::NEW,
                });
                self.shapes.len() - 1
            }
            None => {
                let i = self.next_shape % MAX_SHAPES;
                self.next_shape = i + 1;
                if let Some(s) = self.shapes.get_mut(i) {
                    // Another MsgType's shape: this one starts afresh.
                    s.trust = Trust::NEW;
                }
                i
            }
        };
        let Some(shape) = self.shapes.get_mut(at) else {
            return;
        };
        shape.trust.relearned();
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

/// Splits the body into fields while their tags follow the remembered `shape`, appending
/// them to `out`. Each tag is compared by its wire text and `=` in one masked word; its
/// number, definition and place are the shape's. Then the values get the checks the walk
/// would make: the shape's [`ShapeCheck`]s, and every value must be non-empty (an empty one
/// counts as failing: the walk decides).
///
/// Stops at the first tag off the shape, a DATA field it cannot bound, or a field beyond
/// the shape's; [`tokenize`] goes on from [`Followed::next`].
#[inline(never)]
pub(super) fn follow(
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
pub(super) struct Run {
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
pub(super) fn follow_fields<const DATA: bool>(
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

/// A NumInGroup count's digits packed as [`crate::dict::pack`] packs a value, for counts of
/// up to seven digits.
pub(super) fn count_key(count: u32) -> Option<u64> {
    if count == NOT_A_COUNT {
        return None;
    }
    let mut digits = [0u8; 10];
    let n = crate::value::digits::fill_front(&mut digits, u64::from(count));
    crate::dict::pack(digits.get(..n)?)
}

/// Whether the value of field `f`, one of a shape's, passes the shape's check `c`.
#[inline(always)]
pub(super) fn shaped_value_ok(dict: &Dictionary, buf: &[u8], f: &FieldRef, c: &ShapeCheck) -> bool {
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
    quick || check_typed_value(dict, v, f, true).is_ok()
}
