//! Quick per-message timings of the typed view, the untyped view and the owned decode on the
//! varied workload of `bench/codec` (its generator and reads, included from there) and on the
//! repeated NewOrderSingle of BENCHMARKS.md. The side-by-side figures with QuickFIX C++ and
//! fefix come from `cargo bench -p fix-bench-codec`; this is the light check:
//!
//! `cargo run --release -p fix44 --example varied_loop [rounds]`

#[allow(dead_code)]
#[path = "../../bench/codec/src/messages.rs"]
mod messages;
#[path = "../../bench/codec/src/reads.rs"]
mod reads;
#[allow(dead_code)]
#[path = "../../bench/codec/src/varied.rs"]
mod varied;

use std::hint::black_box;
use std::time::Instant;

use fix_core::{Decoder, ValidationOptions};

/// Nanoseconds per message of `f` over `msgs`, `rounds` times, best of three.
fn per_msg(msgs: &[Vec<u8>], rounds: usize, mut f: impl FnMut(&[u8]) -> u64) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let mut sum = 0u64;
        for _ in 0..rounds {
            for m in msgs {
                sum = sum.wrapping_add(f(black_box(m)));
            }
        }
        black_box(sum);
        best = best.min(start.elapsed().as_nanos() as f64 / (rounds * msgs.len()) as f64);
    }
    best
}

fn rows(label: &str, msgs: &[Vec<u8>], rounds: usize) {
    let opts = ValidationOptions::default();
    let mut typed = Decoder::new();
    let mut typed_walk = Decoder::new();
    typed_walk.set_remember_shapes(false);
    let mut view = Decoder::new();
    let mut walk = Decoder::new();
    walk.set_remember_shapes(false);
    let figures = [
        (
            "typed view decode+validate + 5 reads",
            per_msg(msgs, rounds, |m| {
                let r = fix44::MessageRef::decode(&mut typed, m, &opts).expect("framed");
                assert!(r.view().problem().is_none());
                reads::view_reads(&r).unwrap_or_default()
            }),
        ),
        (
            "typed view, shapes off, + 5 reads",
            per_msg(msgs, rounds, |m| {
                let r = fix44::MessageRef::decode(&mut typed_walk, m, &opts).expect("framed");
                assert!(r.view().problem().is_none());
                reads::view_reads(&r).unwrap_or_default()
            }),
        ),
        (
            "untyped view decode+validate",
            per_msg(msgs, rounds, |m| {
                let v = view.decode(m, &fix44::DICTIONARY, &opts).expect("framed");
                assert!(v.problem().is_none());
                v.len() as u64
            }),
        ),
        (
            "untyped view, shapes off",
            per_msg(msgs, rounds, |m| {
                let v = walk.decode(m, &fix44::DICTIONARY, &opts).expect("framed");
                assert!(v.problem().is_none());
                v.len() as u64
            }),
        ),
        (
            "owned typed decode+validate + 5 reads",
            per_msg(msgs, rounds, |m| {
                let (_, o) = fix44::Message::decode_with(m, &opts).expect("valid");
                reads::owned_reads(&o).unwrap_or_default()
            }),
        ),
    ];
    for (what, ns) in figures {
        println!("| {label} | {what} | {ns:.0} ns |");
    }
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    println!("| workload | operation | per message |");
    println!("|---|---|---|");
    rows("varied (10,000)", &varied::workload(), rounds);
    rows(
        "NewOrderSingle repeated",
        &vec![messages::new_order_single(); 10_000],
        rounds,
    );
}
