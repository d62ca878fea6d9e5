//! Finding FIX messages in untidy log lines and turning each into bytes the decoder can frame.
//!
//! A line may hold any text around its messages (QuickFIX puts a timestamp in front), several
//! messages, and use SOH, `|` or the two characters `^A` as the field separator. Each message
//! starts at `8=FIX` (which also matches `8=FIXT`) and runs up to the next one or the end of
//! the line. Its separator is whatever follows the BeginString value; only that separator is
//! turned into SOH, so a `|` inside a value of an SOH-separated message survives.
//!
//! Documentation samples and hand-edited logs often carry a wrong BodyLength or CheckSum. When
//! [`find_frame`] rejects a message, [`repair`] rebuilds it around its body (up to `10=NNN`)
//! with both fields recomputed, and says what was wrong, so the message can still be read.

use fix_core::frame::{checksum, find_frame, DEFAULT_MAX_MESSAGE_LEN, SOH};

/// One message cut out of a line, ready for [`fix_core::Decoder::decode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The message with SOH separators and (after a repair) a correct BodyLength and CheckSum.
    pub bytes: Vec<u8>,
    /// What had to be repaired, if anything ("CheckSum/BodyLength wrong: ...").
    pub framing_problem: Option<String>,
    /// The BodyLength (9) value as written, when the repair replaced it.
    pub original_body_length: Option<String>,
    /// The CheckSum (10) value as written, when the repair replaced it.
    pub original_checksum: Option<String>,
}

/// The byte offsets in `line` where a message starts: `8=FIX` not preceded by a digit or `=`,
/// so neither the `8=` of `58=FIX...` nor a message quoted in a value (`58=8=FIX...`) counts.
pub fn message_starts(line: &[u8]) -> Vec<usize> {
    const NEEDLE: &[u8] = b"8=FIX";
    let mut out = Vec::new();
    if line.len() < NEEDLE.len() {
        return out;
    }
    for at in 0..=line.len() - NEEDLE.len() {
        if &line[at..at + NEEDLE.len()] == NEEDLE
            && (at == 0 || !(line[at - 1].is_ascii_digit() || line[at - 1] == b'='))
        {
            out.push(at);
        }
    }
    out
}

/// The field separators a log may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    /// SOH (0x01), as on the wire.
    Soh,
    /// A vertical bar, as in most documentation and many logs.
    Pipe,
    /// The two characters `^A`, as `cat -v` and some loggers print SOH.
    CaretA,
}

/// The separator used by the message starting at `segment[0]`: the first separator after
/// the BeginString value, or `None` if there is none.
pub fn detect_separator(segment: &[u8]) -> Option<Separator> {
    for (i, &b) in segment.iter().enumerate() {
        match b {
            SOH => return Some(Separator::Soh),
            b'|' => return Some(Separator::Pipe),
            b'^' if segment.get(i + 1) == Some(&b'A') => return Some(Separator::CaretA),
            _ => {}
        }
    }
    None
}

/// `segment` with `sep` replaced by SOH.
pub fn normalise(segment: &[u8], sep: Separator) -> Vec<u8> {
    match sep {
        Separator::Soh => segment.to_vec(),
        Separator::Pipe => segment
            .iter()
            .map(|&b| if b == b'|' { SOH } else { b })
            .collect(),
        Separator::CaretA => {
            let mut out = Vec::with_capacity(segment.len());
            let mut i = 0;
            while i < segment.len() {
                if segment[i] == b'^' && segment.get(i + 1) == Some(&b'A') {
                    out.push(SOH);
                    i += 2;
                } else {
                    out.push(segment[i]);
                    i += 1;
                }
            }
            out
        }
    }
}

/// Cuts the message out of `segment` (which starts with `8=FIX` and may run past the message)
/// and frames it, repairing BodyLength and CheckSum if needed. Fails with the reason when the
/// segment cannot be read as a message at all.
pub fn candidate(segment: &[u8]) -> Result<Candidate, String> {
    let Some(sep) = detect_separator(segment) else {
        return Err("no field separator (SOH, | or ^A) after BeginString".to_string());
    };
    let bytes = normalise(segment, sep);
    match find_frame(&bytes, DEFAULT_MAX_MESSAGE_LEN) {
        Ok(Some(frame)) => {
            let mut bytes = bytes;
            bytes.truncate(frame.len);
            Ok(Candidate {
                bytes,
                framing_problem: None,
                original_body_length: None,
                original_checksum: None,
            })
        }
        _ => repair(&bytes),
    }
}

/// Position of the first `<SOH>10=` at or after `from`, the start of the CheckSum field.
fn find_trailer(bytes: &[u8], from: usize) -> Option<usize> {
    const PAT: &[u8] = b"\x0110=";
    bytes
        .get(from..)?
        .windows(PAT.len())
        .position(|w| w == PAT)
        .map(|p| from + p + 1)
}

/// Rebuilds a message with a wrong or missing BodyLength or CheckSum: BeginString, the body
/// (from MsgType up to `10=`, or to the end when there is no CheckSum), then both computed.
pub fn repair(bytes: &[u8]) -> Result<Candidate, String> {
    if !bytes.starts_with(b"8=") {
        return Err("message does not start with BeginString (8=)".to_string());
    }
    let Some(bs_end) = bytes.iter().position(|&b| b == SOH) else {
        return Err("no field after BeginString".to_string());
    };
    let begin_string = &bytes[2..bs_end];
    let mut body_start = bs_end + 1;
    let mut original_body_length = None;
    if bytes[body_start..].starts_with(b"9=") {
        let Some(p) = bytes[body_start..].iter().position(|&b| b == SOH) else {
            return Err("message ends in BodyLength (9)".to_string());
        };
        original_body_length =
            Some(String::from_utf8_lossy(&bytes[body_start + 2..body_start + p]).into_owned());
        body_start += p + 1;
    }
    let mut problems = Vec::new();
    let (body_end, original_checksum) = match find_trailer(bytes, body_start.saturating_sub(1)) {
        Some(t) => {
            let digits_end = bytes[t + 3..]
                .iter()
                .position(|&b| !b.is_ascii_digit())
                .map_or(bytes.len(), |p| t + 3 + p);
            (
                t,
                Some(String::from_utf8_lossy(&bytes[t + 3..digits_end]).into_owned()),
            )
        }
        None => {
            // No CheckSum: take the rest, without trailing blanks, as the body.
            let mut end = bytes.len();
            while end > body_start && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            (end, None)
        }
    };
    let mut body = bytes[body_start.min(body_end)..body_end].to_vec();
    if !body.ends_with(&[SOH]) && !body.is_empty() {
        body.push(SOH);
    }
    if !body.starts_with(b"35=") {
        return Err(if body.is_empty() {
            "no fields between BeginString and CheckSum".to_string()
        } else {
            "third field is not MsgType (35=)".to_string()
        });
    }
    match &original_body_length {
        None => problems.push("BodyLength (9) missing".to_string()),
        Some(v) if v.parse::<usize>().ok() != Some(body.len()) => {
            problems.push(format!(
                "BodyLength is {v} but the body is {} bytes",
                body.len()
            ));
        }
        Some(_) => {}
    }
    match &original_checksum {
        None => problems.push("CheckSum (10) missing".to_string()),
        Some(v) => {
            let computed = checksum(&bytes[..body_end]);
            if v.len() != 3 || v.parse::<u32>().ok() != Some(u32::from(computed)) {
                problems.push(format!(
                    "CheckSum is {v} but the message sums to {computed:03}"
                ));
            }
        }
    }
    let mut out = Vec::with_capacity(body.len() + begin_string.len() + 24);
    out.extend_from_slice(b"8=");
    out.extend_from_slice(begin_string);
    out.push(SOH);
    out.extend_from_slice(format!("9={}", body.len()).as_bytes());
    out.push(SOH);
    out.extend_from_slice(&body);
    let sum = checksum(&out);
    out.extend_from_slice(format!("10={sum:03}").as_bytes());
    out.push(SOH);
    if problems.is_empty() {
        // Framing failed for a reason the checks above do not name (e.g. a too-long message).
        problems.push("message could not be framed as written".to_string());
    }
    Ok(Candidate {
        bytes: out,
        framing_problem: Some(format!(
            "CheckSum/BodyLength wrong: {}",
            problems.join("; ")
        )),
        original_body_length,
        original_checksum,
    })
}

/// The raw value of the first `tag=` field of an SOH-separated message, without a full parse
/// (used to read ApplVerID before the dictionary is chosen).
pub fn raw_field(bytes: &[u8], tag: u32) -> Option<&[u8]> {
    let prefix = format!("{tag}=");
    bytes
        .split(|&b| b == SOH)
        .find_map(|f| f.strip_prefix(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_starts_but_not_inside_tag_58() {
        let line = b"x 8=FIX.4.4|58=FIX rocks|354=8=FIX|10=000| 8=FIXT.1.1|";
        assert_eq!(message_starts(line), vec![2, 43]);
    }

    #[test]
    fn caret_a_is_normalised() {
        let s = b"8=FIX.4.2^A9=5^A35=0^A10=161^A";
        assert_eq!(detect_separator(s), Some(Separator::CaretA));
        assert_eq!(
            normalise(s, Separator::CaretA),
            b"8=FIX.4.2\x019=5\x0135=0\x0110=161\x01".to_vec()
        );
    }

    #[test]
    fn good_message_is_cut_at_its_end() {
        let c = candidate(b"8=FIX.4.2|9=5|35=0|10=161| trailing text").unwrap();
        assert_eq!(c.bytes, b"8=FIX.4.2\x019=5\x0135=0\x0110=161\x01".to_vec());
        assert_eq!(c.framing_problem, None);
    }

    #[test]
    fn wrong_length_and_checksum_are_repaired() {
        let c = candidate(b"8=FIX.4.2|9=7|35=0|10=999|").unwrap();
        assert_eq!(c.bytes, b"8=FIX.4.2\x019=5\x0135=0\x0110=161\x01".to_vec());
        let p = c.framing_problem.unwrap();
        assert!(p.contains("BodyLength is 7 but the body is 5 bytes"), "{p}");
        assert!(p.contains("CheckSum is 999"), "{p}");
        assert_eq!(c.original_checksum.as_deref(), Some("999"));
        let c = candidate(b"8=FIX.4.2|35=0|").unwrap();
        assert_eq!(c.bytes, b"8=FIX.4.2\x019=5\x0135=0\x0110=161\x01".to_vec());
        assert!(candidate(b"8=FIX.4.2|hello|").is_err());
        assert!(candidate(b"8=FIX.4.2").is_err());
    }
}
