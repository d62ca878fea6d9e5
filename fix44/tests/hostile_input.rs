//! Hostile bytes never panic the decoders: valid messages with bytes changed, inserted or cut
//! (re-framed so they reach the tokenizer and the validator, or left with a wrong frame),
//! decoded as views and as typed messages. Whatever comes back must be an error or a view
//! whose fields lie inside the message.

use fix_core::{Decoder, ValidationOptions};

mod common;
use common::frame_bytes as frame;

const BODIES: [&str; 3] = [
    "35=D|49=BUYSIDE|56=SELLSIDE|34=1047|52=20240102-10:11:12.345|11=ORD-1|453=2|448=T1|447=D|\
     452=11|448=F2|447=B|452=1|1=ACC|21=1|55=AAPL|48=US0378331005|22=4|54=1|\
     60=20240102-10:11:12.340|38=100|40=2|44=187.25|15=USD|59=0|58=note|",
    "35=A|49=A|56=B|34=1|52=20240102-10:11:12|98=0|108=30|95=9|96=ab|c=|d12|141=Y|",
    "35=X|49=MD|56=B|34=9|52=20240102-10:11:12.600|262=R|268=2|279=0|269=0|278=I1|55=AAPL|\
     270=187.2|271=100|273=10:11:12.598|279=1|269=1|278=I2|55=AAPL|270=187.3|271=50|",
];

/// Bytes an attacker would try: separators, digits, signs, high bytes.
const NASTY: &[u8] = b"\x01=0123456789-.:|\x00\xff\x80A";

#[test]
fn mutated_messages_never_panic() {
    let opts = ValidationOptions::default();
    let mut decoder = Decoder::new();
    let mut rng = 0x853c_49e6_748f_ea9bu64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut decoded = 0;
    for round in 0..60_000u32 {
        let base = BODIES[round as usize % BODIES.len()].replace('|', "\u{1}");
        let mut body = base.into_bytes();
        for _ in 0..=next() % 3 {
            let r = next();
            let at = (r >> 8) as usize % body.len();
            let byte = NASTY[(r >> 40) as usize % NASTY.len()];
            match r % 4 {
                0 => body[at] = byte,
                1 => body.insert(at, byte),
                2 => {
                    body.remove(at);
                }
                // A long run of one byte (a DATA length pointing past the end, huge tags).
                _ => {
                    let run = std::iter::repeat_n(byte, 1 + (r >> 48) as usize % 70);
                    body.splice(at..at, run);
                }
            }
            if body.is_empty() {
                body.push(b'x');
            }
        }
        // Mostly re-framed (the mutation reaches the body checks), sometimes not.
        let raw = if round % 5 == 0 {
            let mut m = frame(&body);
            let at = next() as usize % m.len();
            m[at] ^= 0x20;
            m
        } else {
            frame(&body)
        };
        if let Ok(view) = decoder.decode(&raw, &fix44::DICTIONARY, &opts) {
            decoded += 1;
            assert!(view.bytes().len() <= raw.len());
            for (_, value) in view.fields() {
                let at = value.as_ptr() as usize - raw.as_ptr() as usize;
                assert!(at + value.len() <= raw.len());
            }
            let _ = view.body().raw(0);
        }
        let _ = fix44::Message::decode_with(&raw, &opts);
        let _ = fix44::Message::decode_with(&raw, &ValidationOptions::relaxed());
    }
    // Most mutated messages are well framed and reach the validator.
    assert!(decoded > 30_000, "only {decoded} reached the validator");
}
