//! Received session-level messages: Logon, Heartbeat, TestRequest, Reject, ResendRequest,
//! SequenceReset and Logout.

use std::time::{Duration, SystemTime};

use fix_core::tag::{
    BEGIN_SEQ_NO, DEFAULT_APPL_VER_ID, END_SEQ_NO, GAP_FILL_FLAG, HEART_BT_INT, MSG_SEQ_NUM,
    NEW_SEQ_NO, NEXT_EXPECTED_MSG_SEQ_NUM, RESET_SEQ_NUM_FLAG, TEST_REQ_ID,
};
use fix_core::{MessageView, SessionRejectReason};

use super::checks::SeqCheck;
use super::fields::parse_u64;
use super::msg_type::AdminMsgType;
use super::outgoing::LogonReset;
use super::timers::Timer;
use super::version::Version;
use super::{Event, Output, Session, State};

impl Session {
    pub(super) fn on_logon(&mut self, view: &MessageView<'_>, now: SystemTime) {
        let reset_flag = view.field(RESET_SEQ_NUM_FLAG) == Some(b"Y");
        if self.is_logged_on() && !reset_flag {
            // A Logon while logged on: only accepted as a sequence reset request.
            if self.verify(view, SeqCheck::Both, now) {
                self.next_target += 1;
            }
            return;
        }
        if let Err(why) = self.logon_acceptable(view, now) {
            self.disconnect(why, now);
            return;
        }
        if !self.initiator {
            if let Some(hb) = parse_u64(view.field(HEART_BT_INT)) {
                self.hb = Duration::from_secs(hb);
            }
        }
        if reset_flag && !self.sent_reset {
            // The counterparty resets: both sides start from 1.
            self.reset(now);
        } else if !self.initiator && self.cfg.reset_on_logon && !self.is_logged_on() {
            self.reset(now);
        }
        if let Err(refusal) = self.app.from_admin(view, &self.cfg.id) {
            self.send_logout(Some(&refusal.0), now);
            self.disconnect(&format!("Logon refused: {}", refusal.0), now);
            return;
        }
        let seq = parse_u64(view.field(MSG_SEQ_NUM)).unwrap_or(0);
        if seq < self.next_target {
            self.too_low(view, seq, now);
            if self.state != State::Disconnected {
                self.disconnect("Logon MsgSeqNum too low", now);
            }
            return;
        }
        // What we sent before our Logon (theirs may say it was not all received).
        let sent_before_logon = if self.initiator {
            self.logon_sent_seq.saturating_sub(1)
        } else {
            self.next_sender.saturating_sub(1)
        };
        if !self.initiator || (reset_flag && !self.sent_reset) {
            let reset = if reset_flag {
                LogonReset::Reset
            } else {
                LogonReset::Keep
            };
            let next_expected = if seq == self.next_target || reset_flag {
                seq + 1
            } else {
                self.next_target
            };
            self.send_logon(reset, next_expected, now);
        }
        self.sent_reset = false;
        self.state = State::Active;
        self.timers.stop(Timer::Logon);
        self.arm_link_timers();
        self.app.on_logon(&self.cfg.id);
        self.events.push_back(Event::LoggedOn);
        if seq > self.next_target && !reset_flag {
            self.too_high(view, seq, now);
        } else {
            self.next_target = seq + 1;
        }
        if self.cfg.enable_next_expected_msg_seq_num && !reset_flag {
            if let Some(n) = parse_u64(view.field(NEXT_EXPECTED_MSG_SEQ_NUM)) {
                self.recover_from_logon(n, sent_before_logon, now);
            }
        }
    }

    /// EnableNextExpectedMsgSeqNum: the counterparty's Logon said it expects `next_expected`;
    /// what we sent from there up to `last` (before our Logon) is resent as if asked for by
    /// a ResendRequest. A number beyond what we sent ends the session.
    fn recover_from_logon(&mut self, next_expected: u64, last: u64, now: SystemTime) {
        // In sync, they expect the number after our Logon (initiator: they have it) or our
        // Logon's own number (acceptor: it is on its way).
        let highest = if self.initiator {
            self.logon_sent_seq + 1
        } else {
            last + 1
        };
        if next_expected > highest {
            let text = format!(
                "NextExpectedMsgSeqNum (789) {next_expected} is higher than expected {highest}"
            );
            self.send_logout(Some(&text), now);
            self.disconnect(&text, now);
            return;
        }
        if next_expected == 0 || next_expected > last {
            return;
        }
        tracing::info!(session = %self.cfg.id, begin = next_expected, end = last, "NextExpectedMsgSeqNum: resending");
        self.answer_resend(next_expected, last, now);
    }

    /// The checks a Logon must pass before anything else; `Err` names why it is refused
    /// (the connection is closed without a Logout).
    fn logon_acceptable(
        &self,
        view: &MessageView<'_>,
        now: SystemTime,
    ) -> Result<(), &'static str> {
        if self.version == Version::Fixt11
            && !self.initiator
            && view.field(DEFAULT_APPL_VER_ID).is_none()
        {
            return Err("Logon without DefaultApplVerID");
        }
        if !self.good_time(view, now) {
            return Err("Logon SendingTime accuracy problem");
        }
        if !self.good_comp_id(view) {
            return Err("Logon CompID problem");
        }
        if !self.cfg.schedule.is_session_time(now) {
            return Err("Logon outside the session schedule");
        }
        if !self.cfg.schedule.is_logon_time(now) {
            return Err("Logon outside the logon window");
        }
        Ok(())
    }

    pub(super) fn on_heartbeat(&mut self, view: &MessageView<'_>, now: SystemTime) {
        if self.verify(view, SeqCheck::Both, now) {
            self.notify_admin(view);
            self.next_target += 1;
        }
    }

    pub(super) fn on_test_request(&mut self, view: &MessageView<'_>, now: SystemTime) {
        if self.verify(view, SeqCheck::Both, now) {
            self.notify_admin(view);
            let mut body = AdminMsgType::Heartbeat.body();
            if let Some(id) = view.field(TEST_REQ_ID) {
                body.push(TEST_REQ_ID, id);
            }
            self.send_admin(body, &[], now);
            self.next_target += 1;
        }
    }

    pub(super) fn on_reject(&mut self, view: &MessageView<'_>, now: SystemTime) {
        if self.verify(view, SeqCheck::LowOnly, now) {
            self.notify_admin(view);
            self.events.push_back(Event::RejectReceived {
                bytes: view.bytes().to_vec(),
            });
            self.next_target += 1;
        }
    }

    pub(super) fn on_resend_request(&mut self, view: &MessageView<'_>, now: SystemTime) {
        if !self.verify(view, SeqCheck::None, now) {
            return;
        }
        self.notify_admin(view);
        let begin = parse_u64(view.field(BEGIN_SEQ_NO)).unwrap_or(1).max(1);
        let asked_end = parse_u64(view.field(END_SEQ_NO)).unwrap_or(0);
        let last_sent = self.next_sender.saturating_sub(1);
        let end = if asked_end == 0 || asked_end == 999_999 || asked_end > last_sent {
            last_sent
        } else {
            asked_end
        };
        tracing::info!(session = %self.cfg.id, begin, end, "received ResendRequest");
        let seq = parse_u64(view.field(MSG_SEQ_NUM)).unwrap_or(0);
        if seq == self.next_target {
            self.next_target += 1;
        } else if seq > self.next_target {
            // Answered now, but counted only once the gap before it is filled: queued (the
            // drain skips it), and the gap asked for if no ResendRequest is out already.
            self.too_high(view, seq, now);
        }
        if begin > end {
            return;
        }
        self.answer_resend(begin, end, now);
    }

    /// Resends `begin..=end`: from the store (reading stops until it is provided) or, when
    /// messages are not persisted, as one gap fill.
    fn answer_resend(&mut self, begin: u64, end: u64, now: SystemTime) {
        if self.cfg.persist_messages {
            self.awaiting_resend = Some((begin, end));
            self.out.push_back(Output::FetchResend { begin, end });
        } else {
            self.send_gap_fill(begin, end + 1, now);
        }
    }

    pub(super) fn on_sequence_reset(&mut self, view: &MessageView<'_>, now: SystemTime) {
        let gap_fill = view.field(GAP_FILL_FLAG) == Some(b"Y");
        let check = if gap_fill {
            SeqCheck::Both
        } else {
            SeqCheck::None
        };
        if !self.verify(view, check, now) {
            return;
        }
        self.notify_admin(view);
        let Some(new_seq) = parse_u64(view.field(NEW_SEQ_NO)) else {
            let tag = Some(NEW_SEQ_NO.into());
            self.reject(view, SessionRejectReason::RequiredTagMissing, tag, now);
            return;
        };
        tracing::info!(session = %self.cfg.id, from = self.next_target, to = new_seq, gap_fill, "received SequenceReset");
        if new_seq > self.next_target {
            self.next_target = new_seq;
            self.resend_progress(new_seq - 1, now);
        } else if new_seq < self.next_target {
            self.reject(view, SessionRejectReason::ValueIsIncorrect, None, now);
        }
    }

    pub(super) fn on_logout(&mut self, view: &MessageView<'_>, now: SystemTime) {
        if !self.verify(view, SeqCheck::None, now) {
            return;
        }
        self.notify_admin(view);
        if self.state == State::LogoutSent {
            tracing::info!(session = %self.cfg.id, "received Logout response");
        } else {
            self.send_logout(None, now);
        }
        self.next_target += 1;
        if self.cfg.reset_on_logout {
            self.reset(now);
        }
        self.disconnect("logout", now);
    }

    /// Shows a received admin message to the application. Refusals only matter for Logon;
    /// other admin messages are always accepted.
    fn notify_admin(&mut self, view: &MessageView<'_>) {
        let _ = self.app.from_admin(view, &self.cfg.id);
    }
}
