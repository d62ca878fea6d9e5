//! [`QfPeer`]: the QuickFIX C++ process (see `peer/qfpeer.cpp` for its commands and lines).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::messages::Received;
use crate::{wait_until, Error, Role};

/// A running `qfpeer`: killed (and waited for) on drop. Every stdout line is kept.
#[derive(Debug)]
pub struct QfPeer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl QfPeer {
    /// Writes `settings` to `dir/quickfix.cfg`, starts `binary` as `role` on it and waits
    /// for `READY` (an `ERROR` line, exit or 60 s without it is an error). stderr goes to
    /// `dir/qfpeer.stderr`.
    pub async fn start(
        binary: &Path,
        role: Role,
        settings: &str,
        dir: &Path,
    ) -> Result<QfPeer, Error> {
        std::fs::create_dir_all(dir)?;
        let cfg = dir.join("quickfix.cfg");
        std::fs::write(&cfg, settings)?;
        let stderr = std::fs::File::create(dir.join("qfpeer.stderr"))?;
        let mut child = Command::new(binary)
            .arg(role.name())
            .arg(&cfg)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut l) = sink.lock() {
                    l.push(line);
                }
            }
        });
        let peer = QfPeer {
            stdin: child.stdin.take(),
            child,
            lines,
            reader: Some(reader),
        };
        // Generous: parsing FIX50SP2.xml takes QuickFIX seconds on a loaded 2-core machine.
        let started = wait_until("qfpeer READY", Duration::from_secs(60), || {
            peer.count(|l| l == "READY" || l.starts_with("ERROR")) > 0
        })
        .await;
        if let Some(err) = peer.lines().iter().find(|l| l.starts_with("ERROR")) {
            return Err(format!("qfpeer: {err}").into());
        }
        started?;
        Ok(peer)
    }

    /// Sends one command line.
    pub fn command(&mut self, cmd: &str) -> Result<(), Error> {
        let stdin = self.stdin.as_mut().ok_or("qfpeer stdin closed")?;
        writeln!(stdin, "{cmd}")?;
        stdin.flush()?;
        Ok(())
    }

    /// Every line printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// How many lines so far satisfy `pred`.
    pub fn count(&self, pred: impl Fn(&str) -> bool) -> usize {
        self.lines
            .lock()
            .map(|l| l.iter().filter(|s| pred(s)).count())
            .unwrap_or_default()
    }

    /// Waits until at least `n` lines satisfy `pred`.
    pub async fn wait_count(
        &self,
        what: &str,
        n: usize,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<(), Error> {
        wait_until(what, timeout, || self.count(&pred) >= n).await
    }

    /// Sends `cmd` and waits for the first new line starting with `answer` (or `ERROR`);
    /// returns it.
    pub async fn request(&mut self, cmd: &str, answer: &str) -> Result<String, Error> {
        let before = self.lines().len();
        self.command(cmd)?;
        let mut found = None;
        wait_until(
            &format!("qfpeer answer to {cmd}"),
            Duration::from_secs(30),
            || {
                found = self
                    .lines()
                    .into_iter()
                    .skip(before)
                    .find(|l| l.starts_with(answer) || l.starts_with("ERROR"));
                found.is_some()
            },
        )
        .await?;
        match found {
            Some(l) if l.starts_with("ERROR") => Err(format!("qfpeer: {cmd}: {l}").into()),
            Some(l) => Ok(l),
            None => Err(format!("qfpeer: no answer to {cmd}").into()),
        }
    }

    /// The application messages the peer received (`APP` lines).
    pub fn received(&self) -> Vec<Received> {
        self.lines()
            .iter()
            .filter_map(|l| parse_app_line(l))
            .collect()
    }

    /// The admin messages received (`in`) or sent (`!in`) with MsgType `msg_type`, as their
    /// lines.
    pub fn admin(&self, inbound: bool, msg_type: &str) -> Vec<String> {
        let prefix = format!(
            "{} {msg_type} ",
            if inbound { "ADMIN_IN" } else { "ADMIN_OUT" }
        );
        self.lines()
            .into_iter()
            .filter(|l| l.starts_with(&prefix))
            .collect()
    }

    /// Asks the peer to stop (QUIT) and waits up to 10 s for it to exit; kills it otherwise.
    pub async fn quit(&mut self) -> Result<(), Error> {
        let _ = self.command("QUIT");
        let _ = wait_until("qfpeer exit", Duration::from_secs(10), || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        })
        .await;
        self.kill();
        Ok(())
    }

    /// Kills the process at once (SIGKILL): no logout, no flush beyond what QuickFIX wrote.
    pub fn kill_now(&mut self) {
        self.kill();
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    fn kill(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

impl Drop for QfPeer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Parses `APP type seq clordid possdup [cb=... pty=...]`.
fn parse_app_line(l: &str) -> Option<Received> {
    let rest = l.strip_prefix("APP ")?;
    let mut it = rest.splitn(5, ' ');
    Some(Received {
        msg_type: it.next()?.to_string(),
        seq: it.next()?.parse().ok()?,
        clordid: it.next()?.to_string(),
        possdup: it.next()? == "Y",
        groups: it.next().unwrap_or_default().to_string(),
    })
}

/// The QuickFIX FileLog files of a FileLogPath (`*.messages.current.log`,
/// `*.event.current.log`).
pub fn log_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "log"))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_lines_parse() {
        let r = parse_app_line("APP 8 12 A-1 Y cb=CB1/T1-A-1/10 pty=").unwrap();
        assert_eq!(r.msg_type, "8");
        assert_eq!(r.seq, 12);
        assert_eq!(r.clordid, "A-1");
        assert!(r.possdup);
        assert_eq!(r.groups, "cb=CB1/T1-A-1/10 pty=");
        let d = parse_app_line("APP D 3 A-2 N").unwrap();
        assert_eq!((d.groups.as_str(), d.possdup), ("", false));
        assert!(parse_app_line("LOGON x").is_none());
    }
}
