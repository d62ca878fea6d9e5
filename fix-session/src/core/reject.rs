//! Refusing received messages: Reject (35=3) and BusinessMessageReject (35=j).

use std::time::SystemTime;

use fix_core::tag::{
    BUSINESS_REJECT_REASON, DEFAULT_APPL_VER_ID, MSG_SEQ_NUM, REF_MSG_TYPE, REF_SEQ_NUM,
    REF_TAG_ID, SESSION_REJECT_REASON, TEXT,
};
use fix_core::{MessageView, SessionRejectReason};

use super::fields::{field_of, parse_u64, reverse_routing};
use super::msg_type::{AdminMsgType, BUSINESS_MESSAGE_REJECT};
use super::version::{appl_ver_id_code, Version};
use super::{Event, Session};
use crate::app::RawBody;

/// The highest SessionRejectReason FIX.4.2 defines (later versions add more).
const FIX42_LAST_REJECT_REASON: u32 = 11;

impl Session {
    /// Sends a Reject (35=3) for `view`: the reason's text, and from FIX.4.2 on RefTagID,
    /// RefMsgType and SessionRejectReason (before, the tag goes into the text).
    pub(super) fn reject(
        &mut self,
        view: &MessageView<'_>,
        reason: SessionRejectReason,
        tag: Option<i64>,
        now: SystemTime,
    ) {
        let msg_type = view.msg_type();
        let mut body = AdminMsgType::Reject.body();
        if let Some(s) = view.field(MSG_SEQ_NUM).filter(|v| !v.is_empty()) {
            body.push(REF_SEQ_NUM, s);
        }
        let text = reason.text();
        let reasons = self.version.has_reject_reasons();
        match tag {
            Some(t) if reasons => {
                body.push(TEXT, text);
                body.push(REF_TAG_ID, t.to_string());
            }
            Some(t) => {
                body.push(TEXT, format!("{text} ({t})"));
            }
            None => {
                body.push(TEXT, text);
            }
        }
        if reasons {
            if !msg_type.is_empty() {
                body.push(REF_MSG_TYPE, msg_type);
            }
            if self.version > Version::Fix42 || reason.code() <= FIX42_LAST_REJECT_REASON {
                body.push(SESSION_REJECT_REASON, reason.code().to_string());
            }
        }
        tracing::warn!(session = %self.cfg.id, seq = ?parse_u64(view.field(MSG_SEQ_NUM)), %reason, ?tag, "rejecting message");
        let counts = !matches!(
            AdminMsgType::parse(msg_type),
            Some(AdminMsgType::Logon | AdminMsgType::SequenceReset)
        );
        self.send_refusal(view, body, counts, now);
    }

    /// RejectGarbledMessage: a Reject naming the garbled message's MsgSeqNum if it can be
    /// read, which then counts as received.
    pub(super) fn reject_garbled(&mut self, bytes: &[u8], now: SystemTime) {
        let seq = parse_u64(field_of(bytes, MSG_SEQ_NUM));
        let text = "Message failed basic validity check";
        let mut body = AdminMsgType::Reject.body();
        if let Some(s) = seq {
            body.push(REF_SEQ_NUM, s.to_string());
            if s == self.next_target {
                self.next_target += 1;
            }
        }
        body.push(TEXT, text);
        self.events.push_back(Event::Rejected {
            seq: seq.unwrap_or(0),
            text: text.to_string(),
        });
        self.send_admin(body, &[], now);
    }

    /// Sends a BusinessMessageReject for `view` (FIX.4.2 and later).
    pub(super) fn business_reject(
        &mut self,
        view: &MessageView<'_>,
        reason: u32,
        text: &str,
        now: SystemTime,
    ) {
        let mut body = RawBody::new(BUSINESS_MESSAGE_REJECT);
        if let Some(s) = view.field(MSG_SEQ_NUM) {
            body.push(REF_SEQ_NUM, s);
        }
        body.push(TEXT, text);
        body.push(REF_MSG_TYPE, view.msg_type());
        body.push(BUSINESS_REJECT_REASON, reason.to_string());
        if self.version == Version::Fixt11 {
            // QuickFIX names the session's application version on it.
            if let Some(v) = &self.cfg.default_appl_ver_id {
                body.push(DEFAULT_APPL_VER_ID, appl_ver_id_code(v));
            }
        }
        self.send_refusal(view, body, true, now);
    }

    /// An application-level refusal: BusinessMessageReject from FIX.4.2 on, a Reject with
    /// only RefSeqNum and Text before.
    pub(super) fn refuse_app(
        &mut self,
        view: &MessageView<'_>,
        reason: u32,
        text: &str,
        now: SystemTime,
    ) {
        if self.version.has_reject_reasons() {
            self.business_reject(view, reason, text, now);
            return;
        }
        let mut body = AdminMsgType::Reject.body();
        if let Some(s) = view.field(MSG_SEQ_NUM) {
            body.push(REF_SEQ_NUM, s);
        }
        body.push(TEXT, text);
        self.send_refusal(view, body, true, now);
    }

    /// Sends a refusal of `view` with its routing reversed; the refused message counts as
    /// received when `counts` and it is the one expected.
    fn send_refusal(
        &mut self,
        view: &MessageView<'_>,
        body: RawBody,
        counts: bool,
        now: SystemTime,
    ) {
        let seq = parse_u64(view.field(MSG_SEQ_NUM));
        if counts && seq == Some(self.next_target) {
            self.next_target += 1;
        }
        self.events.push_back(Event::Rejected {
            seq: seq.unwrap_or(0),
            text: String::from_utf8_lossy(body.get(TEXT).unwrap_or_default()).into_owned(),
        });
        let routing = reverse_routing(view);
        if body.admin {
            self.send_admin(body, &routing, now);
        } else if let Err(e) = self.send_message(&body, &routing, now) {
            tracing::error!(session = %self.cfg.id, error = %e, "business reject not sent");
        }
    }
}
