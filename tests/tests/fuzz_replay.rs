//! Replays the fuzz corpus on stable: every seed (`fuzz/seeds/<target>/`) and every input a
//! fuzzing run found a crash with (`fuzz/regressions/<target>/`) goes through the same
//! function the libFuzzer target calls (`fuzz/src/lib.rs`, included here), and none may
//! panic. See FUZZING.md.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

/// A target's name and body.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 7] = [
    ("framing", targets::framing),
    ("view", targets::view),
    ("typed_fix44", targets::typed_fix44),
    ("typed_fix50", targets::typed_fix50),
    ("settings", targets::settings),
    ("dictionary", targets::dictionary),
    ("session", targets::session),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn every_seed_and_regression_input_runs_without_a_panic() {
    let mut failures = Vec::new();
    let mut seeds_seen = 0;
    for (name, run) in TARGETS {
        let seeds = files(&fuzz_dir().join("seeds").join(name));
        assert!(!seeds.is_empty(), "target {name} has no seeds");
        seeds_seen += seeds.len();
        for path in seeds
            .iter()
            .chain(files(&fuzz_dir().join("regressions").join(name)).iter())
        {
            let data = std::fs::read(path).expect("corpus file");
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    assert!(seeds_seen > 500, "{seeds_seen} seeds");
    assert!(failures.is_empty(), "inputs that panic: {failures:#?}");
}

#[test]
fn the_session_seeds_reach_a_logged_on_session() {
    // The seeds are only useful if they get past the Logon: the first script's opening
    // Logon, fed to the core the way the session target feeds it, logs the session on.
    use fix_session::{Event, Session};
    let seed = std::fs::read(fuzz_dir().join("seeds/session/10_MsgSeqNumEqual")).expect("seed");
    let logon = seed.split(|&b| b == b'\n').next().expect("first message");
    let mut cfg = fix_session::SessionSettings::new(
        fix_session::SessionId::new("FIX.4.4", targets::SESSION_SENDER, targets::SESSION_TARGET),
        fix_session::ConnectionType::Acceptor,
    );
    cfg.heartbeat_interval = std::time::Duration::from_secs(30);
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(targets::SESSION_START_UNIX);
    let dict = cfg.load_dictionary().expect("dictionary");
    let mut s = Session::new(
        &cfg,
        dict,
        std::sync::Arc::new(fix_session::app::NullApplication),
        1,
        1,
        now,
    );
    s.on_connect(now);
    s.handle_bytes(logon, now);
    let mut events = Vec::new();
    while let Some(e) = s.poll_event() {
        events.push(e);
    }
    assert!(events.contains(&Event::LoggedOn), "{events:?}");
}
