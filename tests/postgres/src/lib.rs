//! The PostgreSQL database the store tests use, so that a green `cargo test` means they ran.
//!
//! [`url`] answers, in this order:
//! 1. `FIX_TEST_POSTGRES_URL` when it is set (CI, or a developer's own server);
//! 2. otherwise a throwaway server started once per test process from the local PostgreSQL
//!    binaries (`initdb` and `pg_ctl` from `FIX_TEST_POSTGRES_BIN`, `/usr/lib/postgresql/*/bin`
//!    or the `PATH`), in a temporary folder on a free port; it stops and its folder is removed
//!    when the test process exits, however it exits (the server's keeper script watches the
//!    process's pipe);
//! 3. only where neither exists `None`, after writing a skip line to the terminal that test
//!    output capture does not hide.
//!
//! A server that is found but fails to start is a test failure, not a skip.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Starts the server in a fresh folder, prints `ready`, then waits until its standard input
/// closes (the test process ended) to stop the server and remove the folder.
const KEEPER: &str = r#"
set -eu
bin=$1; port=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/fix-test-postgres.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
"$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo ready
cat >/dev/null || true
"$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
"#;

/// The PostgreSQL URL for this test, or `None` (after a visible skip line) where there is
/// neither `FIX_TEST_POSTGRES_URL` nor a local PostgreSQL installation.
///
/// # Panics
/// When local binaries exist but the throwaway server does not start: that is a failure to
/// report, not a reason to skip.
pub fn url() -> Option<String> {
    if let Ok(url) = std::env::var("FIX_TEST_POSTGRES_URL") {
        if !url.is_empty() {
            return Some(url);
        }
    }
    static SERVER: OnceLock<Result<Option<Server>, String>> = OnceLock::new();
    match SERVER.get_or_init(start) {
        Ok(Some(server)) => Some(server.url.clone()),
        Ok(None) => {
            skip_line();
            None
        }
        Err(e) => panic!("the throwaway PostgreSQL server did not start: {e}"),
    }
}

/// A running throwaway server; the keeper's stdin is kept open for the process's lifetime.
struct Server {
    url: String,
    _keeper: Mutex<(Child, ChildStdin)>,
}

fn start() -> Result<Option<Server>, String> {
    let Some(bin) = binaries() else {
        return Ok(None);
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))?;
    let mut command = keeper_command()?;
    command
        .args([KEEPER, "fix-test-postgres"])
        .arg(&bin)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| format!("cannot run sh: {e}"))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("the keeper's pipes are missing".into());
    };
    let mut line = String::new();
    // A read error leaves the line empty and is reported below with the keeper's stderr.
    let _ = BufReader::new(stdout).read_line(&mut line);
    if line.trim() != "ready" {
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        return Err(format!(
            "initdb/pg_ctl from {} failed: {}",
            bin.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(Some(Server {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        _keeper: Mutex::new((child, stdin)),
    }))
}

/// `sh -c`, as the `postgres` user when the tests run as root (initdb refuses root).
fn keeper_command() -> Result<Command, String> {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("cannot run id: {e}"))?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        let mut c = Command::new("sh");
        c.arg("-c");
        return Ok(c);
    }
    let user = std::env::var("FIX_TEST_POSTGRES_USER").unwrap_or_else(|_| "postgres".into());
    let mut c = Command::new("runuser");
    c.args(["-u", &user, "--", "sh", "-c"]);
    Ok(c)
}

/// The folder holding `initdb` and `pg_ctl`: `FIX_TEST_POSTGRES_BIN`, the newest
/// `/usr/lib/postgresql/<version>/bin`, or the `PATH`.
fn binaries() -> Option<PathBuf> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(d) = std::env::var_os("FIX_TEST_POSTGRES_BIN").map(PathBuf::from) {
        return has(&d).then_some(d);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, d)| has(d))
        .collect();
    versions.sort();
    if let Some((_, d)) = versions.pop() {
        return Some(d);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).find(|d| has(d))
}

/// Written straight to the terminal: the test harness captures `eprintln!`, not this.
fn skip_line() {
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (PostgreSQL): FIX_TEST_POSTGRES_URL is unset and no initdb/pg_ctl was found \
         (install the postgresql package or set FIX_TEST_POSTGRES_URL)"
    );
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    #[test]
    fn the_database_answers_queries_and_is_started_once() {
        let Some(url) = super::url() else {
            panic!("this machine has PostgreSQL binaries or FIX_TEST_POSTGRES_URL: no skip here");
        };
        assert_eq!(super::url().as_deref(), Some(url.as_str()));
        let psql = super::binaries()
            .map(|d| d.join("psql"))
            .filter(|p| p.is_file())
            .unwrap_or_else(|| "psql".into());
        let out = Command::new(psql)
            .args([url.as_str(), "-tAc", "select 40 + 2"])
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "42",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
