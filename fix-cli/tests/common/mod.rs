//! Helpers of the `fix` binary's tests: framing messages, running the binary.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use fix_core::frame::checksum;

pub const SOH: char = '\x01';

/// A message with a correct BodyLength and CheckSum, separated by `sep`. `body` is written
/// with `|` and starts at MsgType (35).
pub fn msg(begin_string: &str, body: &str, sep: &str) -> String {
    let body = body.replace('|', "\x01");
    let head = format!("8={begin_string}{SOH}9={}{SOH}{body}", body.len());
    let sum = checksum(head.as_bytes());
    format!("{head}10={sum:03}{SOH}").replace(SOH, sep)
}

pub const NOS_BODY: &str = "35=D|49=CLIENT|56=BROKER|34=12|52=20240101-12:00:00.000|11=ORD-1|\
    453=2|448=TRADER7|447=D|452=11|448=FIRM|447=D|452=1|21=1|55=IBM|54=1|60=20240101-12:00:00.000|\
    38=100|40=2|44=187.25|59=0|";

pub fn run(args: &[&str], stdin: &str) -> Output {
    run_bytes(args, stdin.as_bytes())
}

/// Runs `fix` with `stdin` written from another thread (large inputs do not dead-lock).
pub fn run_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fix"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn write_file(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_string()
}
