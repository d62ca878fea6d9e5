//! QuickFIX's `verify`: SendingTime, CompIDs and MsgSeqNum of a received message.

use std::time::SystemTime;

use fix_core::tag::{
    MSG_SEQ_NUM, ORIG_SENDING_TIME, POSS_DUP_FLAG, SENDER_COMP_ID, SENDING_TIME, TARGET_COMP_ID,
};
use fix_core::{MessageView, SessionRejectReason};

use super::fields::{parse_u64, timestamp_nanos, unix_nanos};
use super::msg_type::AdminMsgType;
use super::Session;

/// Which MsgSeqNum checks [`Session::verify`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SeqCheck {
    /// Too high (queue it, ask for the gap) and too low.
    Both,
    /// Too low only.
    LowOnly,
    /// Neither (the handler deals with the number itself).
    None,
}

impl SeqCheck {
    fn high(self) -> bool {
        self == SeqCheck::Both
    }

    fn low(self) -> bool {
        self != SeqCheck::None
    }
}

impl Session {
    pub(super) fn good_time(&self, view: &MessageView<'_>, now: SystemTime) -> bool {
        if !self.cfg.check_latency {
            return true;
        }
        match timestamp_nanos(view.field(SENDING_TIME)) {
            Some(t) => (unix_nanos(now) - t).unsigned_abs() <= self.cfg.max_latency.as_nanos(),
            None => false,
        }
    }

    pub(super) fn good_comp_id(&self, view: &MessageView<'_>) -> bool {
        !self.cfg.check_comp_id
            || (view.field(SENDER_COMP_ID) == Some(self.cfg.id.target_comp_id.as_bytes())
                && view.field(TARGET_COMP_ID) == Some(self.cfg.id.sender_comp_id.as_bytes()))
    }

    /// QuickFIX's `verify`: SendingTime, CompIDs, then sequence number too high / too low as
    /// `check` says. False when the message must not be processed further.
    pub(super) fn verify(
        &mut self,
        view: &MessageView<'_>,
        check: SeqCheck,
        now: SystemTime,
    ) -> bool {
        if !self.good_time(view, now) {
            self.reject(
                view,
                SessionRejectReason::SendingTimeAccuracyProblem,
                None,
                now,
            );
            self.send_logout(None, now);
            return false;
        }
        if !self.good_comp_id(view) {
            self.reject(view, SessionRejectReason::CompIdProblem, None, now);
            self.send_logout(None, now);
            return false;
        }
        let seq = parse_u64(view.field(MSG_SEQ_NUM)).unwrap_or(0);
        if !self.cfg.validate_sequence_numbers && check != SeqCheck::None {
            // ValidateSequenceNumbers=N: whatever arrives is the expected message.
            self.next_target = seq;
        }
        if check.high() && seq > self.next_target {
            self.too_high(view, seq, now);
            return false;
        }
        if check.low() && seq < self.next_target {
            self.too_low(view, seq, now);
            return false;
        }
        if check.high() || check.low() {
            self.resend_progress(seq, now);
        }
        true
    }

    /// A message ahead of the expected MsgSeqNum: queued, and the gap asked for.
    pub(super) fn too_high(&mut self, view: &MessageView<'_>, seq: u64, now: SystemTime) {
        tracing::info!(session = %self.cfg.id, expected = self.next_target, seq, "MsgSeqNum too high");
        self.queue.insert(seq, view.bytes().to_vec());
        if let Some(r) = self.resend_range {
            if !self.cfg.send_redundant_resend_requests && seq >= r.begin {
                return;
            }
        }
        self.request_resend(seq, now);
    }

    /// A message behind the expected MsgSeqNum: a possible duplicate is checked and ignored,
    /// anything else ends the session.
    pub(super) fn too_low(&mut self, view: &MessageView<'_>, seq: u64, now: SystemTime) {
        if view.field(POSS_DUP_FLAG) == Some(b"Y") {
            let Some(orig) = view.field(ORIG_SENDING_TIME) else {
                if !self.cfg.requires_orig_sending_time {
                    return; // a duplicate all the same: ignore it
                }
                let tag = Some(ORIG_SENDING_TIME.into());
                self.reject(view, SessionRejectReason::RequiredTagMissing, tag, now);
                return;
            };
            let sending = timestamp_nanos(view.field(SENDING_TIME));
            match (timestamp_nanos(Some(orig)), sending) {
                (Some(o), Some(s)) if o <= s => {
                    // A duplicate: ignored, or given to the application with AllowPosDup.
                    if self.cfg.allow_pos_dup && AdminMsgType::parse(view.msg_type()).is_none() {
                        self.deliver(view, now);
                    }
                }
                _ => {
                    self.reject(
                        view,
                        SessionRejectReason::SendingTimeAccuracyProblem,
                        None,
                        now,
                    );
                    self.send_logout(None, now);
                }
            }
            return;
        }
        let text = format!(
            "MsgSeqNum too low, expecting {} but received {}",
            self.next_target, seq
        );
        self.send_logout(Some(&text), now);
        self.disconnect(&text, now);
    }
}
