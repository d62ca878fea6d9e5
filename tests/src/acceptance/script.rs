//! Parsing `.def` scripts, expanding the `<TIME>` macros and completing messages
//! (BodyLength and CheckSum insertion).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fix_core::frame::{checksum, SOH};

/// What one step of a script does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `iCONNECT`: open a TCP connection to the acceptor.
    Connect,
    /// `iDISCONNECT`: close the connection.
    Disconnect,
    /// `eDISCONNECT`: expect the acceptor to close the connection, sending nothing more.
    ExpectDisconnect,
    /// `I<message>`: send a message. The text is kept as written, macros unexpanded; see
    /// [`prepare_message`].
    Send(Vec<u8>),
    /// `E<message>`: read the next message and compare it with this one (macros unexpanded).
    Expect(Vec<u8>),
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1-based line number in the script file.
    pub line: usize,
    /// The connection the step acts on (`1` unless the line names another, as in `i2,CONNECT`).
    pub connection: u32,
    /// What the step does.
    pub action: Action,
    /// The script line as written (trailing CR dropped), for reports.
    pub source: Vec<u8>,
}

/// A parsed `.def` script: its steps in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// The steps, comments and blank lines left out.
    pub steps: Vec<Step>,
}

/// A line of a script that is not a valid step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

impl Script {
    /// Parses the text of a `.def` script.
    ///
    /// One step per line; blank lines and lines whose first non-blank character is `#` are
    /// comments; a trailing CR is dropped. A step starts with `I`, `E`, `i` or `e`, optionally
    /// followed by a connection number and a comma (`I2,8=...`, `e2,DISCONNECT`).
    pub fn parse(text: &[u8]) -> Result<Script, ParseError> {
        let mut steps = Vec::new();
        for (index, raw_line) in text.split(|&b| b == b'\n').enumerate() {
            let line_no = index + 1;
            let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
            let trimmed = trim_start(line);
            if trimmed.iter().all(|b| b.is_ascii_whitespace()) || trimmed.first() == Some(&b'#') {
                continue;
            }
            let err = |message: String| ParseError {
                line: line_no,
                message,
            };
            let kind = line[0];
            let rest = &line[1..];
            let (connection, payload) = split_connection(rest);
            let connection = match connection {
                Some(Ok(n)) => n,
                Some(Err(())) => return Err(err("bad connection number".into())),
                None => 1,
            };
            let action = match kind {
                b'I' => Action::Send(payload.to_vec()),
                b'E' => Action::Expect(payload.to_vec()),
                b'i' | b'e' => {
                    let word = trim_end(payload);
                    match (kind, word) {
                        (b'i', b"CONNECT") => Action::Connect,
                        (b'i', b"DISCONNECT") => Action::Disconnect,
                        (b'e', b"DISCONNECT") => Action::ExpectDisconnect,
                        _ => {
                            return Err(err(format!(
                                "unsupported command `{}`",
                                String::from_utf8_lossy(line)
                            )))
                        }
                    }
                }
                _ => {
                    return Err(err(format!(
                        "a step starts with I, E, i or e, not `{}`",
                        String::from_utf8_lossy(line)
                    )))
                }
            };
            if matches!(&action, Action::Send(m) | Action::Expect(m) if m.is_empty()) {
                return Err(err("empty message".into()));
            }
            steps.push(Step {
                line: line_no,
                connection,
                action,
                source: line.to_vec(),
            });
        }
        Ok(Script { steps })
    }
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &bytes[..end]
}

/// Splits an optional `N,` connection prefix off the text after the step letter.
///
/// Digits followed by `=` are a message's first tag (`8=`), not a connection number.
fn split_connection(rest: &[u8]) -> (Option<Result<u32, ()>>, &[u8]) {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && rest.get(digits) == Some(&b',') {
        let number = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or(());
        (Some(number), &rest[digits + 1..])
    } else {
        (None, rest)
    }
}

/// Formats a time as a FIX UTCTimestamp with whole seconds, `YYYYMMDD-HH:MM:SS`.
///
/// Times before 1970 are clamped to the epoch.
pub fn format_utc(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}-{:02}:{:02}:{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Replaces every `<TIME>`, `<TIME+N>` and `<TIME-N>` in `text` with `now` (plus or minus N
/// seconds) formatted as `YYYYMMDD-HH:MM:SS`. Anything else is kept as it is.
pub fn expand_macros(text: &[u8], now: SystemTime) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(b"<TIME") {
            if let Some((offset, len)) = parse_time_macro(&text[i..]) {
                let t = if offset >= 0 {
                    now + Duration::from_secs(offset.unsigned_abs())
                } else {
                    now.checked_sub(Duration::from_secs(offset.unsigned_abs()))
                        .unwrap_or(UNIX_EPOCH)
                };
                out.extend_from_slice(format_utc(t).as_bytes());
                i += len;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

/// Parses `<TIME>`, `<TIME+N>` or `<TIME-N>` at the start of `text`: (offset in seconds,
/// length of the macro).
fn parse_time_macro(text: &[u8]) -> Option<(i64, usize)> {
    let rest = &text[5..];
    match rest.first()? {
        b'>' => Some((0, 6)),
        sign @ (b'+' | b'-') => {
            let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 || digits > 12 || rest.get(1 + digits) != Some(&b'>') {
                return None;
            }
            let n: i64 = std::str::from_utf8(&rest[1..1 + digits])
                .ok()?
                .parse()
                .ok()?;
            let n = if *sign == b'-' { -n } else { n };
            Some((n, 5 + 1 + digits + 1))
        }
        _ => None,
    }
}

/// Completes a message the way the script format says.
///
/// - A text that does not start with `8=` is returned byte for byte.
/// - A missing trailing SOH is added.
/// - Without a `9=` field, the right BodyLength is inserted after BeginString.
/// - Without a trailing `10=` field, the right CheckSum is appended.
///
/// Explicit `9=` and `10=` are kept as written, even when wrong: that is how the garbled,
/// wrong-length and wrong-checksum cases are written. Macros must be expanded before (see
/// [`prepare_message`]).
pub fn complete_message(text: &[u8]) -> Vec<u8> {
    if !text.starts_with(b"8=") {
        return text.to_vec();
    }
    let mut msg = text.to_vec();
    if msg.last() != Some(&SOH) {
        msg.push(SOH);
    }
    let Some(head_end) = msg.iter().position(|&b| b == SOH).map(|p| p + 1) else {
        return msg;
    };
    let (head, rest) = msg.split_at(head_end);
    let fields: Vec<&[u8]> = rest[..rest.len().saturating_sub(1)]
        .split(|&b| b == SOH)
        .collect();
    let has_length = !rest.is_empty() && fields.iter().any(|f| f.starts_with(b"9="));
    let has_checksum = !rest.is_empty() && fields.last().is_some_and(|f| f.starts_with(b"10="));
    let body: &[u8] = if has_checksum {
        // Everything before the last field, which is `10=...`.
        let last_len = fields.last().map_or(0, |f| f.len() + 1);
        &rest[..rest.len() - last_len]
    } else {
        rest
    };
    let trailer: &[u8] = &rest[body.len()..];
    let mut out = Vec::with_capacity(msg.len() + 16);
    out.extend_from_slice(head);
    if !has_length {
        out.extend_from_slice(format!("9={}\x01", body.len()).as_bytes());
    }
    out.extend_from_slice(body);
    if has_checksum {
        out.extend_from_slice(trailer);
    } else {
        let sum = checksum(&out);
        out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    }
    out
}

/// Expands the macros of a message step at `now`, then completes it ([`complete_message`]).
pub fn prepare_message(text: &[u8], now: SystemTime) -> Vec<u8> {
    complete_message(&expand_macros(text, now))
}

/// Renders FIX bytes for humans: SOH as `|`, other control and non-ASCII bytes escaped.
pub fn printable(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            SOH => s.push('|'),
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soh(s: &str) -> Vec<u8> {
        s.replace('|', "\x01").into_bytes()
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn parses_steps_comments_and_connection_numbers() {
        let text = soh("# comment\r\n\n  # indented comment\niCONNECT\r\n\
            I8=FIX.4.4|35=A|34=1|\nE8=FIX.4.4|35=A|\ni2,CONNECT\nI2,8=FIX.4.4|35=0|\n\
            e2,DISCONNECT\niDISCONNECT\neDISCONNECT\nI35=0|8=FIX.4.4|\n");
        let script = Script::parse(&text).unwrap();
        let got: Vec<(usize, u32, Action)> = script
            .steps
            .iter()
            .map(|s| (s.line, s.connection, s.action.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, 1, Action::Connect),
                (5, 1, Action::Send(soh("8=FIX.4.4|35=A|34=1|"))),
                (6, 1, Action::Expect(soh("8=FIX.4.4|35=A|"))),
                (7, 2, Action::Connect),
                (8, 2, Action::Send(soh("8=FIX.4.4|35=0|"))),
                (9, 2, Action::ExpectDisconnect),
                (10, 1, Action::Disconnect),
                (11, 1, Action::ExpectDisconnect),
                (12, 1, Action::Send(soh("35=0|8=FIX.4.4|"))),
            ]
        );
        assert_eq!(script.steps[0].source, b"iCONNECT");
    }

    #[test]
    fn rejects_unknown_steps_with_line_number() {
        let err = Script::parse(b"iCONNECT\nX8=FIX.4.4\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = Script::parse(b"\niCONNEKT\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("iCONNEKT"), "{err}");
        assert!(Script::parse(b"eCONNECT\n").is_err());
        assert!(Script::parse(b"I\n").is_err());
    }

    #[test]
    fn formats_utc_timestamps() {
        assert_eq!(format_utc(at(0)), "19700101-00:00:00");
        // 2000-02-29 is a leap day; 951782400 is its midnight.
        assert_eq!(format_utc(at(951_782_400 + 3_723)), "20000229-01:02:03");
        assert_eq!(format_utc(at(1_735_689_599)), "20241231-23:59:59");
        assert_eq!(format_utc(at(1_735_689_600)), "20250101-00:00:00");
    }

    #[test]
    fn expands_time_macros() {
        let now = at(1_735_689_600); // 20250101-00:00:00
        let got = expand_macros(b"52=<TIME>|122=<TIME-1>|60=<TIME+121>|x=<TIME-121>", now);
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "52=20250101-00:00:00|122=20241231-23:59:59|60=20250101-00:02:01|x=20241231-23:57:59"
        );
        // Not macros: kept as written.
        assert_eq!(
            expand_macros(b"<TIME+>|<TIMEX>|<TIME", now),
            b"<TIME+>|<TIMEX>|<TIME"
        );
    }

    #[test]
    fn inserts_body_length_and_checksum() {
        let got = complete_message(&soh("8=FIX.4.4|35=0|34=2|49=TW44|56=ISLD|"));
        let body = "35=0|34=2|49=TW44|56=ISLD|";
        let mut expect = soh(&format!("8=FIX.4.4|9={}|{body}", body.len()));
        let sum = checksum(&expect);
        expect.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        assert_eq!(printable(&got), printable(&expect));
        // A valid frame for fix-core.
        let frame = fix_core::frame::find_frame(&got, 4096).unwrap().unwrap();
        assert_eq!(frame.len, got.len());
    }

    #[test]
    fn missing_trailing_soh_is_added() {
        let a = complete_message(&soh("8=FIX.4.4|35=0|34=2"));
        let b = complete_message(&soh("8=FIX.4.4|35=0|34=2|"));
        assert_eq!(a, b);
    }

    #[test]
    fn explicit_body_length_is_kept_and_checksum_computed() {
        let got = complete_message(&soh("8=FIX.4.4|9=40|35=A|34=1|"));
        assert!(got.starts_with(&soh("8=FIX.4.4|9=40|35=A|34=1|10=")));
        let sum = checksum(&soh("8=FIX.4.4|9=40|35=A|34=1|"));
        assert!(got.ends_with(format!("10={sum:03}\x01").as_bytes()));
    }

    #[test]
    fn explicit_checksum_is_kept_and_body_length_computed() {
        let got = complete_message(&soh("8=FIX.4.4|35=0|34=2|10=256|"));
        assert_eq!(printable(&got), "8=FIX.4.4|9=10|35=0|34=2|10=256|");
    }

    #[test]
    fn explicit_length_and_checksum_are_sent_as_written() {
        let text = soh("8=FIX.4.4|9=52|35=0|34=2|4garbled9=TW|10=0|");
        assert_eq!(complete_message(&text), text);
    }

    #[test]
    fn text_not_starting_with_begin_string_is_sent_byte_for_byte() {
        let text = soh("35=0|8=FIX.4.4|9=29|34=2|10=121|");
        assert_eq!(complete_message(&text), text);
        assert_eq!(complete_message(b"garbage"), b"garbage");
    }

    #[test]
    fn a_field_merely_containing_9_is_not_a_body_length() {
        // `49=` and `4garbled9=` are not BodyLength fields.
        let got = complete_message(&soh("8=FIX.4.4|35=0|49=TW|"));
        assert!(printable(&got).starts_with("8=FIX.4.4|9=11|35=0|49=TW|10="));
        let got = complete_message(&soh("8=FIX.4.4|35=0|4garbled9=TW|"));
        assert!(printable(&got).starts_with("8=FIX.4.4|9=18|35=0|4garbled9=TW|10="));
    }

    #[test]
    fn prepare_expands_then_completes() {
        let got = prepare_message(&soh("8=FIX.4.4|35=0|52=<TIME>|"), at(0));
        assert!(printable(&got).starts_with("8=FIX.4.4|9=26|35=0|52=19700101-00:00:00|10="));
    }

    #[test]
    fn printable_escapes() {
        assert_eq!(printable(b"8=\x01a\r\n\xff"), "8=|a\\r\\n\\xff");
    }
}
