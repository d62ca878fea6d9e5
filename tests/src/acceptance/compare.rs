//! Comparing a received message with the expected one of an `E` step.
//!
//! # Rules
//!
//! The expected message is completed like a sent one (BodyLength and CheckSum inserted when
//! missing, see [`complete_message`](super::script::complete_message)), then both are split
//! into `tag=value` fields at SOH. A field's value matches when it is equal, or, for a tag
//! with a pattern in `fields.fmt` (10, 42, 52, 60 and 122 in the suite), when the *received*
//! value matches the pattern (the expected value, a placeholder such as
//! `00000000-00:00:00.000`, is then ignored). As in QuickFIX's own comparator a pattern is
//! searched for anywhere in the value, not anchored: `122=\d{8}-\d{2}:\d{2}:\d{2}` accepts an
//! OrigSendingTime with milliseconds, which the suite's BodyLengths require.
//!
//! [`CompareMode::Strict`] is QuickFIX's comparison: same number of fields, same tags in the
//! same order.
//!
//! [`CompareMode::Relaxed`] (the default) checks what the README says always matters and
//! compares the rest as a set:
//! 1. the first three fields are 8, 9, 35 and the last is 10, in both;
//! 2. header first: in the received message every standard header tag comes before every
//!    body tag, and the trailer tags (93, 89, 10) come last;
//! 3. every tag has the same values in the same order in both messages (so the same
//!    multiset of fields; a tag that is expected once must be received once);
//! 4. inside repeating groups order matters: the fields whose tag occurs more than once in
//!    either message (the members of groups with two or more entries) appear in the same
//!    relative order in both.
//!
//! Header fields other than 8/9/35 and body fields outside repeating groups may come in any
//! order. BodyLength (9) is compared as a value, so a message with another length (for
//! instance SendingTime without milliseconds where the script has them) does not match.

use std::collections::HashMap;
use std::fmt;

use regex::Regex;

use super::script::printable;

/// Tags of the standard header of FIX.4.0 to FIXT.1.1.
pub const HEADER_TAGS: &[u32] = &[
    8, 9, 35, 49, 56, 115, 128, 90, 91, 34, 50, 142, 57, 143, 116, 144, 129, 145, 43, 97, 52, 122,
    212, 213, 347, 369, 627, 628, 629, 630, 1128, 1129, 1156,
];

/// Tags of the standard trailer.
pub const TRAILER_TAGS: &[u32] = &[93, 89, 10];

/// How strictly field order is compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CompareMode {
    /// QuickFIX's comparison: same fields in the same order.
    Strict,
    /// 8, 9, 35 first and 10 last, header before body before trailer, the same values per tag,
    /// and the same order inside repeating groups; otherwise any order. See the module docs.
    #[default]
    Relaxed,
}

/// Value patterns per tag, as in `fields.fmt` (`10=\d{3}`, one `tag=regex` per line).
#[derive(Debug, Clone, Default)]
pub struct FieldPatterns {
    patterns: HashMap<u32, Regex>,
}

/// A `fields.fmt` line that is not `tag=regex`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fields.fmt line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for PatternError {}

/// The patterns of the QuickFIX suite's `fields.fmt`, used by [`FieldPatterns::quickfix`].
pub const QUICKFIX_FIELDS_FMT: &str = "10=\\d{3}\n\
    42=\\d{8}-\\d{2}:\\d{2}:\\d{2}\n\
    52=\\d{8}-\\d{2}:\\d{2}:\\d{2}|\\d{8}-\\d{2}:\\d{2}:\\d{2}[.]\\d{3}\n\
    60=\\d{8}-\\d{2}:\\d{2}:\\d{2}\n\
    122=\\d{8}-\\d{2}:\\d{2}:\\d{2}\n";

impl FieldPatterns {
    /// Parses a `fields.fmt` text: one `tag=regex` per line; blank lines are skipped.
    pub fn parse(text: &str) -> Result<FieldPatterns, PatternError> {
        let mut patterns = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let err = |message: String| PatternError {
                line: index + 1,
                message,
            };
            let (tag, pattern) = line
                .split_once('=')
                .ok_or_else(|| err(format!("expected tag=regex, got `{line}`")))?;
            let tag: u32 = tag
                .trim()
                .parse()
                .map_err(|_| err(format!("bad tag `{tag}`")))?;
            let regex = Regex::new(pattern).map_err(|e| err(format!("bad regex: {e}")))?;
            patterns.insert(tag, regex);
        }
        Ok(FieldPatterns { patterns })
    }

    /// The patterns of the QuickFIX suite ([`QUICKFIX_FIELDS_FMT`]).
    pub fn quickfix() -> FieldPatterns {
        FieldPatterns::parse(QUICKFIX_FIELDS_FMT).expect("built-in patterns are valid")
    }

    /// The pattern for a tag, if any.
    pub fn get(&self, tag: u32) -> Option<&Regex> {
        self.patterns.get(&tag)
    }

    /// Whether a received value matches the expected one for this tag.
    pub fn value_matches(&self, tag: u32, expected: &[u8], received: &[u8]) -> bool {
        match self.patterns.get(&tag) {
            Some(re) => std::str::from_utf8(received).is_ok_and(|v| re.is_match(v)),
            None => expected == received,
        }
    }
}

/// One `tag=value` field of a message as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The tag as written (not necessarily a number in a garbled message).
    pub tag: &'a [u8],
    /// The numeric tag, if the tag is a number.
    pub number: Option<u32>,
    /// The value (everything after the first `=`).
    pub value: &'a [u8],
}

/// Splits a message into fields at SOH (a trailing SOH ends the last field).
pub fn split_fields(msg: &[u8]) -> Vec<Field<'_>> {
    let msg = msg.strip_suffix(&[fix_core::frame::SOH]).unwrap_or(msg);
    if msg.is_empty() {
        return Vec::new();
    }
    msg.split(|&b| b == fix_core::frame::SOH)
        .map(|f| {
            let (tag, value) = match f.iter().position(|&b| b == b'=') {
                Some(p) => (&f[..p], &f[p + 1..]),
                None => (f, &f[f.len()..]),
            };
            let number = std::str::from_utf8(tag).ok().and_then(|t| t.parse().ok());
            Field { tag, number, value }
        })
        .collect()
}

/// Why a received message does not match the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Each difference found, in words.
    pub problems: Vec<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.problems.join("; "))
    }
}

impl std::error::Error for Mismatch {}

fn show(bytes: &[u8]) -> String {
    printable(bytes)
}

/// Compares a received message with the expected one (already completed and with macros
/// expanded). See the module docs for the rules.
pub fn compare(
    expected: &[u8],
    received: &[u8],
    patterns: &FieldPatterns,
    mode: CompareMode,
) -> Result<(), Mismatch> {
    let exp = split_fields(expected);
    let got = split_fields(received);
    let problems = match mode {
        CompareMode::Strict => compare_strict(&exp, &got, patterns),
        CompareMode::Relaxed => compare_relaxed(&exp, &got, patterns),
    };
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Mismatch { problems })
    }
}

fn compare_strict(exp: &[Field<'_>], got: &[Field<'_>], patterns: &FieldPatterns) -> Vec<String> {
    let mut problems = Vec::new();
    if exp.len() != got.len() {
        problems.push(format!(
            "expected {} fields, received {}",
            exp.len(),
            got.len()
        ));
    }
    for (i, (e, g)) in exp.iter().zip(got).enumerate() {
        if e.tag != g.tag {
            problems.push(format!(
                "field {}: expected tag {} but found tag {}",
                i + 1,
                show(e.tag),
                show(g.tag)
            ));
            break;
        }
        if !value_ok(e, g, patterns) {
            problems.push(value_problem(e, g, patterns));
        }
    }
    problems
}

fn value_ok(e: &Field<'_>, g: &Field<'_>, patterns: &FieldPatterns) -> bool {
    match e.number {
        Some(tag) => patterns.value_matches(tag, e.value, g.value),
        None => e.value == g.value,
    }
}

fn value_problem(e: &Field<'_>, g: &Field<'_>, patterns: &FieldPatterns) -> String {
    match e.number.and_then(|t| patterns.get(t)) {
        Some(re) => format!(
            "tag {}: value `{}` does not match pattern `{}`",
            show(e.tag),
            show(g.value),
            re.as_str()
        ),
        None => format!(
            "tag {}: expected `{}`, received `{}`",
            show(e.tag),
            show(e.value),
            show(g.value)
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Header,
    Body,
    Trailer,
}

fn section(field: &Field<'_>) -> Section {
    match field.number {
        Some(t) if HEADER_TAGS.contains(&t) => Section::Header,
        Some(t) if TRAILER_TAGS.contains(&t) => Section::Trailer,
        _ => Section::Body,
    }
}

fn compare_relaxed(exp: &[Field<'_>], got: &[Field<'_>], patterns: &FieldPatterns) -> Vec<String> {
    let mut problems = Vec::new();

    // 1. 8, 9, 35 first; 10 last.
    for (i, tag) in [b"8" as &[u8], b"9", b"35"].into_iter().enumerate() {
        match got.get(i) {
            Some(g) if g.tag == tag => {}
            Some(g) => problems.push(format!(
                "field {} must be tag {} but is tag {}",
                i + 1,
                show(tag),
                show(g.tag)
            )),
            None => problems.push(format!("message too short: no field {}", i + 1)),
        }
    }
    if exp.last().map(|f| f.tag) == Some(b"10") && got.last().map(|f| f.tag) != Some(b"10") {
        problems.push("the last field is not CheckSum (10)".into());
    }

    // 2. Header, body, trailer in this order in the received message.
    let mut highest = Section::Header;
    let mut previous: Option<&Field<'_>> = None;
    for g in got {
        let s = section(g);
        if s < highest {
            problems.push(format!(
                "tag {} ({:?}) comes after tag {} ({:?})",
                show(g.tag),
                s,
                show(previous.map_or(&b""[..], |p| p.tag)),
                highest
            ));
        }
        if s > highest {
            highest = s;
        }
        previous = Some(g);
    }

    // 3. The same values per tag, in the same order.
    let mut tags: Vec<&[u8]> = Vec::new();
    for f in exp.iter().chain(got) {
        if !tags.contains(&f.tag) {
            tags.push(f.tag);
        }
    }
    let mut repeated: Vec<&[u8]> = Vec::new();
    for tag in tags {
        let e: Vec<&Field<'_>> = exp.iter().filter(|f| f.tag == tag).collect();
        let g: Vec<&Field<'_>> = got.iter().filter(|f| f.tag == tag).collect();
        if e.len() > 1 || g.len() > 1 {
            repeated.push(tag);
        }
        match (e.len(), g.len()) {
            (0, _) => problems.push(format!(
                "unexpected tag {} = `{}`",
                show(tag),
                g.iter()
                    .map(|f| show(f.value))
                    .collect::<Vec<_>>()
                    .join("`, `")
            )),
            (_, 0) => problems.push(format!(
                "missing tag {} (expected `{}`)",
                show(tag),
                e.iter()
                    .map(|f| show(f.value))
                    .collect::<Vec<_>>()
                    .join("`, `")
            )),
            (a, b) if a != b => problems.push(format!(
                "tag {} expected {a} times, received {b} times",
                show(tag)
            )),
            _ => {
                for (ef, gf) in e.iter().zip(&g) {
                    if !value_ok(ef, gf, patterns) {
                        problems.push(value_problem(ef, gf, patterns));
                    }
                }
            }
        }
    }

    // 4. Order inside repeating groups: the fields of tags seen more than once keep their
    // relative order.
    if !repeated.is_empty() && problems.is_empty() {
        let seq = |fields: &[Field<'_>]| -> Vec<String> {
            fields
                .iter()
                .filter(|f| repeated.contains(&f.tag))
                .map(|f| show(f.tag))
                .collect()
        };
        let (e, g) = (seq(exp), seq(got));
        if e != g {
            problems.push(format!(
                "repeating group order differs: expected tags {}, received {}",
                e.join(","),
                g.join(",")
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acceptance::script::complete_message;

    fn msg(s: &str) -> Vec<u8> {
        complete_message(s.replace('|', "\x01").as_bytes())
    }

    fn relaxed(e: &str, g: &str) -> Result<(), Mismatch> {
        compare(
            &msg(e),
            &msg(g),
            &FieldPatterns::quickfix(),
            CompareMode::Relaxed,
        )
    }

    fn strict(e: &str, g: &str) -> Result<(), Mismatch> {
        compare(
            &msg(e),
            &msg(g),
            &FieldPatterns::quickfix(),
            CompareMode::Strict,
        )
    }

    const LOGON_EXP: &str =
        "8=FIX.4.4|9=63|35=A|34=1|49=ISLD|52=00000000-00:00:00.000|56=TW44|98=0|108=30|10=0|";
    const LOGON_GOT: &str =
        "8=FIX.4.4|35=A|34=1|49=ISLD|52=20250101-12:34:56.789|56=TW44|98=0|108=30|";

    #[test]
    fn parses_fields_fmt() {
        let p = FieldPatterns::parse("10=\\d{3}\n\n52=\\d{8}\r\n").unwrap();
        assert!(p.get(10).is_some() && p.get(52).is_some() && p.get(60).is_none());
        assert_eq!(FieldPatterns::parse("x=1").unwrap_err().line, 1);
        assert_eq!(FieldPatterns::parse("10=\\d{3}\nnope").unwrap_err().line, 2);
        assert!(FieldPatterns::parse("10=(").is_err());
    }

    #[test]
    fn the_suite_fields_fmt_parses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/acceptance/fields.fmt");
        let text = std::fs::read_to_string(path).unwrap();
        let p = FieldPatterns::parse(&text).unwrap();
        for tag in [10, 42, 52, 60, 122] {
            assert!(p.get(tag).is_some(), "{tag}");
        }
    }

    #[test]
    fn sending_time_and_checksum_match_by_pattern() {
        assert_eq!(relaxed(LOGON_EXP, LOGON_GOT), Ok(()));
        assert_eq!(strict(LOGON_EXP, LOGON_GOT), Ok(()));
        // Whole seconds also match 52's pattern, but the BodyLength then differs.
        let secs = LOGON_GOT.replace(".789", "");
        let err = relaxed(LOGON_EXP, &secs).unwrap_err();
        assert_eq!(err.problems, vec!["tag 9: expected `63`, received `59`"]);
        // A SendingTime that is no timestamp.
        let bad = LOGON_GOT.replace("20250101-12:34:56.789", "2025-01-01T12:34:56.7");
        let err = relaxed(LOGON_EXP, &bad).unwrap_err();
        assert!(
            err.problems
                .iter()
                .any(|p| p.contains("tag 52: value `2025-01-01T12:34:56.7` does not match")),
            "{err}"
        );
    }

    #[test]
    fn checksum_pattern_needs_three_digits() {
        let p = FieldPatterns::quickfix();
        assert!(p.value_matches(10, b"0", b"007"));
        assert!(!p.value_matches(10, b"0", b"7"));
        assert!(!p.value_matches(10, b"0", b""));
        // Without a pattern values compare as written.
        assert!(p.value_matches(34, b"2", b"2"));
        assert!(!p.value_matches(34, b"2", b"02"));
    }

    #[test]
    fn orig_sending_time_with_milliseconds_matches() {
        let p = FieldPatterns::quickfix();
        assert!(p.value_matches(122, b"00000000-00:00:00.000", b"20250101-12:00:00.123"));
        assert!(p.value_matches(60, b"00000000-00:00:00", b"20250101-12:00:00"));
        assert!(!p.value_matches(60, b"00000000-00:00:00", b"2025"));
    }

    #[test]
    fn reports_value_mismatch() {
        let got = LOGON_GOT.replace("108=30", "108=31");
        let err = relaxed(LOGON_EXP, &got).unwrap_err();
        assert_eq!(err.problems, vec!["tag 108: expected `30`, received `31`"]);
        let err = strict(LOGON_EXP, &got).unwrap_err();
        assert_eq!(err.problems, vec!["tag 108: expected `30`, received `31`"]);
    }

    #[test]
    fn reports_missing_and_unexpected_tags() {
        let got = LOGON_GOT.replace("98=0|", "");
        let got = got.replace("108=30|", "108=30|141=Y|");
        let err = relaxed(LOGON_EXP, &got).unwrap_err();
        assert!(
            err.problems
                .contains(&"missing tag 98 (expected `0`)".into()),
            "{err}"
        );
        assert!(
            err.problems.contains(&"unexpected tag 141 = `Y`".into()),
            "{err}"
        );
        assert!(strict(LOGON_EXP, &got).is_err());
    }

    #[test]
    fn header_and_body_order_is_free_but_header_comes_first() {
        let e = "8=FIX.4.4|35=D|34=2|49=ISLD|52=00000000-00:00:00.000|56=TW44|11=id|21=3|40=1|";
        let g = "8=FIX.4.4|35=D|49=ISLD|56=TW44|34=2|52=20250101-00:00:00.000|40=1|11=id|21=3|";
        assert_eq!(relaxed(e, g), Ok(()));
        assert!(strict(e, g).is_err());
        let g = "8=FIX.4.4|35=D|49=ISLD|56=TW44|34=2|11=id|52=20250101-00:00:00.000|40=1|21=3|";
        let err = relaxed(e, g).unwrap_err();
        assert_eq!(
            err.problems,
            vec!["tag 52 (Header) comes after tag 11 (Body)"]
        );
    }

    #[test]
    fn first_three_fields_are_fixed() {
        let e = "8=FIX.4.4|9=5|35=0|34=2|10=0|";
        let g = "8=FIX.4.4|9=5|34=2|35=0|10=000|";
        let err = relaxed(e, g).unwrap_err();
        assert!(err.problems[0].contains("field 3 must be tag 35"), "{err}");
    }

    #[test]
    fn checksum_must_be_last() {
        let e = "8=FIX.4.4|9=5|35=0|34=2|10=0|";
        let g = "8=FIX.4.4|9=5|35=0|10=000|34=2|";
        let err = compare(
            &msg(e),
            g.replace('|', "\x01").as_bytes(),
            &FieldPatterns::quickfix(),
            CompareMode::Relaxed,
        )
        .unwrap_err();
        assert!(
            err.problems.iter().any(|p| p.contains("last field")),
            "{err}"
        );
    }

    #[test]
    fn repeating_group_order_matters() {
        let e = "8=FIX.4.4|35=D|386=2|336=A|625=1|336=B|625=2|";
        let ok = "8=FIX.4.4|35=D|386=2|336=A|625=1|336=B|625=2|";
        assert_eq!(relaxed(e, ok), Ok(()));
        // Same multiset, entries' fields swapped: 625 before 336.
        let swapped = "8=FIX.4.4|35=D|386=2|625=1|336=A|625=2|336=B|";
        let err = relaxed(e, swapped).unwrap_err();
        assert!(err.problems[0].contains("repeating group order"), "{err}");
        // Entries in another order: values per tag differ.
        let reordered = "8=FIX.4.4|35=D|386=2|336=B|625=2|336=A|625=1|";
        assert!(relaxed(e, reordered).is_err());
    }

    #[test]
    fn repeated_count_mismatch_is_reported() {
        let e = "8=FIX.4.4|35=D|386=2|336=A|336=B|";
        let g = "8=FIX.4.4|35=D|386=2|336=A|";
        let err = relaxed(e, g).unwrap_err();
        assert!(err
            .problems
            .iter()
            .any(|p| p.contains("tag 336 expected 2 times, received 1")));
    }

    #[test]
    fn display_joins_problems() {
        let m = Mismatch {
            problems: vec!["a".into(), "b".into()],
        };
        assert_eq!(m.to_string(), "a; b");
    }
}
