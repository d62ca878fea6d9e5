//! Prints the side-by-side codec table (markdown) from the last `cargo bench -p
//! fix-bench-codec` run: criterion medians from `target/criterion`, ratios ours / peer and
//! how many times faster we are, against the issue's goals (5x fefix, 10x QuickFIX C++).
//!
//! ```text
//! cargo run -p fix-bench-codec --release --bin codec-table [-- TARGET_DIR]
//! ```

use fix_bench_codec::{fefix_peer, messages};
use std::path::{Path, PathBuf};

/// The criterion median of `group/id` in nanoseconds.
fn median(root: &Path, group: &str, id: &str) -> Option<f64> {
    let path = root.join(group).join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn time(ns: Option<f64>) -> String {
    match ns {
        None => "n/a".to_string(),
        Some(ns) if ns >= 1000.0 => format!("{:.2} us", ns / 1000.0),
        Some(ns) => format!("{ns:.0} ns"),
    }
}

/// "ours / peer = r (k x faster)" and whether the goal is met.
fn ratio(ours: Option<f64>, peer: Option<f64>, goal: f64) -> String {
    match (ours, peer) {
        (Some(o), Some(p)) => {
            let faster = p / o;
            let verdict = if faster >= goal { "met" } else { "missed" };
            format!("{:.3} ({faster:.1}x; {goal:.0}x goal {verdict})", o / p)
        }
        _ => "n/a".to_string(),
    }
}

/// One row of the main table: our median against fefix's (with a note on its output) and
/// QuickFIX's, and the ratios against the goals (5x fefix, 10x QuickFIX).
fn row(
    name: &str,
    label: &str,
    ours: Option<f64>,
    (fefix, fefix_note): (Option<f64>, &str),
    qf: Option<f64>,
) {
    println!(
        "| {name} | {label} | {} | {}{fefix_note} | {} | {} | {} |",
        time(ours),
        time(fefix),
        time(qf),
        ratio(ours, fefix, 5.0),
        ratio(ours, qf, 10.0),
    );
}

fn main() {
    let target = std::env::args()
        .nth(1)
        .filter(|a| a != "--bench")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let root = target.join("criterion");
    if !root.exists() {
        eprintln!(
            "{} not found: run `cargo bench -p fix-bench-codec` first",
            root.display()
        );
        std::process::exit(1);
    }

    println!("| message | operation | ours | fefix 0.7 | QuickFIX C++ | ours / fefix | ours / QuickFIX |");
    println!("|---|---|---|---|---|---|---|");
    for (name, raw) in messages::all() {
        let m = |id: &str| median(&root, name, id);
        let fefix_decode = m("fefix_decode_fresh");
        let qf_decode = m("quickfix_parse_validate");
        for (label, ours) in [
            ("decode+validate, view", m("ours_view_decode_validate")),
            (
                "decode+validate, view, no shape remembered",
                m("ours_view_walk_decode_validate"),
            ),
            (
                "decode+validate, typed view + 5 reads",
                m("ours_typed_view_decode_read5"),
            ),
            ("decode+validate, typed", m("ours_typed_decode_validate")),
        ] {
            if ours.is_none() && label.contains("typed view") {
                continue; // only the messages the bench reads fields of
            }
            row(name, label, ours, (fefix_decode, ""), qf_decode);
        }
        // Is fefix's own output right for this message?
        let mut enc = fefix::tagvalue::Encoder::default();
        let mut buf = Vec::new();
        fefix_peer::encode(&mut enc, &fefix_peer::outgoing(&raw), &mut buf);
        let fefix_note = match messages::check_framing(&buf) {
            Ok(()) => "",
            Err(_) => " (wrong BodyLength)",
        };
        let fefix_encode = (m("fefix_encode"), fefix_note);
        row(
            name,
            "encode",
            m("ours_typed_encode"),
            fefix_encode,
            m("quickfix_encode"),
        );
        let (ours_build, qf_build) = (m("ours_build_encode"), m("quickfix_build_encode"));
        if ours_build.is_some() || qf_build.is_some() {
            // fefix has no typed message to build; its encode is fed typed values already.
            let label = "build from typed values + encode";
            row(name, label, ours_build, fefix_encode, qf_build);
        }
    }

    varied_table(&root);

    println!();
    println!("| message | more figures | median |");
    println!("|---|---|---|");
    for (name, _) in messages::all() {
        for (label, id) in [
            (
                "fefix decode, one decoder reused (fields filed under the wrong group)",
                "fefix_decode_reused",
            ),
            (
                "fefix encode + BodyLength/CheckSum repair",
                "fefix_encode_repaired",
            ),
            (
                "QuickFIX C++ `Message` from string, no dictionary",
                "quickfix_parse_plain",
            ),
        ] {
            println!("| {name} | {label} | {} |", time(median(&root, name, id)));
        }
    }
    println!(
        "| all | fefix `Decoder::new` (the fresh-decoder workaround, per message) | {} |",
        time(median(&root, "fefix_decoder_new", "fresh_decoder"))
    );
}

/// The varied workload (10,000 orders and fills of varying shape), each of our paths against
/// QuickFIX C++'s parse+validate and fefix on the same bytes, with the issue's goals: the typed
/// view with five reads 12x QuickFIX, the owned typed decode 5x.
fn varied_table(root: &Path) {
    let m = |id: &str| median(root, "varied", id);
    let (qf, fefix) = (m("quickfix_parse_validate"), m("fefix_decode_fresh"));
    println!();
    println!("Varied workload (`varied::workload`: 10,000 NewOrderSingles and ExecutionReports whose optional fields and group sizes vary), per message:");
    println!();
    println!("| path | ours | ours / fefix 0.7 | ours / QuickFIX C++ |");
    println!("|---|---|---|---|");
    for (label, id, goal) in [
        (
            "typed view: decode + validate + 5 reads",
            "ours_typed_view_decode_read5",
            12.0,
        ),
        (
            "typed view, no shape remembered",
            "ours_typed_view_walk_decode_read5",
            12.0,
        ),
        ("view: decode + validate", "ours_view_decode_validate", 12.0),
        (
            "view, no shape remembered",
            "ours_view_walk_decode_validate",
            12.0,
        ),
        (
            "owned typed decode + validate + 5 reads",
            "ours_typed_decode_validate",
            5.0,
        ),
    ] {
        let ours = m(id);
        println!(
            "| {label} | {} | {} | {} |",
            time(ours),
            ratio(ours, fefix, 5.0),
            ratio(ours, qf, goal)
        );
    }
    println!("| fefix 0.7 decode (no validation) | {} | | |", time(fefix));
    println!("| QuickFIX C++ parse + validate | {} | | |", time(qf));
}
