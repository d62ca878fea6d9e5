//! Runs one codec operation of one engine N times on one benchmark message, for instruction
//! counts under callgrind that the machine's load does not change: run it with N = 1 and
//! N = 1001 and divide the difference by 1,000, so the setup cancels out.
//!
//! ```text
//! cargo build -p fix-bench-codec --release --bin codec-loop
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/codec-loop OP MSG N
//! ```
//!
//! OP: `view`, `view-walk` (no shape remembered: every message walked), `typed`, `encode`, `build-encode` (ours; the NewOrderSingle built from typed
//! values then encoded, whatever MSG says); `fefix-decode` (a decoder made per message; the
//! count includes making them, which `fefix-new` counts alone), `fefix-reused` (one decoder,
//! wrong group state), `fefix-encode`; `qf-parse` (no dictionary), `qf-validate`,
//! `qf-encode`, `qf-build-encode` (the NewOrderSingle built and encoded). MSG: `nos`, `er`,
//! `md`.

use fix_bench_codec::{fefix_peer, messages, quickfix};
use fix_core::{Decoder, ValidationOptions};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [op, msg, n] = args.as_slice() else {
        eprintln!("usage: codec-loop OP MSG N");
        std::process::exit(2);
    };
    let raw = match msg.as_str() {
        "nos" => messages::new_order_single(),
        "er" => messages::execution_report(),
        "md" => messages::market_data_incremental_refresh(),
        other => panic!("unknown message {other}"),
    };
    let n: usize = n.parse().expect("N");
    let opts = ValidationOptions::default();
    match op.as_str() {
        "view" => {
            let mut d = Decoder::new();
            for _ in 0..n {
                let v = d.decode(black_box(&raw), &fix44::DICTIONARY, &opts);
                assert!(v.expect("framed").problem().is_none());
            }
        }
        "view-walk" => {
            let mut d = Decoder::new();
            d.set_remember_shapes(false);
            for _ in 0..n {
                let v = d.decode(black_box(&raw), &fix44::DICTIONARY, &opts);
                assert!(v.expect("framed").problem().is_none());
            }
        }
        "typed" => {
            for _ in 0..n {
                black_box(fix44::Message::decode_with(black_box(&raw), &opts).expect("valid"));
            }
        }
        "encode" => {
            let (header, m) = fix44::Message::decode_with(&raw, &opts).expect("valid");
            let mut out = Vec::with_capacity(1024);
            for _ in 0..n {
                out.clear();
                black_box(&m).encode(&header, &mut out).expect("encodes");
            }
        }
        "build-encode" => {
            // The NewOrderSingle built from typed values, then encoded (any MSG argument).
            let mut out = Vec::with_capacity(1024);
            for _ in 0..n {
                out.clear();
                let (header, order) = messages::build_new_order_single();
                black_box(&order)
                    .encode(&header, &mut out)
                    .expect("encodes");
            }
        }
        "fefix-decode" => {
            let dict = fefix_peer::dictionary();
            let mut ds: Vec<_> = (0..n).map(|_| fefix_peer::fresh_decoder(&dict)).collect();
            for d in &mut ds {
                black_box(fefix_peer::decode(d, black_box(&raw)).expect("decodes"));
            }
        }
        "fefix-new" => {
            let dict = fefix_peer::dictionary();
            let ds: Vec<_> = (0..n).map(|_| fefix_peer::fresh_decoder(&dict)).collect();
            black_box(ds);
        }
        "fefix-reused" => {
            let dict = fefix_peer::dictionary();
            let mut d = fefix_peer::fresh_decoder(&dict);
            for _ in 0..n {
                black_box(fefix_peer::decode(&mut d, black_box(&raw)).expect("decodes"));
            }
        }
        "fefix-encode" => {
            let m = fefix_peer::outgoing(&raw);
            let mut enc = fefix::tagvalue::Encoder::default();
            let mut out = Vec::with_capacity(1024);
            for _ in 0..n {
                black_box(fefix_peer::encode(&mut enc, black_box(&m), &mut out));
            }
        }
        "qf-parse" | "qf-validate" | "qf-encode" | "qf-build-encode" => {
            let dd = quickfix::Dictionary::load(quickfix::fix44_xml()).expect("QuickFIX");
            let mut b = quickfix::Bench::new(&dd, &raw).expect("QuickFIX accepts it");
            for _ in 0..n {
                let ok = match op.as_str() {
                    "qf-parse" => b.parse_plain() > 0,
                    "qf-validate" => b.parse_validate() > 0,
                    "qf-build-encode" => b.build_encode_nos() > 0,
                    _ => b.encode() > 0,
                };
                assert!(ok);
            }
        }
        other => panic!("unknown operation {other}"),
    }
}
