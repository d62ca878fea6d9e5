//! The fuzz targets' bodies, one function per target, shared by the libFuzzer binaries in
//! `fuzz_targets/` and the corpus replay test of the main workspace
//! (`tests/tests/fuzz_replay.rs` includes this file), so a crash found by the fuzzer is
//! replayed on stable by `cargo test`.
//!
//! Each function takes arbitrary bytes and must return without panicking, whatever they are.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use fix_core::frame::{find_frame, DEFAULT_MAX_MESSAGE_LEN};
use fix_core::{Decoder, Dictionary, Level, ValidationOptions};
use fix_session::app::NullApplication;
use fix_session::{ConnectionType, Output, Session, SessionId, SessionSettings, Settings};

/// The FIX.4.4 session the `session` target plays against, its counterparty being the input.
pub const SESSION_SENDER: &str = "ISLD";
/// The counterparty's CompID (the input's SenderCompID).
pub const SESSION_TARGET: &str = "TW44";
/// The session target's clock at the start: 2024-01-02 10:11:12 UTC; seeds carry this
/// SendingTime so the accuracy check lets them through.
pub const SESSION_START_UNIX: u64 = 1_704_190_272;

/// Framing: every frame `find_frame` finds in the input, one after the other, the way a
/// connection's read buffer is consumed.
pub fn framing(data: &[u8]) {
    let mut rest = data;
    while let Ok(Some(frame)) = find_frame(rest, DEFAULT_MAX_MESSAGE_LEN) {
        let len = frame.len;
        if len == 0 || len > rest.len() {
            break;
        }
        rest = &rest[len..];
    }
    // A small maximum length takes the too-long path as well.
    let _ = find_frame(data, 64);
}

fn walk(level: Level<'_, '_>, slots: usize, depth: usize) {
    for slot in 0..slots {
        let _ = level.raw(slot);
        if depth < 8 {
            for entry in level.group(slot) {
                walk(entry, 8, depth + 1);
            }
        }
    }
}

fn view_with(data: &[u8], dict: &Dictionary, opts: &ValidationOptions) {
    let mut decoder = Decoder::new();
    if let Ok(view) = decoder.decode(data, dict, opts) {
        let _ = view.problem();
        let _ = view.msg_type();
        let _ = view.fields().count();
        let body_slots = view.message_def().map_or(0, |m| m.body.members.len());
        walk(view.header(), dict.header.members.len(), 0);
        walk(view.body(), body_slots, 0);
        walk(view.trailer(), dict.trailer.members.len(), 0);
    }
}

/// The zero-copy view decoder: FIX.4.4 and FIX.5.0SP2 tables, strict and relaxed
/// validation, every field and group entry visited.
pub fn view(data: &[u8]) {
    let relaxed = ValidationOptions {
        check_required: false,
        check_user_defined_fields: false,
        ..ValidationOptions::default()
    };
    for dict in [&fix44::DICTIONARY, &fix50::DICTIONARY] {
        view_with(data, dict, &ValidationOptions::default());
        view_with(data, dict, &relaxed);
    }
}

/// Typed decode of FIX.4.4; a decoded message is encoded again.
pub fn typed_fix44(data: &[u8]) {
    if let Ok((header, msg)) = fix44::Message::decode_with(data, &ValidationOptions::default()) {
        let mut buf = Vec::new();
        let _ = msg.encode(&header, &mut buf);
    }
}

/// Typed decode of FIX.5.0SP2 over FIXT.1.1; a decoded message is encoded again.
pub fn typed_fix50(data: &[u8]) {
    if let Ok((header, msg)) = fix50::Message::decode_with(data, &ValidationOptions::default()) {
        let mut buf = Vec::new();
        let _ = msg.encode(&header, &mut buf);
    }
}

/// The QuickFIX-style settings parser (reading only: paths resolve against a folder that
/// does not exist, nothing is opened).
pub fn settings(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Settings::from_str_in(text, Path::new("/nonexistent/fix-fuzz"));
    }
}

/// The XML dictionary loader: XML -> checked model -> fix-core tables, and the model
/// combined with itself as a transport dictionary.
pub fn dictionary(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(model) = fix_dict::model_from_str(text) {
            let _ = fix_dict::layout::dictionary(&model);
            if let Ok(both) = model.clone().with_transport(&model) {
                let _ = fix_dict::layout::dictionary(&both);
            }
        }
    }
}

fn fix44_tables() -> Option<Arc<Dictionary>> {
    static TABLES: OnceLock<Option<Arc<Dictionary>>> = OnceLock::new();
    TABLES
        .get_or_init(|| {
            let s = SessionSettings::new(
                SessionId::new("FIX.4.4", SESSION_SENDER, SESSION_TARGET),
                ConnectionType::Acceptor,
            );
            s.load_dictionary().ok().flatten()
        })
        .clone()
}

/// The session core as an acceptor fed by a hostile peer: the input is cut at each `\n`
/// into reads (a `\n` never occurs in a FIX message except inside data fields), the clock
/// moves a second after each read and timers fire, resends are served from what was sent.
pub fn session(data: &[u8]) {
    let mut cfg = SessionSettings::new(
        SessionId::new("FIX.4.4", SESSION_SENDER, SESSION_TARGET),
        ConnectionType::Acceptor,
    );
    cfg.heartbeat_interval = Duration::from_secs(30);
    let mut now = SystemTime::UNIX_EPOCH + Duration::from_secs(SESSION_START_UNIX);
    let mut s = Session::new(&cfg, fix44_tables(), Arc::new(NullApplication), 1, 1, now);
    let mut sent: std::collections::BTreeMap<u64, Vec<u8>> = Default::default();
    s.on_connect(now);
    for chunk in data.split(|&b| b == b'\n') {
        s.handle_bytes(chunk, now);
        pump(&mut s, &mut sent, now);
        now += Duration::from_secs(1);
        s.handle_timeout(now);
        pump(&mut s, &mut sent, now);
        while s.poll_event().is_some() {}
    }
    s.on_disconnect(now);
    pump(&mut s, &mut sent, now);
}

fn pump(s: &mut Session, sent: &mut std::collections::BTreeMap<u64, Vec<u8>>, now: SystemTime) {
    // Bounded: a resend answered may queue more output, never without end.
    for _ in 0..10_000 {
        let Some(out) = s.poll_transmit() else { return };
        match out {
            Output::Send(t) if t.store => {
                sent.insert(t.seq, t.bytes);
            }
            Output::ResetStore { .. } => sent.clear(),
            Output::FetchResend { begin, end } => {
                let msgs = sent
                    .range(begin..=end.max(begin))
                    .map(|(k, v)| (*k, v.clone()))
                    .collect();
                s.provide_resend(msgs, now);
            }
            Output::Disconnect => {}
            _ => {}
        }
    }
}
