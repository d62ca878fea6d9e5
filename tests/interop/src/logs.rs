//! Scanning the file logs of both engines (QuickFIX's FileLog and ours use the same file
//! names: `<session>.messages.current.log` and `<session>.event.current.log`).

use std::path::Path;

/// What the event logs must never say (lower case): rejects, sequence errors, validation
/// failures, dropped garbled messages, unanswered test requests.
pub const BAD_EVENTS: &[&str] = &[
    "too low",
    "reject",
    "invalid",
    "garbled",
    "incorrect",
    "required tag missing",
    "tag not defined",
    "value is incorrect",
    "out of order",
    "sendingtime",
    "compid problem",
    "timed out",
    "error",
];

/// The messages and event lines in FileLogPath `dir` that show a problem: any Reject (35=3)
/// or BusinessMessageReject (35=j) in a messages log, any [`BAD_EVENTS`] phrase in an event
/// log, except lines that contain one of `expected` (any case; e.g. the connection reset a test
/// causes). Also counts the messages logged, so a test can check that the logs were written.
pub fn problems(dir: &Path, expected: &[&str]) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut messages = 0;
    for path in crate::peer::log_files(dir) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read(&path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        if name.contains(".messages.") {
            // Counted by CheckSum fields: our log may hold several messages in one line.
            messages += text.matches("\u{1}10=").count();
            for line in text.lines() {
                if line.contains("\u{1}35=3\u{1}") || line.contains("\u{1}35=j\u{1}") {
                    found.push(format!("{name}: {}", line.replace('\u{1}', "|")));
                }
            }
        } else if name.contains(".event.") {
            for line in text.lines() {
                let l = line.to_ascii_lowercase();
                if BAD_EVENTS.iter().any(|p| l.contains(p))
                    && !expected.iter().any(|e| l.contains(&e.to_ascii_lowercase()))
                {
                    found.push(format!("{name}: {line}"));
                }
            }
        }
    }
    (found, messages)
}

/// Event log lines of FileLogPath `dir` containing `phrase` (case-insensitive).
pub fn events_with(dir: &Path, phrase: &str) -> Vec<String> {
    let phrase = phrase.to_ascii_lowercase();
    crate::peer::log_files(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".event."))
        .flat_map(|p| {
            std::fs::read_to_string(&p)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.to_ascii_lowercase().contains(&phrase))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}
