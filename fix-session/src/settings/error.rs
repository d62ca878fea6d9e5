//! [`SettingsError`]: why settings could not be read.

use thiserror::Error;

/// Why settings could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The settings file could not be read.
    #[error("cannot read settings file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line is neither a section header, a comment nor `Key=Value`.
    #[error("line {line}: cannot parse {text:?}")]
    Syntax {
        /// Line number (1-based).
        line: usize,
        /// The line.
        text: String,
    },
    /// A key no QuickFIX engine knows.
    #[error("unknown key {key} in {section} at line {line}{}", suggestion_text(.suggestion))]
    UnknownKey {
        /// The key.
        key: String,
        /// `DEFAULT` or `SESSION n` (1-based).
        section: String,
        /// Line number (1-based; 0 for TOML).
        line: usize,
        /// The known key nearest to it, if one is close.
        suggestion: Option<&'static str>,
    },
    /// A value that does not fit its key.
    #[error("bad value {value:?} for {key} in {section} at line {line}: {reason}")]
    BadValue {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// `DEFAULT` or `SESSION n`.
        section: String,
        /// Line number (1-based; 0 for TOML).
        line: usize,
        /// What is expected.
        reason: String,
    },
    /// A key every session needs is missing.
    #[error("missing {key} in {section}")]
    Missing {
        /// The key.
        key: String,
        /// `SESSION n`.
        section: String,
    },
    /// Two sessions with the same id.
    #[error("session {0} is defined twice")]
    Duplicate(String),
    /// TOML that does not parse.
    #[error("TOML: {0}")]
    Toml(#[source] toml::de::Error),
    /// A dictionary could not be read or loaded.
    #[error("dictionary {path}: {source}")]
    Dictionary {
        /// The file.
        path: String,
        /// What went wrong, from the dictionary loader.
        #[source]
        source: fix_dict::Error,
    },
}

fn suggestion_text(suggestion: &Option<&'static str>) -> String {
    suggestion
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default()
}
