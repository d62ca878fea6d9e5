//! Splitting a body into fields: tags read by their wire text, values bounded by SOH
//! (DATA values by their length field).

use super::*;

#[inline]
pub(super) fn field_ref(dict: &Dictionary, tag: Tag, start: usize, end: usize) -> FieldRef {
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
pub(super) fn tokenize(
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
pub(super) fn data_end(
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

/// The eight bytes at `pos` as a little-endian word, if there are eight.
#[inline(always)]
pub(super) fn word_at(buf: &[u8], pos: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*buf.get(pos..)?.first_chunk::<8>()?))
}

/// The text key of the tag at `pos` (the bytes before `=` in the word read there, see
/// [`crate::tag_text`]) and the position of its `=`, when the `=` is one of the word's
/// bytes 1 to 7.
#[inline(always)]
pub(super) fn tag_text(buf: &[u8], pos: usize) -> Option<(u64, usize)> {
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
pub(super) fn word_tag(buf: &[u8], pos: usize) -> Option<(Tag, usize)> {
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
pub(super) fn digits_value(d: u64, len: usize) -> Tag {
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
pub(super) fn tag_slow(buf: &[u8], pos: usize) -> Result<(Tag, usize), Invalid> {
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
pub(super) fn parse_tag(bytes: &[u8]) -> Result<Tag, Option<RefTag>> {
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
