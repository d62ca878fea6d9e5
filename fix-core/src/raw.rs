//! A message kept as raw fields: for MsgTypes a dictionary does not define.

use serde::{Deserialize, Serialize};

use crate::encode::Writer;
use crate::tag::Tag;
use crate::view::MessageView;

/// A message body as a list of fields, in wire order, without the header and trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawMessage {
    /// MsgType (35).
    pub msg_type: String,
    /// Body fields as `(tag, value)`; values may be any bytes.
    pub fields: Vec<(Tag, Vec<u8>)>,
}

impl RawMessage {
    /// The body of a decoded message: every field that is not a header or trailer field of
    /// the view's dictionary.
    pub fn from_view(view: &MessageView<'_>) -> RawMessage {
        let dict = view.dictionary();
        let fields = view
            .fields()
            .filter(|(tag, _)| {
                dict.header.slot(*tag).is_none() && dict.trailer.slot(*tag).is_none()
            })
            .filter(|(tag, _)| !matches!(*tag, 8 | 9 | 10 | 35))
            .map(|(tag, v)| (tag, v.to_vec()))
            .collect();
        RawMessage {
            msg_type: String::from_utf8_lossy(view.msg_type()).into_owned(),
            fields,
        }
    }

    /// Appends the body fields.
    pub fn encode_body(&self, w: &mut Writer<'_>) {
        for (tag, v) in &self.fields {
            w.put_tag_bytes(*tag, v);
        }
    }
}
