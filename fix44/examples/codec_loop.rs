//! Runs one codec operation in a loop, for instruction counts under callgrind or a profiler:
//!
//! `cargo build --release -p fix44 --example codec_loop`, then
//! `valgrind --tool=callgrind target/release/examples/codec_loop view 10000`
//! (operations: `view`, `view-walk` (no shape remembered), `typed`, `encode`; messages: `nos` (default) or `er` as third argument).

use fix44::Message;
use fix_core::{Decoder, ValidationOptions};

fn frame(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\u{1}");
    let mut msg = format!("8=FIX.4.4\u{1}9={}\u{1}{body}", body.len()).into_bytes();
    let sum: u32 = msg.iter().map(|&b| u32::from(b)).sum();
    msg.extend_from_slice(format!("10={:03}\u{1}", sum % 256).as_bytes());
    msg
}

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_else(|| "view".into());
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let which = args.next().unwrap_or_else(|| "nos".into());
    let raw = if which == "er" {
        frame(
            "35=8|49=SELLSIDE-GW|56=BUYSIDE-OMS|34=2210|52=20240102-10:11:12.512|\
             37=EX-99812|11=ORD-20240102-000042|453=3|448=TRADER-JSMITH|447=D|452=11|\
             448=FIRM-ABCD|447=B|452=1|448=CONTRA-XYZ|447=D|452=17|17=EXEC-551|150=F|39=2|\
             1=ACC-7781|55=AAPL|48=US0378331005|22=4|54=1|38=100|40=2|44=187.25|32=100|31=187.24|\
             151=0|14=100|6=187.24|60=20240102-10:11:12.510|",
        )
    } else {
        frame(
            "35=D|49=BUYSIDE-OMS|56=SELLSIDE-GW|34=1047|52=20240102-10:11:12.345|\
             11=ORD-20240102-000042|453=2|448=TRADER-JSMITH|447=D|452=11|448=FIRM-ABCD|447=B|452=1|\
             1=ACC-7781|21=1|55=AAPL|48=US0378331005|22=4|207=XNAS|54=1|60=20240102-10:11:12.340|\
             38=100|40=2|44=187.25|15=USD|59=0|58=bench order|",
        )
    };
    let opts = ValidationOptions::default();
    let (header, msg) = match Message::decode_with(&raw, &opts) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("benchmark message does not decode: {e}");
            std::process::exit(1);
        }
    };
    let mut out = Vec::with_capacity(512);
    let mut decoder = Decoder::new();
    decoder.set_remember_shapes(op != "view-walk");
    let mut total = 0usize;
    for _ in 0..n {
        total += match op.as_str() {
            "typed" => match Message::decode_with(std::hint::black_box(&raw), &opts) {
                Ok((_, m)) => std::hint::black_box(m).msg_type().len(),
                Err(_) => 0,
            },
            "encode" => {
                out.clear();
                let _ = std::hint::black_box(&msg).encode(std::hint::black_box(&header), &mut out);
                out.len()
            }
            _ => match decoder.decode(std::hint::black_box(&raw), &fix44::DICTIONARY, &opts) {
                Ok(v) if v.problem().is_none() => v.len(),
                _ => 0,
            },
        };
    }
    println!("{op} x {n}: {total}");
}
