//! Side-by-side codec benches, every engine on the same bytes in one run, message by
//! message: ours (fix44 typed, fix_core view), fefix 0.7, QuickFIX C++ 1.15.1.
//!
//! ```text
//! cargo bench -p fix-bench-codec [-- --warm-up-time 1 --measurement-time 3]
//! cargo run -p fix-bench-codec --release --bin codec-table   # the ratio table from the run
//! ```
//!
//! Criterion ids are `<message>/<engine>_<operation>`:
//!
//! - `ours_view_decode_validate`: bytes -> zero-copy `MessageView` validated against
//!   `fix44::DICTIONARY` (what the session engine does with each incoming message);
//! - `ours_typed_decode_validate`: bytes -> validated `fix44::Message`;
//! - `ours_typed_encode`: typed message + header -> bytes (BodyLength, CheckSum);
//! - `ours_build_encode` (NewOrderSingle only): the header and order built from typed values
//!   (`messages::build_new_order_single`, its strings allocated), then encoded: the peer of
//!   `quickfix_build_encode`;
//! - `fefix_decode_fresh`: fefix `Decoder::decode` on a decoder made for the message
//!   (construction not timed; see `fefix_peer` for the group-state bug this works around);
//! - `fefix_decode_reused`: the same on one decoder reused for every message, which files
//!   fields under the wrong group after the first message: a lower bound, not a result;
//! - `fefix_encode`: fefix `Encoder` with typed values, as written (wrong BodyLength from
//!   256 body bytes); `fefix_encode_repaired`: plus the BodyLength/CheckSum repair;
//! - `quickfix_parse_plain`: `FIX::Message(string)`, no dictionary;
//!   `quickfix_parse_validate`: `FIX::Message(string, dd)` + `DataDictionary::validate`;
//!   `quickfix_encode`: `Message::toString` of a parsed message into a reused string;
//!   `quickfix_build_encode` (NewOrderSingle only): `FIX44::NewOrderSingle` built from typed
//!   values, then `toString`.
//!
//! `fefix_decoder_new/fresh_decoder` is the cost of fefix's `Decoder::new` (the price of
//! the workaround per message).
#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use fix_bench_codec::{fefix_peer, messages, quickfix, reads, varied};
use fix_core::{Decoder, ValidationOptions};
use std::time::{Duration, Instant};

fn benches(c: &mut Criterion) {
    let opts = ValidationOptions::default();
    let fefix_dict = fefix_peer::dictionary();
    let qf_dict = quickfix::Dictionary::load(quickfix::fix44_xml());
    if let Err(e) = &qf_dict {
        eprintln!("QuickFIX C++: {e}");
    }

    for (name, raw) in messages::all() {
        let (header, msg) = fix44::Message::decode_with(&raw, &opts).expect("valid message");
        let mut out = Vec::with_capacity(1024);
        msg.encode(&header, &mut out).expect("encodes");
        assert_eq!(out, raw, "{name}: ours re-encodes to the same bytes");

        let mut g = c.benchmark_group(name);

        // Ours.
        // With remembered shapes (the default), and without: every message walked field by
        // field (what a message of a shape not seen before costs).
        for (id, remember) in [
            ("ours_view_decode_validate", true),
            ("ours_view_walk_decode_validate", false),
        ] {
            let mut decoder = Decoder::new();
            decoder.set_remember_shapes(remember);
            g.bench_function(id, |b| {
                b.iter(|| {
                    let view = decoder
                        .decode(black_box(&raw), &fix44::DICTIONARY, &opts)
                        .expect("framed");
                    assert!(view.problem().is_none());
                    view.len()
                })
            });
        }
        g.bench_function("ours_typed_decode_validate", |b| {
            b.iter(|| fix44::Message::decode_with(black_box(&raw), &opts).expect("valid"))
        });
        if reads::owned_reads(&msg).is_some() {
            // Typed view with the five reads, and the untyped view reading the same five
            // fields by tag search: what the typed path adds to the view.
            let mut decoder = Decoder::new();
            g.bench_function("ours_typed_view_decode_read5", |b| {
                b.iter(|| {
                    let m = fix44::MessageRef::decode(&mut decoder, black_box(&raw), &opts)
                        .expect("framed");
                    assert!(m.view().problem().is_none());
                    reads::view_reads(&m)
                })
            });
        }
        if name == "new_order_single" {
            // Like-for-like with `quickfix_build_encode`: build from typed values, encode.
            let (h, o) = messages::build_new_order_single();
            out.clear();
            o.encode(&h, &mut out).expect("encodes");
            assert_eq!(out, raw, "the built order encodes to the benchmark bytes");
            g.bench_function("ours_build_encode", |b| {
                b.iter(|| {
                    out.clear();
                    let (h, o) = messages::build_new_order_single();
                    black_box(&o).encode(&h, &mut out).expect("encodes");
                    out.len()
                })
            });
        }
        g.bench_function("ours_typed_encode", |b| {
            b.iter(|| {
                out.clear();
                black_box(&msg)
                    .encode(black_box(&header), &mut out)
                    .expect("encodes");
                out.len()
            })
        });

        // fefix. A decoder made for each message, outside the timed code, eight at a time:
        // few enough that their memory is reused from one chunk to the next, as it would be
        // for a user making one decoder per message.
        g.bench_function("fefix_decode_fresh", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let n = left.min(8);
                    left -= n;
                    let mut decoders: Vec<_> = (0..n)
                        .map(|_| fefix_peer::fresh_decoder(&fefix_dict))
                        .collect();
                    let start = Instant::now();
                    for d in &mut decoders {
                        black_box(fefix_peer::decode(d, black_box(&raw)).expect("decodes"));
                    }
                    total += start.elapsed();
                }
                total
            })
        });
        let mut reused = fefix_peer::fresh_decoder(&fefix_dict);
        g.bench_function("fefix_decode_reused", |b| {
            b.iter(|| fefix_peer::decode(&mut reused, black_box(&raw)).expect("decodes"))
        });
        let fefix_msg = fefix_peer::outgoing(&raw);
        let mut encoder = fefix::tagvalue::Encoder::default();
        let mut fefix_out = Vec::with_capacity(1024);
        fefix_peer::encode(&mut encoder, &fefix_msg, &mut fefix_out);
        match messages::check_framing(&fefix_out) {
            Ok(()) => eprintln!("{name}: fefix output is framed right"),
            Err(e) => eprintln!("{name}: fefix output is WRONG: {e}"),
        }
        g.bench_function("fefix_encode", |b| {
            b.iter(|| fefix_peer::encode(&mut encoder, black_box(&fefix_msg), &mut fefix_out))
        });
        g.bench_function("fefix_encode_repaired", |b| {
            b.iter(|| {
                let n = fefix_peer::encode(&mut encoder, black_box(&fefix_msg), &mut fefix_out);
                fefix_peer::repair_body_length(&mut fefix_out);
                n
            })
        });
        fefix_peer::repair_body_length(&mut fefix_out);
        messages::check_framing(&fefix_out).expect("repaired fefix output");

        // QuickFIX C++.
        match qf_dict
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|dd| quickfix::Bench::new(dd, &raw))
        {
            Ok(mut qf) => {
                assert!(qf.parse_plain() > 0, "{name}: QuickFIX parses");
                assert!(qf.parse_validate() > 0, "{name}: QuickFIX validates");
                assert!(qf.encode() > 0, "{name}: QuickFIX encodes");
                messages::check_framing(&qf.encoded()).expect("QuickFIX output");
                g.bench_function("quickfix_parse_plain", |b| {
                    b.iter(|| assert!(qf.parse_plain() > 0))
                });
                g.bench_function("quickfix_parse_validate", |b| {
                    b.iter(|| assert!(qf.parse_validate() > 0))
                });
                g.bench_function("quickfix_encode", |b| b.iter(|| qf.encode()));
                if name == "new_order_single" {
                    g.bench_function("quickfix_build_encode", |b| {
                        b.iter(|| assert!(qf.build_encode_nos() > 0))
                    });
                }
            }
            Err(e) => eprintln!("{name}: QuickFIX C++ {e}"),
        }
        g.finish();
    }

    varied_workload(c, &opts, &fefix_dict, qf_dict.as_ref().ok());

    let mut g = c.benchmark_group("fefix_decoder_new");
    g.measurement_time(Duration::from_secs(1));
    g.bench_function("fresh_decoder", |b| {
        b.iter(|| fefix_peer::fresh_decoder(black_box(&fefix_dict)))
    });
    g.finish();
}

/// The varied workload (`varied::workload`, 10,000 orders and fills whose optional fields
/// and group sizes vary): each iteration decodes the next message, cycling.
fn varied_workload(
    c: &mut Criterion,
    opts: &ValidationOptions,
    fefix_dict: &fefix::Dictionary,
    qf_dict: Option<&quickfix::Dictionary>,
) {
    let msgs = varied::workload();
    let n = msgs.len();
    let mut g = c.benchmark_group("varied");
    let mut decoder = Decoder::new();
    let mut i = 0;
    g.bench_function("ours_typed_view_decode_read5", |b| {
        b.iter(|| {
            i = (i + 1) % n;
            let m =
                fix44::MessageRef::decode(&mut decoder, black_box(&msgs[i]), opts).expect("framed");
            assert!(m.view().problem().is_none());
            reads::view_reads(&m)
        })
    });
    let mut walker = Decoder::new();
    walker.set_remember_shapes(false);
    g.bench_function("ours_typed_view_walk_decode_read5", |b| {
        b.iter(|| {
            i = (i + 1) % n;
            let m =
                fix44::MessageRef::decode(&mut walker, black_box(&msgs[i]), opts).expect("framed");
            assert!(m.view().problem().is_none());
            reads::view_reads(&m)
        })
    });
    g.bench_function("ours_typed_decode_validate", |b| {
        b.iter(|| {
            i = (i + 1) % n;
            let (_, m) = fix44::Message::decode_with(black_box(&msgs[i]), opts).expect("valid");
            reads::owned_reads(&m)
        })
    });
    for (id, remember) in [
        ("ours_view_decode_validate", true),
        ("ours_view_walk_decode_validate", false),
    ] {
        let mut decoder = Decoder::new();
        decoder.set_remember_shapes(remember);
        g.bench_function(id, |b| {
            b.iter(|| {
                i = (i + 1) % n;
                let view = decoder
                    .decode(black_box(&msgs[i]), &fix44::DICTIONARY, opts)
                    .expect("framed");
                assert!(view.problem().is_none());
                view.len()
            })
        });
    }
    g.bench_function("fefix_decode_fresh", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let chunk = left.min(8);
                left -= chunk;
                let mut decoders: Vec<_> = (0..chunk)
                    .map(|_| fefix_peer::fresh_decoder(fefix_dict))
                    .collect();
                let start = Instant::now();
                for d in &mut decoders {
                    i = (i + 1) % n;
                    black_box(fefix_peer::decode(d, black_box(&msgs[i])).expect("decodes"));
                }
                total += start.elapsed();
            }
            total
        })
    });
    match qf_dict {
        Some(dd) => {
            let mut benches: Vec<_> = msgs
                .iter()
                .map(|raw| quickfix::Bench::new(dd, raw).expect("QuickFIX takes the message"))
                .collect();
            for (k, qf) in benches.iter_mut().enumerate() {
                assert!(qf.parse_validate() > 0, "QuickFIX validates message {k}");
            }
            g.bench_function("quickfix_parse_validate", |b| {
                b.iter(|| {
                    i = (i + 1) % n;
                    assert!(benches[i].parse_validate() > 0)
                })
            });
        }
        None => eprintln!("varied: QuickFIX C++ dictionary not loaded"),
    }
    g.finish();
}

criterion_group!(codec, benches);
criterion_main!(codec);
