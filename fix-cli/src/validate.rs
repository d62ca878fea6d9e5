//! `fix validate`: every message of the inputs checked against its dictionary the way a
//! session checks what it receives (framing, then [`ValidationOptions::default`]: required
//! fields of header, body and groups, tags, values, formats, group counts and order), with
//! the SessionRejectReason and tag a Reject would carry for each failing message.

use std::io::{self, BufWriter, Write};

use fix_core::frame::SOH;
use fix_core::{Decoder, ValidationOptions};
use serde::Serialize;

use crate::decode::{dictionaries, trim_end};
use crate::dicts::Dictionaries;
use crate::input::{each_line, Stop};
use crate::{scan, ValidateArgs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// The verdict on one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// MsgType (35), when it could be read.
    pub msg_type: Option<String>,
    /// MsgSeqNum (34), when present.
    pub seq_num: Option<String>,
    /// The SessionRejectReason (373) code a Reject would carry; `None` for a message that
    /// could not be framed (garbled: a session drops it without a Reject).
    pub reason: Option<u32>,
    /// The RefTagID (371) a Reject would carry.
    pub tag: Option<i64>,
    /// What is wrong, for people; `None` when the message passed.
    pub problem: Option<String>,
}

impl Verdict {
    fn garbled(problem: String) -> Verdict {
        Verdict {
            msg_type: None,
            seq_num: None,
            reason: None,
            tag: None,
            problem: Some(format!("garbled: {problem}")),
        }
    }
}

/// Checks one message (its bytes as found in a log line, any separator).
pub fn check(dicts: &mut Dictionaries, decoder: &mut Decoder, segment: &[u8]) -> Verdict {
    let cand = match scan::candidate(segment) {
        Ok(c) => c,
        Err(e) => return Verdict::garbled(e),
    };
    if let Some(p) = cand.framing_problem {
        return Verdict::garbled(p);
    }
    let bytes = &cand.bytes;
    let field = |tag| scan::raw_field(bytes, tag).map(|v| String::from_utf8_lossy(v).into_owned());
    let bs_end = bytes.iter().position(|&b| b == SOH).unwrap_or(bytes.len());
    let begin_string = String::from_utf8_lossy(bytes.get(2..bs_end).unwrap_or_default());
    let msg_type = field(35);
    let seq_num = field(34);
    let chosen = match dicts.for_message(
        &begin_string,
        field(1128).as_deref(),
        field(1137).as_deref(),
    ) {
        Ok(c) => c,
        Err(e) => {
            return Verdict {
                msg_type,
                seq_num,
                reason: None,
                tag: None,
                problem: Some(e),
            }
        }
    };
    let view = match decoder.decode(bytes, &chosen.dict, &ValidationOptions::default()) {
        Ok(v) => v,
        Err(e) => return Verdict::garbled(e.to_string()),
    };
    let problem = view.problem().cloned();
    Verdict {
        msg_type,
        seq_num,
        reason: problem.as_ref().map(|p| p.reason.code()),
        tag: problem.as_ref().and_then(|p| p.tag),
        problem: problem
            .as_ref()
            .map(|p| crate::decode::describe(p, &chosen.dict))
            .or(chosen.problem),
    }
}

/// One line of output: `file:line: 35=D 34=12: <problem>`.
fn report(source: &str, line: usize, v: &Verdict) -> String {
    let mut head = format!("{source}:{line}:");
    if let Some(t) = &v.msg_type {
        head.push_str(&format!(" 35={t}"));
    }
    if let Some(s) = &v.seq_num {
        head.push_str(&format!(" 34={s}"));
    }
    match &v.problem {
        Some(p) => format!("{head} FAIL {p}"),
        None => format!("{head} ok"),
    }
}

/// Runs `fix validate`: 0 when every message passed, 1 when any failed (or a line held no
/// message), 2 for a usage or I/O error.
pub fn run(args: &ValidateArgs) -> i32 {
    let mut dicts = match dictionaries(&args.dicts) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("fix: {e:#}");
            return EXIT_USAGE;
        }
    };
    let mut decoder = Decoder::new();
    let mut out = BufWriter::new(io::stdout().lock());
    let (mut total, mut failed) = (0usize, 0usize);
    let result = each_line(&args.files, |line, source, line_no| {
        let line = trim_end(line);
        let starts = scan::message_starts(line);
        if starts.is_empty() && !line.iter().all(u8::is_ascii_whitespace) {
            failed += 1;
            return writeln!(out, "{source}:{line_no}: FAIL no FIX message in the line");
        }
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(line.len());
            let v = check(&mut dicts, &mut decoder, &line[start..end]);
            total += 1;
            if v.problem.is_some() {
                failed += 1;
            }
            if v.problem.is_some() || args.verbose {
                writeln!(out, "{}", report(source, line_no, &v))?;
            }
        }
        Ok(())
    });
    let flushed = out.flush();
    let all_read = match (result, flushed) {
        (Ok(all_read), Ok(())) => all_read,
        (Err(Stop::Write(e)), _) | (_, Err(e)) => {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return if failed > 0 { EXIT_INVALID } else { EXIT_OK };
            }
            eprintln!("fix: cannot write output: {e}");
            return EXIT_USAGE;
        }
    };
    eprintln!("{total} messages, {failed} failed");
    if !all_read {
        EXIT_USAGE
    } else if failed > 0 {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
