//! Sending: the standard header of every message we write, and the Logon and Logout the
//! session sends.

use std::time::SystemTime;

use fix_core::encode::Writer;
use fix_core::tag::{
    DEFAULT_APPL_VER_ID, ENCRYPT_METHOD, HEART_BT_INT, LAST_MSG_SEQ_NUM_PROCESSED, MSG_SEQ_NUM,
    NEXT_EXPECTED_MSG_SEQ_NUM, RESET_SEQ_NUM_FLAG, SENDER_COMP_ID, SENDING_TIME, TARGET_COMP_ID,
    TEXT,
};
use fix_core::value::UtcTimestamp;
use fix_core::{FixValue, OutgoingMessage, Tag};

use super::msg_type::AdminMsgType;
use super::timers::Timer;
use super::version::{appl_ver_id_code, Version};
use super::{Output, SendError, Session, State, Transmit};
use crate::app::RawBody;

/// Whether a Logon we send asks for both sequence numbers to restart at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LogonReset {
    /// Keep the sequence numbers.
    Keep,
    /// ResetSeqNumFlag=Y.
    Reset,
}

impl Session {
    /// Sends an application message (or an admin message the user builds); returns its
    /// MsgSeqNum.
    pub fn send(&mut self, msg: &dyn OutgoingMessage, now: SystemTime) -> Result<u64, SendError> {
        self.now = now;
        if self.state != State::Active {
            return Err(SendError::NotLoggedOn);
        }
        if !msg.is_admin() && self.app.to_app(msg, &self.cfg.id).is_err() {
            return Err(SendError::Vetoed);
        }
        self.send_message(msg, &[], now)
    }

    /// Sequences, encodes and queues a new message, with `routing` in its header.
    pub(super) fn send_message(
        &mut self,
        msg: &dyn OutgoingMessage,
        routing: &[(Tag, Vec<u8>)],
        now: SystemTime,
    ) -> Result<u64, SendError> {
        let seq = self.next_sender;
        let mut buf = Vec::with_capacity(256);
        let mut w = Writer::new(&mut buf, &self.cfg.id.begin_string);
        w.put_str(b"35=", msg.msg_type());
        let last_processed = self.last_processed();
        if routing.is_empty() && !self.cfg.id.has_sub_location() {
            // The usual case: the four header fields, already in tag order, written in
            // place (no allocation but the message's own buffer).
            w.put_u64(b"34=", seq);
            w.put_str(b"49=", &self.cfg.id.sender_comp_id);
            match UtcTimestamp::from_system_time(now, self.precision) {
                Some(ts) => w.put(b"52=", &ts),
                None => w.put_bytes(b"52=", b""),
            }
            w.put_str(b"56=", &self.cfg.id.target_comp_id);
            if let Some(n) = last_processed {
                w.put_u64(b"369=", n);
            }
        } else {
            let mut header: Vec<(Tag, Vec<u8>)> = routing.to_vec();
            header.push((MSG_SEQ_NUM, seq.to_string().into_bytes()));
            header.extend(self.identity_header(now));
            if let Some(n) = last_processed {
                header.push((LAST_MSG_SEQ_NUM_PROCESSED, n.to_string().into_bytes()));
            }
            header.sort_by_key(|(t, _)| *t);
            for (t, v) in &header {
                w.put_tag_bytes(*t, v);
            }
        }
        msg.encode_body(&mut w);
        w.finish_checked()?;
        self.next_sender = seq + 1;
        self.push_transmit(seq, buf, true, now);
        Ok(seq)
    }

    /// LastMsgSeqNumProcessed (369) for the header, when EnableLastMsgSeqNumProcessed.
    fn last_processed(&self) -> Option<u64> {
        self.cfg
            .enable_last_msg_seq_num_processed
            .then(|| self.next_target.saturating_sub(1))
    }

    /// SenderCompID, SendingTime, TargetCompID and the Sub/Location IDs, for a header built
    /// field by field.
    pub(super) fn identity_header(&self, now: SystemTime) -> Vec<(Tag, Vec<u8>)> {
        let mut header = vec![
            (
                SENDER_COMP_ID,
                self.cfg.id.sender_comp_id.clone().into_bytes(),
            ),
            (SENDING_TIME, self.timestamp(now)),
            (
                TARGET_COMP_ID,
                self.cfg.id.target_comp_id.clone().into_bytes(),
            ),
        ];
        // SenderSubID/LocationID and TargetSubID/LocationID when the session names them.
        header.extend(self.cfg.id.header_fields());
        header
    }

    /// Queues a finished message for the driver; the heartbeat timer restarts.
    pub(super) fn push_transmit(&mut self, seq: u64, bytes: Vec<u8>, store: bool, now: SystemTime) {
        self.last_sent = now;
        self.arm_link_timers();
        self.out
            .push_back(Output::Send(Transmit { seq, bytes, store }));
    }

    /// `now` as an outgoing SendingTime.
    pub(super) fn timestamp(&self, now: SystemTime) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        if let Some(ts) = UtcTimestamp::from_system_time(now, self.precision) {
            ts.write(&mut out);
        }
        out
    }

    /// Sends a session-level message, shown to the application's `to_admin` first.
    pub(super) fn send_admin(
        &mut self,
        mut body: RawBody,
        routing: &[(Tag, Vec<u8>)],
        now: SystemTime,
    ) {
        body.admin = true;
        self.app.to_admin(&mut body, &self.cfg.id);
        if let Err(e) = self.send_message(&body, routing, now) {
            tracing::error!(session = %self.cfg.id, error = %e, "admin message not sent");
        }
    }

    /// Sends a Logon; `next_expected` goes into NextExpectedMsgSeqNum (789) when
    /// EnableNextExpectedMsgSeqNum.
    pub(super) fn send_logon(&mut self, reset: LogonReset, next_expected: u64, now: SystemTime) {
        let mut body = AdminMsgType::Logon.body();
        body.push(ENCRYPT_METHOD, b"0");
        body.push(HEART_BT_INT, self.hb.as_secs().to_string());
        if reset == LogonReset::Reset {
            body.push(RESET_SEQ_NUM_FLAG, b"Y");
        }
        if let Some(v) = &self.cfg.default_appl_ver_id {
            if self.version == Version::Fixt11 {
                body.push(DEFAULT_APPL_VER_ID, appl_ver_id_code(v));
            }
        }
        if self.cfg.enable_next_expected_msg_seq_num {
            body.push(NEXT_EXPECTED_MSG_SEQ_NUM, next_expected.to_string());
        }
        for (tag, value) in &self.cfg.logon_tags {
            body.push(*tag, value);
        }
        self.logon_sent_seq = self.next_sender;
        self.send_admin(body, &[], now);
    }

    pub(super) fn send_logout(&mut self, text: Option<&str>, now: SystemTime) {
        let mut body = AdminMsgType::Logout.body();
        if let Some(t) = text {
            body.push(TEXT, t);
        }
        self.send_admin(body, &[], now);
        // Refusing a Logon (or its MsgSeqNum) is not a logout of a logged-on session: the
        // caller disconnects, and onLogout must not be called for a session never logged on.
        if self.state == State::Active {
            self.state = State::LogoutSent;
            let timeout = Some(self.cfg.logout_timeout);
            self.timers.set_after(Timer::Logout, now, timeout);
        }
    }
}
