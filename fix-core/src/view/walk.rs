//! The walk: assigns each field to its level and slot and checks the dictionary's rules.

use super::*;

pub(super) struct Walk<'w> {
    pub(super) buf: &'w [u8],
    pub(super) dict: &'w Dictionary,
    pub(super) opts: &'w ValidationOptions,
    pub(super) fields: &'w [FieldRef],
    pub(super) slots: &'w mut Vec<u32>,
    pub(super) levels: &'w mut Vec<LevelRec>,
    pub(super) groups: &'w mut Vec<GroupRec>,
    /// Every NumInGroup field read: `(field index, count)`.
    pub(super) counts: &'w mut Vec<(u32, u32)>,
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
        check_typed_value(self.dict, v, f, !self.opts.allow_unknown_enum_values)
    }

    pub(super) fn run(&mut self, message: Option<&'w MessageDef>) -> Result<(), Invalid> {
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
        // The first problem of each rank, reported in QuickFIX's order: fields out of the
        // header-body-trailer order first, then missing required fields, then the first
        // field whose tag or value is wrong.
        let mut first: Option<Invalid> = None;
        let mut first_out_of_order: Option<Invalid> = None;
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
                    first_out_of_order
                        .get_or_insert(Invalid::new(R::TagSpecifiedOutOfRequiredOrder, f.tag));
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
        if let Some(e) = first_out_of_order {
            return Err(e);
        }
        if self.opts.check_required {
            self.check_required(HEADER, &dict.header)?;
            if message.is_some() {
                self.check_required(BODY, body_layout)?;
            }
            self.check_required(TRAILER, &dict.trailer)?;
        }
        match first {
            Some(e) => Err(e),
            None => Ok(()),
        }
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
        // FirstFieldInGroupIsDelimiter: the field after the count starts each entry.
        let delimiter = match self.fields.get(j) {
            Some(f) if self.opts.first_field_in_group_is_delimiter && count > 0 => {
                if entry.slot_info(f.tag).is_some() {
                    f.tag
                } else {
                    delimiter
                }
            }
            _ => delimiter,
        };
        // The slot of the entry's last field, for the order check.
        let mut last_slot = 0usize;
        // A member's wrong value is reported after the group's count, as QuickFIX checks
        // the NumInGroup field before the entries.
        let mut first_value: Option<Invalid> = None;
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
            } else if seen == 0 || (s < last_slot && self.opts.check_group_field_order) {
                // A member before the entry's first field, or before a member it follows
                // in the dictionary.
                return Err(Invalid::new(R::RepeatingGroupFieldsOutOfOrder, f.tag));
            }
            last_slot = s;
            if let Err(e) = self.check_value(&f) {
                first_value.get_or_insert(e);
            }
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
        if let Some(e) = first_value {
            return Err(e);
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

pub(super) fn enum_ok(def: &FieldDef, v: &[u8]) -> bool {
    if def.field_type.is_multiple() {
        v.split(|&b| b == b' ')
            .all(|tok| def.enum_value(tok).is_some())
    } else {
        def.enum_value(v).is_some()
    }
}

/// The format and enumeration checks of [`Walk::check_value`] for value `v` of field `f`.
#[inline(never)]
pub(super) fn check_typed_value(
    dict: &Dictionary,
    v: &[u8],
    f: &FieldRef,
    check_enums: bool,
) -> Result<(), Invalid> {
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
    if check_enums && meta.kind & K_ENUM != 0 {
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
pub(super) fn quick_value_ok(dict: &Dictionary, class: u8, position: usize, v: &[u8]) -> bool {
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
