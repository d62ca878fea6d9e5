//! Combining a FIX 5.0+ application dictionary with its transport dictionary (FIXT11).

use super::{shift_items, Component, Message, Model};
use crate::error::{Error, Warning};

impl Model {
    /// Combines a FIX 5.0+ application dictionary with its transport dictionary (FIXT11):
    /// header, trailer and session messages come from the transport (custom Logon fields of
    /// a venue's FIXT file included), fields from both. A tag the two define under different
    /// names keeps the application's name, with a warning (QuickFIX keeps the two
    /// dictionaries apart, so such files load there).
    pub fn with_transport(mut self, transport: &Model) -> Result<Model, Error> {
        let offset = self.components.len();
        // Transport components are appended; re-point its items at their new indices.
        let shift = |items: &[super::Item]| shift_items(items, offset);
        for c in &transport.components {
            self.components.push(Component {
                name: c.name.clone(),
                items: shift(&c.items),
            });
        }
        self.warnings.extend(transport.warnings.iter().cloned());
        for f in &transport.fields {
            match self.fields.binary_search_by_key(&f.tag, |x| x.tag) {
                Ok(i) => {
                    let app = &self.fields[i];
                    if app.name != f.name || app.field_type != f.field_type {
                        let message = format!(
                            "tag {} is '{}' {} in the application dictionary and '{}' {} in \
                             the transport dictionary; the application's definition is used",
                            f.tag,
                            app.name,
                            app.field_type.dictionary_name(),
                            f.name,
                            f.field_type.dictionary_name()
                        );
                        self.warnings.push(Warning {
                            line: 0,
                            element: format!(
                                "<field name='{}'> of the transport dictionary",
                                f.name
                            ),
                            message,
                        });
                    }
                }
                Err(i) => self.fields.insert(i, f.clone()),
            }
        }
        self.header = shift(&transport.header);
        self.trailer = shift(&transport.trailer);
        let mut messages: Vec<Message> = transport
            .messages
            .iter()
            .map(|m| Message {
                items: shift(&m.items),
                ..m.clone()
            })
            .collect();
        for m in self.messages.drain(..) {
            if !messages.iter().any(|t| t.msg_type == m.msg_type) {
                messages.push(m);
            }
        }
        self.messages = messages;
        self.register_msg_types();
        Ok(self)
    }
}
