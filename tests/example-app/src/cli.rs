//! Command-line helpers of the examples.

/// `--name value` pairs and `--flag`s from `std::env::args`.
pub struct Args {
    pairs: Vec<(String, Option<String>)>,
}

impl Args {
    /// Parses the process arguments; `usage` is printed for `--help`.
    pub fn parse(usage: &str) -> Args {
        let mut pairs = Vec::new();
        let mut it = std::env::args().skip(1).peekable();
        while let Some(a) = it.next() {
            if a == "--help" || a == "-h" {
                println!("{usage}");
                std::process::exit(0);
            }
            let Some(name) = a.strip_prefix("--") else {
                fail(&format!("unexpected argument `{a}`\n{usage}"));
            };
            if let Some((k, v)) = name.split_once('=') {
                pairs.push((k.to_string(), Some(v.to_string())));
            } else {
                let v = it.next_if(|v| !v.starts_with("--"));
                pairs.push((name.to_string(), v));
            }
        }
        Args { pairs }
    }

    /// The value of `--name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether `--name` was given (with or without a value).
    pub fn flag(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// The value of `--name` parsed, or `default`; exits with a message when unparsable.
    pub fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.get(name) {
            None => default,
            Some(v) => v
                .parse()
                .unwrap_or_else(|_| fail(&format!("--{name}: `{v}` is not a valid number"))),
        }
    }

    /// Exits with a message naming any argument not in `known`.
    pub fn only(&self, known: &[&str], usage: &str) {
        for (k, _) in &self.pairs {
            if !known.contains(&k.as_str()) {
                fail(&format!("unknown option --{k}\n{usage}"));
            }
        }
    }
}

/// Prints `msg` to stderr and exits with status 2.
pub fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

/// The path of a sample settings file shipped beside the examples (`fix-session/examples`).
pub fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fix-session/examples")
        .join(name)
}
