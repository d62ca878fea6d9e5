//! `fix encode`: the JSON objects `fix decode --json` prints (one per line) back to FIX
//! messages. Fields are written in the order given, group entries after their NumInGroup
//! field; BodyLength (9) and CheckSum (10) are computed, whatever the input says, so an
//! edited message (`fix decode --json log | jq ... | fix encode`) is well framed. For a valid
//! message, `fix decode --json | fix encode` gives back the bytes `fix decode` read.

use std::io::{self, BufWriter, Write};

use fix_core::encode::Writer;
use fix_core::tag::CHECK_SUM;
use fix_core::Tag;
use serde::Deserialize;

use crate::input::{each_line, Stop};
use crate::render::FieldOut;
use crate::{EncodeArgs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// The parts of a `fix decode --json` line that make the message.
#[derive(Debug, Deserialize)]
struct Input {
    /// BeginString, used when the fields do not start with tag 8.
    #[serde(default)]
    begin_string: Option<String>,
    #[serde(default)]
    fields: Vec<FieldOut>,
    /// Set on the lines `fix decode --json` prints for input it could not read.
    #[serde(default)]
    error: Option<String>,
}

/// Fields in message order, group entries spliced in after their count.
fn flatten<'f>(fields: &'f [FieldOut], out: &mut Vec<(Tag, &'f str)>) {
    for f in fields {
        out.push((f.tag, f.value.as_str()));
        for entry in f.group.iter().flatten() {
            flatten(entry, out);
        }
    }
}

/// One JSON line to a FIX message (SOH-separated) appended to `buf`.
pub fn encode_line(json: &str, buf: &mut Vec<u8>) -> Result<(), String> {
    let input: Input = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    if let Some(e) = input.error {
        return Err(format!("the line is an error `fix decode` reported: {e}"));
    }
    let mut fields = Vec::with_capacity(input.fields.len());
    flatten(&input.fields, &mut fields);
    let begin_string = match fields.first() {
        Some((8, v)) => v.to_string(),
        _ => input
            .begin_string
            .ok_or("no BeginString: neither a first field 8 nor begin_string")?,
    };
    if fields.iter().skip(1).any(|(t, _)| *t == 8) {
        return Err("BeginString (8) may only be the first field".into());
    }
    if begin_string.contains('\x01') {
        return Err("BeginString contains SOH".into());
    }
    let mut w = Writer::new(buf, &begin_string);
    for (tag, value) in &fields {
        if !matches!(*tag, 8 | 9 | CHECK_SUM) {
            w.put_tag_bytes(*tag, value.as_bytes());
        }
    }
    w.finish();
    Ok(())
}

/// Runs `fix encode`: 0 when every line became a message, 1 when some could not, 2 for an
/// I/O error.
pub fn run(args: &EncodeArgs) -> i32 {
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = false;
    let mut buf = Vec::new();
    let result = each_line(&args.files, |line, source, line_no| {
        let text = String::from_utf8_lossy(line);
        if text.trim().is_empty() {
            return Ok(());
        }
        buf.clear();
        if let Err(e) = encode_line(text.trim_end_matches(['\r', '\n']), &mut buf) {
            failed = true;
            eprintln!("fix: {source}:{line_no}: {e}");
            return Ok(());
        }
        if args.pipe {
            for b in buf.iter_mut().filter(|b| **b == 1) {
                *b = b'|';
            }
        }
        out.write_all(&buf)?;
        if !args.no_newline {
            out.write_all(b"\n")?;
        }
        Ok(())
    });
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(true), Ok(())) if !failed => EXIT_OK,
        (Ok(true), Ok(())) => EXIT_INVALID,
        (Ok(false), Ok(())) => EXIT_USAGE,
        (Err(Stop::Write(e)), _) | (_, Err(e)) => {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return if failed { EXIT_INVALID } else { EXIT_OK };
            }
            eprintln!("fix: cannot write output: {e}");
            EXIT_USAGE
        }
    }
}
