//! Recovery: asking for a gap (ResendRequest, in chunks when configured), and answering one
//! (resending stored application messages, gap-filling the rest).

use std::time::SystemTime;

use fix_core::encode::Writer;
use fix_core::tag::{
    BEGIN_SEQ_NO, END_SEQ_NO, GAP_FILL_FLAG, MSG_SEQ_NUM, NEW_SEQ_NO, ORIG_SENDING_TIME,
    POSS_DUP_FLAG, POSS_RESEND, SENDING_TIME,
};
use fix_core::{OutgoingMessage, Tag};

use super::fields::StoredParts;
use super::msg_type::AdminMsgType;
use super::Session;
use crate::app::is_admin_msg_type;

/// The gap we asked the counterparty to resend.
#[derive(Debug, Clone, Copy)]
pub(super) struct ResendRange {
    /// First missing MsgSeqNum.
    pub(super) begin: u64,
    /// Last missing MsgSeqNum.
    pub(super) end: u64,
    /// End of the chunk asked for, when ResendRequestChunkSize splits the request (0: not
    /// split).
    pub(super) chunk_end: u64,
}

impl Session {
    /// Stored messages for the ResendRequest announced by
    /// [`Output::FetchResend`](super::Output::FetchResend); the session resends application
    /// messages, replaces the rest with gap fills and resumes reading.
    pub fn provide_resend(&mut self, messages: Vec<(u64, Vec<u8>)>, now: SystemTime) {
        self.now = now;
        let Some((begin, end)) = self.awaiting_resend.take() else {
            return;
        };
        let mut gap: Option<u64> = None;
        let mut expect = begin;
        for (seq, bytes) in messages {
            if seq < begin || seq > end {
                continue;
            }
            if seq > expect {
                gap.get_or_insert(expect);
            }
            expect = seq + 1;
            let parts = StoredParts::split(&bytes);
            // Admin messages are never resent; an application message is offered to
            // `to_app_resend` (QuickFIX's toApp on resend) and a veto gap-fills it too.
            let msg_type = String::from_utf8_lossy(parts.msg_type);
            if is_admin_msg_type(&msg_type)
                || self
                    .app
                    .to_app_resend(&parts.raw_body(), &self.cfg.id)
                    .is_err()
            {
                gap.get_or_insert(seq);
                continue;
            }
            if let Some(g) = gap.take() {
                self.send_gap_fill(g, seq, now);
            }
            self.resend_stored(&parts, seq, now);
        }
        if expect <= end {
            gap.get_or_insert(expect);
        }
        if let Some(g) = gap {
            self.send_gap_fill(g, end + 1, now);
        }
        self.drain_queue(now);
        self.process_input(now);
    }

    /// Sends SequenceReset-GapFill `begin` -> `new_seq` (MsgSeqNum `begin`, PossDupFlag=Y).
    pub(super) fn send_gap_fill(&mut self, begin: u64, new_seq: u64, now: SystemTime) {
        let ts = self.timestamp(now);
        let mut header: Vec<(Tag, Vec<u8>)> = vec![
            (MSG_SEQ_NUM, begin.to_string().into_bytes()),
            (POSS_DUP_FLAG, b"Y".to_vec()),
            (ORIG_SENDING_TIME, ts),
        ];
        header.extend(self.identity_header(now));
        let mut body = AdminMsgType::SequenceReset.body();
        body.push(NEW_SEQ_NO, new_seq.to_string());
        body.push(GAP_FILL_FLAG, b"Y");
        self.app.to_admin(&mut body, &self.cfg.id);
        let msg_type = AdminMsgType::SequenceReset.as_str().as_bytes();
        let bytes = self.write_unsequenced(msg_type, header, |w| body.encode_body(w));
        self.push_transmit(begin, bytes, false, now);
    }

    /// Resends a stored message with PossDupFlag=Y, OrigSendingTime = its SendingTime and a
    /// new SendingTime.
    fn resend_stored(&mut self, parts: &StoredParts<'_>, seq: u64, now: SystemTime) {
        let mut header: Vec<(Tag, Vec<u8>)> = Vec::new();
        let mut orig: Option<Vec<u8>> = None;
        for (tag, v) in &parts.header {
            match *tag {
                SENDING_TIME => orig = Some(v.to_vec()),
                POSS_DUP_FLAG | ORIG_SENDING_TIME | POSS_RESEND => {}
                t => header.push((t, v.to_vec())),
            }
        }
        header.push((POSS_DUP_FLAG, b"Y".to_vec()));
        header.push((SENDING_TIME, self.timestamp(now)));
        if let Some(o) = orig {
            header.push((ORIG_SENDING_TIME, o));
        }
        let bytes = self.write_unsequenced(parts.msg_type, header, |w| {
            for (t, v) in &parts.body {
                w.put_data(format!("{t}=").as_bytes(), v);
            }
        });
        self.push_transmit(seq, bytes, false, now);
    }

    /// Encodes a message that reuses an old MsgSeqNum (no new sequence number, not stored)
    /// (not stored): 35, `header` sorted by tag, then what `body` writes.
    fn write_unsequenced(
        &self,
        msg_type: &[u8],
        mut header: Vec<(Tag, Vec<u8>)>,
        body: impl FnOnce(&mut Writer<'_>),
    ) -> Vec<u8> {
        header.sort_by_key(|(t, _)| *t);
        let mut buf = Vec::with_capacity(256);
        let mut w = Writer::new(&mut buf, &self.cfg.id.begin_string);
        w.put_bytes(b"35=", msg_type);
        for (t, v) in &header {
            w.put_tag_bytes(*t, v);
        }
        body(&mut w);
        w.finish();
        buf
    }

    /// Asks for the gap before `received` (from the expected MsgSeqNum), in chunks when
    /// ResendRequestChunkSize is set.
    pub(super) fn request_resend(&mut self, received: u64, now: SystemTime) {
        let begin = self.next_target;
        let end = received.saturating_sub(1);
        self.resend_range = Some(ResendRange {
            begin,
            end,
            chunk_end: 0,
        });
        self.request_chunk(begin, now);
    }

    /// Sends the ResendRequest for the part of the gap that starts at `begin`: up to the
    /// chunk size, naming "no limit" for the last part unless ClosedResendInterval.
    fn request_chunk(&mut self, begin: u64, now: SystemTime) {
        let Some(range) = self.resend_range.as_mut() else {
            return;
        };
        let chunk = self.cfg.resend_request_chunk_size;
        let chunked = chunk > 0 && range.end >= begin && range.end - begin + 1 > chunk;
        range.chunk_end = if chunked { begin + chunk - 1 } else { 0 };
        let end_field = if chunked {
            range.chunk_end
        } else if self.cfg.closed_resend_interval {
            range.end
        } else {
            self.version.infinite_end_seq_no()
        };
        tracing::info!(session = %self.cfg.id, begin, end = end_field, "sending ResendRequest");
        let mut body = AdminMsgType::ResendRequest.body();
        body.push(BEGIN_SEQ_NO, begin.to_string());
        body.push(END_SEQ_NO, end_field.to_string());
        self.send_admin(body, &[], now);
    }

    /// Messages up to `done` were received: the gap is closed once its end is reached, and
    /// the next chunk asked for when the current one is complete.
    pub(super) fn resend_progress(&mut self, done: u64, now: SystemTime) {
        let Some(r) = self.resend_range else {
            return;
        };
        if done >= r.end {
            tracing::info!(session = %self.cfg.id, begin = r.begin, end = r.end, "ResendRequest satisfied");
            self.resend_range = None;
        } else if r.chunk_end != 0 && done >= r.chunk_end {
            self.request_chunk(done + 1, now);
        }
    }
}
