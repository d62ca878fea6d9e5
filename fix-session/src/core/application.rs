//! Received application messages: handed to the application, its replies sent.

use std::time::SystemTime;

use fix_core::tag::MSG_SEQ_NUM;
use fix_core::{MessageView, OutgoingMessage, Tag};

use super::checks::SeqCheck;
use super::fields::{parse_u64, reverse_routing};
use super::{Event, Session};
use crate::app::{AppReject, Responder};

/// BusinessRejectReason (380) 3: unsupported message type.
const UNSUPPORTED_MESSAGE_TYPE: u32 = 3;

impl Session {
    pub(super) fn on_app(&mut self, view: &MessageView<'_>, now: SystemTime) {
        if self.verify(view, SeqCheck::Both, now) {
            self.deliver(view, now);
        }
    }

    /// Hands an application message to the application (it counts as received if it is
    /// the one expected) and sends its replies; refusals are answered.
    pub(super) fn deliver(&mut self, view: &MessageView<'_>, now: SystemTime) {
        let mut responder = std::mem::take(&mut self.responder);
        match self.app.from_app(view, &self.cfg.id, &mut responder) {
            Ok(()) => {
                let seq = parse_u64(view.field(MSG_SEQ_NUM)).unwrap_or(0);
                if seq == self.next_target {
                    self.next_target += 1;
                }
                if self.app_events {
                    self.events.push_back(Event::App {
                        msg_type: String::from_utf8_lossy(view.msg_type()).into_owned(),
                        seq,
                        bytes: view.bytes().to_vec(),
                    });
                }
            }
            Err(AppReject::UnsupportedMessageType) => {
                // QuickFIX's wording: the BusinessRejectReason's name, or its own text in a
                // FIX.4.0/4.1 Reject.
                let text = if self.version.has_reject_reasons() {
                    "Unsupported Message Type"
                } else {
                    "Unsupported message type"
                };
                self.refuse_app(view, UNSUPPORTED_MESSAGE_TYPE, text, now);
            }
            Err(AppReject::Reject { reason, tag }) => {
                self.reject(view, reason, tag.map(i64::from), now)
            }
            Err(AppReject::Business { reason, text }) => {
                self.refuse_app(view, reason, &text, now);
            }
        }
        if !responder.is_empty() {
            self.send_replies(view, &responder, now);
        }
        responder.clear();
        self.responder = responder;
    }

    /// Sends the application's replies to `view`, in order (each shown to `to_app` first).
    fn send_replies(&mut self, view: &MessageView<'_>, responder: &Responder, now: SystemTime) {
        for e in responder.refused() {
            tracing::error!(session = %self.cfg.id, error = %e, "reply not sent");
        }
        let routing = reverse_routing(view);
        for (msg, reverse) in responder.replies() {
            if !msg.is_admin() && self.app.to_app(&msg, &self.cfg.id).is_err() {
                continue;
            }
            let r: &[(Tag, Vec<u8>)] = if reverse { &routing } else { &[] };
            if let Err(e) = self.send_message(&msg, r, now) {
                tracing::error!(session = %self.cfg.id, error = %e, "reply not sent");
            }
        }
    }
}
