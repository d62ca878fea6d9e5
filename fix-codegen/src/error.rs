//! Errors of code generation.

use thiserror::Error;

/// Why code could not be generated.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The dictionary could not be loaded or is broken.
    #[error(transparent)]
    Dictionary(#[from] fix_dict::Error),
    /// The generated file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The [`Config`](crate::Config) cannot be used as it is.
    #[error("{0}")]
    Config(String),
    /// Generated code did not parse as Rust (a bug in the generator).
    #[error("generated code does not parse: {0}")]
    Syntax(String),
}
