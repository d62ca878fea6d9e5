//! Reading a decoded message: [`MessageView`] and its [`Level`]s, by slot.

use super::*;

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

    pub(super) fn level(&self, level: usize) -> Level<'_, 'a> {
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
    #[doc(hidden)]
    pub fn opt<V: FixValue>(&self, err: &mut Option<Invalid>, slot: usize, tag: Tag) -> Option<V> {
        keep_first(err, self.get(slot, tag)).flatten()
    }

    /// A required field (its absence is `RequiredTagMissing`).
    #[inline]
    #[doc(hidden)]
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
    #[doc(hidden)]
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
    #[doc(hidden)]
    pub fn required_component<C: Fields>(
        &self,
        err: &mut Option<Invalid>,
        base: usize,
    ) -> Option<Box<C>> {
        keep_first(err, C::decode_fields(self.sub(base))).map(Box::new)
    }

    /// The entries of the group in `slot`.
    #[inline]
    #[doc(hidden)]
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
#[doc(hidden)]
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
