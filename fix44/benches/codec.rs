//! Codec benchmarks: decode+validate and encode of a FIX.4.4 NewOrderSingle (about 280
//! bytes, two NoPartyIDs entries) and an ExecutionReport (three NoPartyIDs entries).
//!
//! `cargo bench -p fix44 --bench codec`
#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use fix44::Message;
use fix_core::{Decoder, ValidationOptions};

fn frame(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\u{1}");
    let mut msg = format!("8=FIX.4.4\u{1}9={}\u{1}{body}", body.len()).into_bytes();
    let sum: u32 = msg.iter().map(|&b| u32::from(b)).sum();
    msg.extend_from_slice(format!("10={:03}\u{1}", sum % 256).as_bytes());
    msg
}

/// A NewOrderSingle as a broker sends it: parties, account, instrument, limit price.
pub fn new_order_single() -> Vec<u8> {
    frame(
        "35=D|49=BUYSIDE-OMS|56=SELLSIDE-GW|34=1047|52=20240102-10:11:12.345|\
         11=ORD-20240102-000042|453=2|448=TRADER-JSMITH|447=D|452=11|448=FIRM-ABCD|447=B|452=1|\
         1=ACC-7781|21=1|55=AAPL|48=US0378331005|22=4|207=XNAS|54=1|60=20240102-10:11:12.340|\
         38=100|40=2|44=187.25|15=USD|59=0|58=bench order|",
    )
}

/// An ExecutionReport (fill) with three parties.
pub fn execution_report() -> Vec<u8> {
    frame(
        "35=8|49=SELLSIDE-GW|56=BUYSIDE-OMS|34=2210|52=20240102-10:11:12.512|\
         37=EX-99812|11=ORD-20240102-000042|453=3|448=TRADER-JSMITH|447=D|452=11|\
         448=FIRM-ABCD|447=B|452=1|448=CONTRA-XYZ|447=D|452=17|17=EXEC-551|150=F|39=2|\
         1=ACC-7781|55=AAPL|48=US0378331005|22=4|54=1|38=100|40=2|44=187.25|32=100|31=187.24|\
         151=0|14=100|6=187.24|60=20240102-10:11:12.510|",
    )
}

fn benches(c: &mut Criterion) {
    let opts = ValidationOptions::default();
    for (name, raw) in [
        ("new_order_single", new_order_single()),
        ("execution_report", execution_report()),
    ] {
        // Sanity: the benchmark messages are valid.
        let (header, msg) = Message::decode_with(&raw, &opts).expect("valid benchmark message");
        let mut out = Vec::with_capacity(512);
        msg.encode(&header, &mut out).expect("encodes");
        assert_eq!(out, raw, "{name} re-encodes to the same bytes");

        let mut g = c.benchmark_group(name);
        g.bench_function("decode_validate_typed", |b| {
            b.iter(|| Message::decode_with(black_box(&raw), &opts).expect("valid"))
        });
        // With remembered shapes (the default), and walking every message (a shape not seen
        // before).
        for (id, remember) in [
            ("decode_validate_view", true),
            ("decode_validate_view_walk", false),
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
        g.bench_function("encode", |b| {
            b.iter(|| {
                out.clear();
                black_box(&msg)
                    .encode(black_box(&header), &mut out)
                    .expect("encodes");
                out.len()
            })
        });
        g.finish();
    }
}

criterion_group!(codec, benches);
criterion_main!(codec);
