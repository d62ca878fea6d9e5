//! Reading fields: numbers and timestamps from received messages, and the fields of
//! messages we wrote ourselves (stored for resending).

use std::time::SystemTime;

use fix_core::tag::{
    CHECK_SUM, DELIVER_TO_COMP_ID, DELIVER_TO_LOCATION_ID, DELIVER_TO_SUB_ID, ON_BEHALF_OF_COMP_ID,
    ON_BEHALF_OF_LOCATION_ID, ON_BEHALF_OF_SUB_ID,
};
use fix_core::value::UtcTimestamp;
use fix_core::{FixValue, MessageView, Tag};

use crate::app::{RawBody, HEADER_TAGS};

/// A non-negative integer field; `None` when absent, empty, signed or not a number.
pub(super) fn parse_u64(v: Option<&[u8]>) -> Option<u64> {
    let v = v?;
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// Nanoseconds since the Unix epoch (negative before it).
pub(super) fn unix_nanos(t: SystemTime) -> i128 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// A UTCTimestamp field as nanoseconds since the Unix epoch.
pub(super) fn timestamp_nanos(v: Option<&[u8]>) -> Option<i128> {
    UtcTimestamp::parse(v?).ok().map(|t| t.to_unix_nanos())
}

/// Each routing field and the one that answers it.
const ROUTING_REVERSE: [(Tag, Tag); 6] = [
    (ON_BEHALF_OF_COMP_ID, DELIVER_TO_COMP_ID),
    (ON_BEHALF_OF_SUB_ID, DELIVER_TO_SUB_ID),
    (ON_BEHALF_OF_LOCATION_ID, DELIVER_TO_LOCATION_ID),
    (DELIVER_TO_COMP_ID, ON_BEHALF_OF_COMP_ID),
    (DELIVER_TO_SUB_ID, ON_BEHALF_OF_SUB_ID),
    (DELIVER_TO_LOCATION_ID, ON_BEHALF_OF_LOCATION_ID),
];

/// Routing fields of `view` reversed: OnBehalfOf* (115/116/144) become DeliverTo*
/// (128/129/145) and the other way round; empty values are left out, and so are fields the
/// version's header does not have (FIX.4.0 has no LocationIDs), when a dictionary says so.
pub(super) fn reverse_routing(view: &MessageView<'_>) -> Vec<(Tag, Vec<u8>)> {
    let dict = view.dictionary();
    let in_header = |tag: Tag| dict.fields.is_empty() || dict.header.slot(tag).is_some();
    let mut out = Vec::new();
    for (from, to) in ROUTING_REVERSE {
        if !in_header(to) {
            continue;
        }
        if let Some(v) = view.field(from).filter(|v| !v.is_empty()) {
            out.push((to, v.to_vec()));
        }
    }
    out
}

/// A message we wrote, cut into its leading header fields (after 8, 9 and 35) and the
/// fields that follow up to the CheckSum.
pub(super) struct StoredParts<'a> {
    /// MsgType (35).
    pub(super) msg_type: &'a [u8],
    /// Header fields in order.
    pub(super) header: Vec<(Tag, &'a [u8])>,
    /// Body fields in order.
    pub(super) body: Vec<(Tag, &'a [u8])>,
}

impl<'a> StoredParts<'a> {
    /// Cuts a stored message.
    pub(super) fn split(stored: &'a [u8]) -> StoredParts<'a> {
        let fields = split_fields(stored);
        let msg_type = fields.get(2).map(|(_, v)| *v).unwrap_or_default();
        let mut parts = StoredParts {
            msg_type,
            header: Vec::new(),
            body: Vec::new(),
        };
        for (tag, v) in fields.into_iter().skip(3) {
            if tag == CHECK_SUM {
                break;
            }
            if parts.body.is_empty() && HEADER_TAGS.contains(&tag) {
                parts.header.push((tag, v));
            } else {
                parts.body.push((tag, v));
            }
        }
        parts
    }

    /// The body as the application saw it when the message was first sent.
    pub(super) fn raw_body(&self) -> RawBody {
        let mut body = RawBody::new(&String::from_utf8_lossy(self.msg_type));
        for (tag, v) in &self.body {
            body.push(*tag, v);
        }
        body
    }
}

/// Splits a message into `(tag, value)` by SOH (for messages we wrote ourselves).
pub(super) fn split_fields(bytes: &[u8]) -> Vec<(Tag, &[u8])> {
    let mut out = Vec::new();
    for f in bytes.split(|&b| b == 0x01) {
        let Some(eq) = f.iter().position(|&b| b == b'=') else {
            continue;
        };
        let tag = std::str::from_utf8(&f[..eq])
            .ok()
            .and_then(|s| s.parse::<Tag>().ok())
            .unwrap_or(0);
        out.push((tag, &f[eq + 1..]));
    }
    out
}

/// The first value of `tag` in a raw message.
pub(super) fn field_of(bytes: &[u8], tag: Tag) -> Option<&[u8]> {
    split_fields(bytes)
        .into_iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v)
}
