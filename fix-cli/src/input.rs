//! Reading the inputs of a subcommand: files (or `-` for stdin, the default) line by line.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

/// Why reading stopped.
#[derive(Debug)]
pub enum Stop {
    /// The callback could not write its output.
    Write(io::Error),
}

/// Calls `f(line, source, line_number)` for every line of every input (stdin when `files` is
/// empty); an unreadable file is reported on stderr and skipped. Returns whether every input
/// was read, or the write error that stopped it.
pub fn each_line(
    files: &[PathBuf],
    mut f: impl FnMut(&[u8], &str, usize) -> io::Result<()>,
) -> Result<bool, Stop> {
    let stdin_only = [PathBuf::from("-")];
    let inputs = if files.is_empty() {
        &stdin_only[..]
    } else {
        files
    };
    let mut all_read = true;
    for path in inputs {
        let (reader, source): (Box<dyn BufRead>, String) = if path.as_os_str() == "-" {
            (Box::new(io::stdin().lock()), "<stdin>".to_string())
        } else {
            match File::open(path) {
                Ok(file) => (Box::new(BufReader::new(file)), path.display().to_string()),
                Err(e) => {
                    eprintln!("fix: {}: {e}", path.display());
                    all_read = false;
                    continue;
                }
            }
        };
        if let Err(e) = lines(reader, &source, &mut f)? {
            eprintln!("fix: {source}: {e}");
            all_read = false;
        }
    }
    Ok(all_read)
}

/// The lines of one input; the outer error stops everything, the inner one this input.
fn lines(
    mut reader: Box<dyn BufRead>,
    source: &str,
    f: &mut impl FnMut(&[u8], &str, usize) -> io::Result<()>,
) -> Result<io::Result<()>, Stop> {
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return Ok(Ok(())),
            Ok(_) => {}
            Err(e) => return Ok(Err(e)),
        }
        line_no += 1;
        f(&buf, source, line_no).map_err(Stop::Write)?;
    }
}
