//! Input: framing received bytes, decoding, the queue of early messages and dispatch by
//! MsgType.

use std::time::SystemTime;

use fix_core::dict::{Layout, Member};
use fix_core::frame::{find_frame, FrameError};
use fix_core::tag::{MSG_SEQ_NUM, MSG_TYPE, TEXT};
use fix_core::{MessageView, SessionRejectReason, Tag};

use super::fields::{field_of, parse_u64};
use super::msg_type::AdminMsgType;
use super::version::Version;
use super::{Session, State};

/// Where a message being handled comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// Just received.
    Wire,
    /// Taken from the queue of messages that arrived ahead of a gap.
    Queue,
}

impl Session {
    /// Bytes received from the connection.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: SystemTime) {
        self.now = now;
        if self.state == State::Disconnected {
            return;
        }
        self.inbuf.extend_from_slice(bytes);
        self.process_input(now);
    }

    fn can_read(&self) -> bool {
        self.state != State::Disconnected && self.awaiting_resend.is_none()
    }

    /// Handles every whole message in the input buffer (until a resend must be answered).
    pub(super) fn process_input(&mut self, now: SystemTime) {
        let mut buf = std::mem::take(&mut self.inbuf);
        let mut pos = 0;
        while pos < buf.len() && self.can_read() {
            match find_frame(&buf[pos..], self.opts.max_message_len) {
                Ok(None) => break,
                Err(e) => {
                    let end = (pos + e.skip().max(1)).min(buf.len());
                    self.on_garbled(&buf[pos..end], &e, now);
                    pos = end;
                }
                Ok(Some(f)) => {
                    let end = pos + f.len;
                    self.on_message(&buf[pos..end], Origin::Wire, now);
                    pos = end;
                }
            }
        }
        if self.state == State::Disconnected {
            return;
        }
        buf.drain(..pos.min(buf.len()));
        self.inbuf = buf;
    }

    /// Bytes that are not a valid message: with ValidateChecksum=N a wrong CheckSum is
    /// overlooked; otherwise they are ignored (QuickFIX's rule), or rejected when
    /// RejectGarbledMessage=Y; a garbled first message closes an acceptor's connection.
    fn on_garbled(&mut self, bytes: &[u8], error: &FrameError, now: SystemTime) {
        if let FrameError::ChecksumMismatch { computed, .. } = *error {
            if !self.cfg.validate_checksum {
                // The decoder checks the CheckSum too: give it a copy that carries the sum.
                let mut fixed = bytes.to_vec();
                let n = fixed.len();
                if n >= 4 {
                    fixed[n - 4..n - 1].copy_from_slice(format!("{computed:03}").as_bytes());
                }
                self.on_message(&fixed, Origin::Wire, now);
                return;
            }
        }
        tracing::warn!(session = %self.cfg.id, error = %error, "garbled message ignored");
        if self.state == State::AwaitingLogon && !self.initiator {
            self.disconnect("garbled first message", now);
        } else if self.cfg.reject_garbled_message && self.is_logged_on() {
            self.reject_garbled(bytes, now);
        }
    }

    fn on_message(&mut self, bytes: &[u8], origin: Origin, now: SystemTime) {
        let dict = self.dict.clone();
        let opts = self.opts.clone();
        let mut decoder = std::mem::take(&mut self.decoder);
        match decoder.decode(bytes, &dict, &opts) {
            Ok(view) => {
                if origin == Origin::Wire {
                    self.metrics.on_received(&view, bytes.len(), now);
                }
                tracing::debug!(session = %self.cfg.id, msg = %String::from_utf8_lossy(bytes).replace('\x01', "|"), "received");
                self.handle(&view, now);
            }
            Err(e) => tracing::warn!(session = %self.cfg.id, error = %e, "garbled message ignored"),
        }
        self.decoder = decoder;
        if origin == Origin::Wire {
            self.drain_queue(now);
        }
    }

    /// Handles queued messages that are now in sequence.
    pub(super) fn drain_queue(&mut self, now: SystemTime) {
        if self.draining {
            return;
        }
        self.draining = true;
        while self.is_logged_on() && self.awaiting_resend.is_none() {
            let expected = self.next_target;
            // Drop what is already behind.
            self.queue = self.queue.split_off(&expected);
            let Some(bytes) = self.queue.remove(&expected) else {
                break;
            };
            match field_of(&bytes, MSG_TYPE).and_then(AdminMsgType::parse) {
                // Already acted on when they arrived: only counted now.
                Some(AdminMsgType::Logon | AdminMsgType::ResendRequest) => self.next_target += 1,
                _ => self.on_message(&bytes, Origin::Queue, now),
            }
            if self.next_target == expected {
                // Nothing moved (e.g. the message was rejected as too high again): stop.
                break;
            }
        }
        self.draining = false;
    }

    fn handle(&mut self, view: &MessageView<'_>, now: SystemTime) {
        let msg_type = AdminMsgType::parse(view.msg_type());
        self.last_received = now;
        self.test_requests = 0;
        self.arm_link_timers();
        if view.begin_string() != self.cfg.id.begin_string.as_bytes() {
            if self.is_logged_on() {
                self.send_logout(Some("Incorrect BeginString"), now);
            }
            self.disconnect("incorrect BeginString", now);
            return;
        }
        if self.state == State::AwaitingLogon && msg_type != Some(AdminMsgType::Logon) {
            self.before_logon(view, msg_type, now);
            return;
        }
        if parse_u64(view.field(MSG_SEQ_NUM)).is_none() {
            // Nothing can be rejected by number: QuickFIX logs out and disconnects.
            let text = "Received message without MsgSeqNum";
            if msg_type != Some(AdminMsgType::Logon) {
                self.send_logout(Some(text), now);
            }
            self.disconnect(text, now);
            return;
        }
        if let Some(p) = view.problem().filter(|_| self.validates()) {
            if msg_type == Some(AdminMsgType::Logon) {
                self.disconnect(&format!("invalid Logon: {p}"), now);
                return;
            }
            let passed_on = msg_type.is_none() && !self.cfg.reject_invalid_message;
            if !passed_on {
                if self.end_on_error(&p.to_string(), now) {
                    return;
                }
                let tag = if p.reason == SessionRejectReason::InvalidMsgType {
                    None
                } else {
                    p.tag
                };
                let reason = self.transport_reason(view, p.reason, tag);
                self.reject(view, reason, tag, now);
                return;
            }
            tracing::warn!(session = %self.cfg.id, problem = %p, "invalid message passed on (RejectInvalidMessage=N)");
        }
        match msg_type {
            Some(AdminMsgType::Logon) => self.on_logon(view, now),
            Some(AdminMsgType::Heartbeat) => self.on_heartbeat(view, now),
            Some(AdminMsgType::TestRequest) => self.on_test_request(view, now),
            Some(AdminMsgType::ResendRequest) => self.on_resend_request(view, now),
            Some(AdminMsgType::Reject) => self.on_reject(view, now),
            Some(AdminMsgType::SequenceReset) => self.on_sequence_reset(view, now),
            Some(AdminMsgType::Logout) => self.on_logout(view, now),
            None => self.on_app(view, now),
        }
    }

    /// A FIXT session checks its own (admin) messages against the transport dictionary, as
    /// QuickFIX does: a tag no session-level message nor the header and trailer use is not
    /// in it, so "not defined for this message type" becomes "invalid tag number".
    fn transport_reason(
        &self,
        view: &MessageView<'_>,
        reason: SessionRejectReason,
        tag: Option<i64>,
    ) -> SessionRejectReason {
        let admin = AdminMsgType::parse(view.msg_type()).is_some();
        let Some(tag) = tag.and_then(|t| Tag::try_from(t).ok()) else {
            return reason;
        };
        if self.version != Version::Fixt11
            || !admin
            || reason != SessionRejectReason::TagNotDefinedForThisMessageType
        {
            return reason;
        }
        let dict = view.dictionary();
        let in_transport = layout_has(&dict.header, tag)
            || layout_has(&dict.trailer, tag)
            || dict
                .messages
                .iter()
                .filter(|m| m.admin)
                .any(|m| layout_has(&m.body, tag));
        if in_transport {
            reason
        } else {
            SessionRejectReason::InvalidTagNumber
        }
    }

    /// Whether received messages are checked against the dictionary (one is loaded and
    /// ValidateIncomingMessage is on).
    fn validates(&self) -> bool {
        self.has_dict && self.cfg.validate_incoming_message
    }

    /// ResetOnError (Logout, disconnect, sequence numbers reset) or DisconnectOnError
    /// (disconnect) instead of rejecting an invalid message; false when neither is set.
    fn end_on_error(&mut self, problem: &str, now: SystemTime) -> bool {
        if self.cfg.reset_on_error {
            self.send_logout(Some(problem), now);
            self.disconnect(&format!("ResetOnError: {problem}"), now);
            self.reset(now);
            return true;
        }
        if self.cfg.disconnect_on_error {
            self.disconnect(&format!("DisconnectOnError: {problem}"), now);
            return true;
        }
        false
    }

    /// A message other than Logon before the session is logged on.
    fn before_logon(
        &mut self,
        view: &MessageView<'_>,
        msg_type: Option<AdminMsgType>,
        now: SystemTime,
    ) {
        if msg_type == Some(AdminMsgType::Logout) && self.initiator {
            // The acceptor refused our Logon (QuickFIX answers so): the application sees
            // the Logout, whose Text says why, and so does the disconnect reason.
            let _ = self.app.from_admin(view, &self.cfg.id);
            if parse_u64(view.field(MSG_SEQ_NUM)) == Some(self.next_target) {
                self.next_target += 1;
            }
            let text = String::from_utf8_lossy(view.field(TEXT).unwrap_or_default());
            self.disconnect(&format!("Logon refused by the counterparty: {text}"), now);
            return;
        }
        self.disconnect("first message is not a Logon", now);
    }
}

/// Whether `tag` is a member of `layout` or of one of its groups.
fn layout_has(layout: &Layout, tag: Tag) -> bool {
    layout.members.iter().any(|m| match m {
        Member::Field { tag: t, .. } => *t == tag,
        Member::Group { tag: t, entry, .. } => *t == tag || layout_has(entry, tag),
    })
}
