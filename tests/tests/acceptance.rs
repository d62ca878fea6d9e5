//! The QuickFIX acceptance suite against the `acceptance-server` binary.
//!
//! Every `.def` script in `../shared/acceptance/fix44` runs against a fresh server (its own
//! free port, its own store folder) started from the workspace root with a temporary copy of
//! `../shared/acceptance/at.cfg`. Each script's result is printed, then
//! `acceptance: N/M passed`; the test fails unless all pass.
//!
//! Environment knobs:
//! - `ACCEPTANCE_FILTER=text`: only scripts whose file name contains `text`;
//! - `ACCEPTANCE_CONFIG=at-all.cfg`: another settings file of the shared folder;
//! - `ACCEPTANCE_JOBS=N`: scripts run at once (default 2; each has its own server);
//! - `ACCEPTANCE_COMPARE=strict`: compare field order as QuickFIX does (default: relaxed,
//!   see `fix_tests::acceptance::compare`);
//! - `ACCEPTANCE_NO_KNOWN_FAILURES=1`: count the scripts of [`KNOWN_FAILURES`] as failures.
//!
//! Without the shared folder the test prints that it was skipped (CI always has it).

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fix_tests::acceptance::{run_file, CompareMode, FieldPatterns, RunOptions};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/acceptance");
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const SERVER: &str = env!("CARGO_BIN_EXE_acceptance-server");

/// Scripts that fail because of a known defect of the session engine, with the diagnosis.
/// They are run and reported (`XFAIL`), but do not fail the test; one that passes is
/// reported as `XPASS` and should be taken off this list. Keep it empty: every script must
/// pass.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// Exit status of a server build without a working acceptor (see the binary's docs).
const NOT_FUNCTIONAL: i32 = 3;

/// How long a server may take to say it is listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `acceptance-server`, killed on drop.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

enum StartError {
    /// The binary says it has no working acceptor.
    NotFunctional(String),
    /// Anything else.
    Failed(String),
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// The settings text with the port replaced and the store/log paths moved into `dir`.
fn rewrite_config(text: &str, port: u16, dir: &Path) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let key = line.split('=').next().unwrap_or("").trim();
        let replaced = match key {
            "SocketAcceptPort" => format!("SocketAcceptPort={port}"),
            "FileStorePath" => format!("FileStorePath={}", dir.join("store").display()),
            "FileLogPath" => format!("FileLogPath={}", dir.join("log").display()),
            _ => line.to_string(),
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Server {
    fn start(config_text: &str) -> Result<Server, StartError> {
        let dir = tempfile::tempdir().map_err(|e| StartError::Failed(e.to_string()))?;
        let port = free_port();
        let config = dir.path().join("acceptance.cfg");
        fs::write(&config, rewrite_config(config_text, port, dir.path()))
            .map_err(|e| StartError::Failed(e.to_string()))?;
        let log = dir.path().join("server.log");
        let stderr = fs::File::create(&log).map_err(|e| StartError::Failed(e.to_string()))?;
        let mut child = Command::new(SERVER)
            .arg("--config")
            .arg(&config)
            .current_dir(WORKSPACE)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| StartError::Failed(format!("cannot start {SERVER}: {e}")))?;

        // The server prints a line containing "listening" once its port is open; keep
        // draining its stdout afterwards so it never blocks on a full pipe.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("listening") {
                    let _ = tx.send(());
                }
            }
        });
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if rx.recv_timeout(Duration::from_millis(50)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                let log_tail = tail(&log, 20);
                return Err(if status.code() == Some(NOT_FUNCTIONAL) {
                    StartError::NotFunctional(log_tail)
                } else {
                    StartError::Failed(format!("server exited with {status}:\n{log_tail}"))
                });
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(StartError::Failed(format!(
                    "server did not report listening within {STARTUP_TIMEOUT:?}:\n{}",
                    tail(&log, 20)
                )));
            }
        }
        Ok(Server {
            child,
            port,
            log,
            _dir: dir,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum Outcome {
    Passed(String),
    Failed(String),
    NotFunctional(String),
}

fn run_one(config_text: &str, script: &Path, options: &RunOptions) -> Outcome {
    let server = match Server::start(config_text) {
        Ok(s) => s,
        Err(StartError::NotFunctional(why)) => return Outcome::NotFunctional(why),
        Err(StartError::Failed(why)) => return Outcome::Failed(format!("server: {why}")),
    };
    let addr = ([127, 0, 0, 1], server.port).into();
    match run_file(script, addr, options) {
        Ok(summary) => Outcome::Passed(format!(
            "{} steps, {} sent, {} received, {:.2} s",
            summary.steps,
            summary.sent,
            summary.received,
            summary.elapsed.as_secs_f64()
        )),
        Err(failure) => {
            // Let the server write what it has to say about the failure.
            std::thread::sleep(Duration::from_millis(100));
            Outcome::Failed(format!(
                "{failure}\n  server log (last lines):\n{}",
                tail(&server.log, 15)
                    .lines()
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ))
        }
    }
}

#[test]
fn quickfix_acceptance_suite_fix44() {
    let shared = Path::new(SHARED);
    let scripts_dir = shared.join("fix44");
    if !scripts_dir.is_dir() {
        println!(
            "acceptance: skipped: {} not found (the shared acceptance folder is missing)",
            scripts_dir.display()
        );
        return;
    }
    let config_name = std::env::var("ACCEPTANCE_CONFIG").unwrap_or_else(|_| "at.cfg".into());
    let config_text = fs::read_to_string(shared.join(&config_name))
        .unwrap_or_else(|e| panic!("cannot read {config_name}: {e}"));
    let patterns = FieldPatterns::parse(
        &fs::read_to_string(shared.join("fields.fmt")).expect("read fields.fmt"),
    )
    .expect("parse fields.fmt");
    let mode = match std::env::var("ACCEPTANCE_COMPARE").as_deref() {
        Ok("strict") => CompareMode::Strict,
        _ => CompareMode::Relaxed,
    };
    let options = RunOptions {
        patterns,
        mode,
        ..RunOptions::default()
    };
    let allow_known = std::env::var_os("ACCEPTANCE_NO_KNOWN_FAILURES").is_none();
    let known = |name: &str| {
        KNOWN_FAILURES
            .iter()
            .find(|(n, _)| *n == name && allow_known)
            .map(|(_, why)| *why)
    };
    let filter = std::env::var("ACCEPTANCE_FILTER").unwrap_or_default();
    let mut scripts: Vec<PathBuf> = fs::read_dir(&scripts_dir)
        .expect("read fix44 folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "def"))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&filter))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no .def scripts selected");

    let jobs: usize = std::env::var("ACCEPTANCE_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(2)
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..scripts.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(scripts.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(script) = scripts.get(i) else { break };
                let outcome = run_one(&config_text, script, &options);
                let name = script.file_name().unwrap().to_string_lossy();
                match (&outcome, known(&name)) {
                    (Outcome::Passed(how), None) => println!("PASS {name} ({how})"),
                    (Outcome::Passed(how), Some(_)) => {
                        println!("XPASS {name} ({how}): take it off KNOWN_FAILURES")
                    }
                    (Outcome::Failed(why), None) => println!("FAIL {name}: {why}"),
                    (Outcome::Failed(why), Some(known)) => {
                        println!("XFAIL {name} (known: {known}): {why}")
                    }
                    (Outcome::NotFunctional(_), _) => {}
                }
                results.lock().unwrap()[i] = Some(outcome);
            });
        }
    });
    let results: Vec<Outcome> = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|o| o.expect("every script ran"))
        .collect();

    if let Some(Outcome::NotFunctional(why)) = results
        .iter()
        .find(|o| matches!(o, Outcome::NotFunctional(_)))
    {
        println!("acceptance: skipped: the acceptance-server build is not functional:\n{why}");
        return;
    }
    let passed = results
        .iter()
        .filter(|o| matches!(o, Outcome::Passed(_)))
        .count();
    let (mut failed, mut expected_failures) = (Vec::new(), Vec::new());
    for (path, outcome) in scripts.iter().zip(&results) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if matches!(outcome, Outcome::Failed(_)) {
            if known(&name).is_some() {
                expected_failures.push(name);
            } else {
                failed.push(name);
            }
        }
    }
    println!("acceptance: {passed}/{} passed", scripts.len());
    if !expected_failures.is_empty() {
        println!(
            "acceptance: {} known failure(s) of the session engine: {}",
            expected_failures.len(),
            expected_failures.join(", ")
        );
    }
    assert!(
        failed.is_empty(),
        "{} acceptance scripts failed: {}",
        failed.len(),
        failed.join(", ")
    );
}

#[test]
fn config_rewrite_replaces_port_and_paths() {
    let text = "[DEFAULT]\nSocketAcceptPort=5001\nFileStorePath=target/acceptance-store\n\
                FileLogPath=x\n[SESSION]\nBeginString=FIX.4.4\n";
    let dir = Path::new("/tmp/at");
    let got = rewrite_config(text, 6001, dir);
    assert!(got.contains("SocketAcceptPort=6001\n"), "{got}");
    assert!(got.contains("FileStorePath=/tmp/at/store\n"), "{got}");
    assert!(got.contains("FileLogPath=/tmp/at/log\n"), "{got}");
    assert!(got.contains("BeginString=FIX.4.4\n"), "{got}");
}
