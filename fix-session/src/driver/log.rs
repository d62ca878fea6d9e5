//! The message and event log files of a session (FileLogPath).

use std::io::Write as _;

use crate::settings::SessionId;

/// Message and event log files in FileLogPath: `<prefix>.messages.current.log` and
/// `<prefix>.event.current.log`, as QuickFIX names them.
pub(super) struct MessageLog {
    messages: std::fs::File,
    events: std::fs::File,
    /// Received bytes not yet logged: the start of a message the next read completes.
    incoming: Vec<u8>,
}

impl MessageLog {
    pub(super) fn open(dir: &std::path::Path, id: &SessionId) -> Option<MessageLog> {
        std::fs::create_dir_all(dir).ok()?;
        let prefix = format!(
            "{}-{}-{}",
            id.begin_string, id.sender_comp_id, id.target_comp_id
        );
        let open = |name: String| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join(name))
                .ok()
        };
        Some(MessageLog {
            messages: open(format!("{prefix}.messages.current.log"))?,
            events: open(format!("{prefix}.event.current.log"))?,
            incoming: Vec::new(),
        })
    }

    /// Logs received bytes one message per line, as they are framed: a read may hold part of
    /// a message or several. Bytes that are no message (garbled, as the session will ignore
    /// them) are logged as they are, on a line of their own.
    pub(super) fn received(&mut self, bytes: &[u8]) {
        self.incoming.extend_from_slice(bytes);
        let mut done = 0;
        while done < self.incoming.len() {
            let rest = &self.incoming[done..];
            let n =
                match fix_core::frame::find_frame(rest, fix_core::frame::DEFAULT_MAX_MESSAGE_LEN) {
                    Ok(Some(frame)) => frame.len,
                    Ok(None) => break,
                    Err(e) => e.skip().clamp(1, rest.len()),
                };
            let _ = writeln!(self.messages, "IN  {}", String::from_utf8_lossy(&rest[..n]));
            done += n;
        }
        self.incoming.drain(..done);
    }

    /// A connection ended: logs what it left unfinished and starts afresh.
    pub(super) fn connection_closed(&mut self) {
        if !self.incoming.is_empty() {
            let _ = writeln!(
                self.messages,
                "IN  {}",
                String::from_utf8_lossy(&self.incoming)
            );
            self.incoming.clear();
        }
    }
    pub(super) fn message(&mut self, dir: &str, bytes: &[u8]) {
        let _ = writeln!(self.messages, "{dir} {}", String::from_utf8_lossy(bytes));
    }
    pub(super) fn event(&mut self, text: &str) {
        let _ = writeln!(self.events, "{text}");
    }
}
