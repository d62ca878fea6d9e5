//! `fix decode`: read inputs line by line, decode every message found, print it, and work out
//! the exit status.
//!
//! Validation uses [`ValidationOptions::default`] except that required fields are checked
//! here rather than by the decoder, so that the header fields market-data feeds and
//! documentation samples leave out (SenderCompID 49, TargetCompID 56, MsgSeqNum 34,
//! SendingTime 52) are not reported, while required body and group fields still are.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::{anyhow, Context as _};
use fix_core::dict::{Dictionary, Layout, Member};
use fix_core::error::Invalid;
use fix_core::frame::SOH;
use fix_core::tag::CHECK_SUM;
use fix_core::{Decoder, Level, MessageView, Tag, ValidationOptions};

use crate::dicts::{Dictionaries, Version};
use crate::render::{self, LineError, MessageOut, Style};
use crate::scan;
use crate::{ColorChoice, DecodeArgs, DictionaryArgs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// Header fields that may be missing without it being reported: SenderCompID, TargetCompID,
/// MsgSeqNum and SendingTime, which market-data feeds and documentation samples omit.
pub const OPTIONAL_HEADER_FIELDS: [Tag; 4] = [49, 56, 34, 52];

/// What one line of input yields: messages and errors, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A message that was framed (perhaps after repair) and decoded.
    Message(Box<MessageOut>),
    /// A line or message that could not be read.
    Error(LineError),
}

/// Decodes lines with reusable buffers and lazily loaded dictionaries.
#[derive(Debug)]
pub struct LineDecoder {
    dicts: Dictionaries,
    decoder: Decoder,
    skip_non_fix: bool,
}

impl LineDecoder {
    /// A decoder using `dicts`; with `skip_non_fix`, lines without `8=FIX` yield nothing
    /// instead of an error.
    pub fn new(dicts: Dictionaries, skip_non_fix: bool) -> LineDecoder {
        LineDecoder {
            dicts,
            decoder: Decoder::new(),
            skip_non_fix,
        }
    }

    /// Every message (or error) in one line of input.
    pub fn line(&mut self, line: &[u8], source: &str, line_no: usize) -> Vec<Item> {
        let line = trim_end(line);
        let starts = scan::message_starts(line);
        if starts.is_empty() {
            if self.skip_non_fix || line.iter().all(u8::is_ascii_whitespace) {
                return Vec::new();
            }
            let error = "no FIX message in the line (nothing starts with 8=FIX)".to_string();
            return vec![Item::Error(LineError {
                source: source.to_string(),
                line: line_no,
                error,
            })];
        }
        let mut out = Vec::with_capacity(starts.len());
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(line.len());
            out.push(match self.message(&line[start..end], source, line_no) {
                Ok(m) => Item::Message(Box::new(m)),
                Err(error) => Item::Error(LineError {
                    source: source.to_string(),
                    line: line_no,
                    error,
                }),
            });
        }
        out
    }

    fn message(
        &mut self,
        segment: &[u8],
        source: &str,
        line_no: usize,
    ) -> Result<MessageOut, String> {
        let cand = scan::candidate(segment)?;
        let bytes = &cand.bytes;
        let bs_end = bytes.iter().position(|&b| b == SOH).unwrap_or(bytes.len());
        let begin_string =
            String::from_utf8_lossy(bytes.get(2..bs_end).unwrap_or_default()).into_owned();
        let appl = scan::raw_field(bytes, 1128).map(String::from_utf8_lossy);
        let default_appl = scan::raw_field(bytes, 1137).map(String::from_utf8_lossy);
        let chosen =
            self.dicts
                .for_message(&begin_string, appl.as_deref(), default_appl.as_deref())?;
        let dict: &Dictionary = &chosen.dict;
        let opts = ValidationOptions {
            check_required: false,
            ..ValidationOptions::default()
        };
        let view = self
            .decoder
            .decode(bytes, dict, &opts)
            .map_err(|e| format!("cannot frame the message: {e}"))?;

        let mut problems = Vec::new();
        problems.extend(cand.framing_problem.clone());
        problems.extend(chosen.problem.clone());
        match view.problem() {
            Some(p) => problems.push(describe(p, dict)),
            None => {
                for tag in missing_required(&view) {
                    problems.push(describe(
                        &Invalid::new(fix_core::SessionRejectReason::RequiredTagMissing, tag),
                        dict,
                    ));
                }
            }
        }
        let fields: Vec<(Tag, &[u8])> = view.fields().collect();
        let body = view.message_def().map_or(&Layout::EMPTY, |m| &m.body);
        let mut overrides = Vec::new();
        if let Some(v) = &cand.original_body_length {
            overrides.push((9, v.clone()));
        }
        if let Some(v) = &cand.original_checksum {
            overrides.push((CHECK_SUM, v.clone()));
        }
        let tree = render::tree(
            dict,
            &fields,
            &[&dict.header, body, &dict.trailer],
            &overrides,
        );
        Ok(MessageOut {
            source: source.to_string(),
            line: line_no,
            begin_string,
            msg_type: String::from_utf8_lossy(view.msg_type()).into_owned(),
            msg_name: view.message_def().map(|m| m.name.to_string()),
            dictionary: chosen.label.clone(),
            fields: tree,
            problems,
        })
    }
}

/// `line` without its line ending.
pub(crate) fn trim_end(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = line {
        line = rest;
    }
    line
}

/// A problem with the field's name: `Value is incorrect (out of range) for this tag: 54 Side
/// (reason 5)`.
pub(crate) fn describe(p: &Invalid, dict: &Dictionary) -> String {
    let code = p.reason.code();
    match p.tag {
        Some(tag) => {
            let name = u32::try_from(tag)
                .ok()
                .and_then(|t| dict.field(t))
                .map(|f| format!(" {}", f.name));
            format!(
                "{}: {tag}{} (reason {code})",
                p.reason,
                name.unwrap_or_default()
            )
        }
        None => format!("{} (reason {code})", p.reason),
    }
}

/// Required fields missing from the header (except [`OPTIONAL_HEADER_FIELDS`]), body, group
/// entries and trailer (except CheckSum), in dictionary order.
pub fn missing_required(view: &MessageView<'_>) -> Vec<Tag> {
    let dict = view.dictionary();
    let mut out = Vec::new();
    let mut skip = OPTIONAL_HEADER_FIELDS.to_vec();
    check_level(view.header(), &dict.header, &skip, &mut out);
    if let Some(m) = view.message_def() {
        check_level(view.body(), &m.body, &[], &mut out);
    }
    skip.push(CHECK_SUM);
    check_level(view.trailer(), &dict.trailer, &skip, &mut out);
    out
}

fn check_level(level: Level<'_, '_>, layout: &Layout, skip: &[Tag], out: &mut Vec<Tag>) {
    for (slot, m) in layout.members.iter().enumerate() {
        if !level.any(slot..slot + 1) {
            if m.required() && !skip.contains(&m.tag()) {
                out.push(m.tag());
            }
            continue;
        }
        if let Member::Group { entry, .. } = m {
            for e in level.group(slot) {
                check_level(e, entry, &[], out);
            }
        }
    }
}

/// The dictionaries `args` ask for: one custom dictionary, or the built-in ones.
pub fn dictionaries(args: &DictionaryArgs) -> anyhow::Result<Dictionaries> {
    if let Some(path) = &args.dictionary {
        let dict = fix_dict::load_dictionary(path, args.transport.as_deref())
            .with_context(|| format!("cannot load dictionary {}", path.display()))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        return Ok(Dictionaries::custom(dict, format!("custom {name}")));
    }
    let default = match &args.appl_ver_id {
        Some(id) => Version::from_appl_ver_id(id).map_err(|e| anyhow!("--appl-ver-id: {e}"))?,
        None => Version::Fix50Sp2,
    };
    Ok(Dictionaries::builtin(default))
}

/// Where an I/O error happened.
enum Failure {
    Read(io::Error),
    Write(io::Error),
}

struct Printer<W: Write> {
    out: W,
    json: bool,
    style: Style,
    failed: bool,
}

impl<W: Write> Printer<W> {
    fn item(&mut self, item: &Item) -> io::Result<()> {
        match item {
            Item::Message(m) => {
                self.failed |= !m.problems.is_empty();
                if self.json {
                    let line = serde_json::to_string(m).map_err(io::Error::other)?;
                    writeln!(self.out, "{line}")
                } else {
                    writeln!(self.out, "{}", render::human(m, self.style))
                }
            }
            Item::Error(e) => {
                self.failed = true;
                if self.json {
                    let line = serde_json::to_string(e).map_err(io::Error::other)?;
                    writeln!(self.out, "{line}")
                } else {
                    writeln!(self.out, "{}", render::human_error(e, self.style))
                }
            }
        }
    }

    fn input(
        &mut self,
        dec: &mut LineDecoder,
        mut reader: impl BufRead,
        source: &str,
        flush: bool,
    ) -> Result<(), Failure> {
        let mut buf = Vec::new();
        let mut line_no = 0;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(Failure::Read)?;
            if n == 0 {
                return Ok(());
            }
            line_no += 1;
            for item in dec.line(&buf, source, line_no) {
                self.item(&item).map_err(Failure::Write)?;
            }
            if flush {
                self.out.flush().map_err(Failure::Write)?;
            }
        }
    }
}

/// Runs `fix decode` and returns the exit status: 0 when every message decoded and
/// validated, 1 when any failed, 2 for a usage or I/O error.
pub fn run(args: &DecodeArgs) -> i32 {
    let dicts = match dictionaries(&args.dicts) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("fix: {e:#}");
            return EXIT_USAGE;
        }
    };
    let stdout = io::stdout();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut printer = Printer {
        out: BufWriter::new(stdout.lock()),
        json: args.json,
        style: Style::new(color && !args.json),
        failed: false,
    };
    let mut dec = LineDecoder::new(dicts, args.skip_non_fix);
    let stdin_only = [Path::new("-").to_path_buf()];
    let inputs = if args.files.is_empty() {
        &stdin_only[..]
    } else {
        &args.files[..]
    };
    let mut io_failed = false;
    for path in inputs {
        let result = if path.as_os_str() == "-" {
            printer.input(&mut dec, io::stdin().lock(), "<stdin>", true)
        } else {
            match File::open(path) {
                Ok(f) => printer.input(
                    &mut dec,
                    BufReader::new(f),
                    &path.display().to_string(),
                    false,
                ),
                Err(e) => Err(Failure::Read(e)),
            }
        };
        match result {
            Ok(()) => {}
            Err(Failure::Read(e)) => {
                let _ = printer.out.flush();
                eprintln!("fix: {}: {e}", path.display());
                io_failed = true;
            }
            Err(Failure::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
                return status(io_failed, printer.failed)
            }
            Err(Failure::Write(e)) => {
                eprintln!("fix: cannot write output: {e}");
                return EXIT_USAGE;
            }
        }
    }
    if let Err(e) = printer.out.flush() {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("fix: cannot write output: {e}");
            return EXIT_USAGE;
        }
    }
    status(io_failed, printer.failed)
}

fn status(io_failed: bool, failed: bool) -> i32 {
    if io_failed {
        EXIT_USAGE
    } else if failed {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
