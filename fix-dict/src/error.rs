//! Why a dictionary could not be loaded.

use thiserror::Error;

/// Why a dictionary could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed XML.
    #[error("XML error at line {line}: {message}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// What the XML parser said.
        message: String,
    },
    /// The XML is well formed but the dictionary is broken.
    #[error("{element}: {problem}")]
    Dictionary {
        /// The element at fault, with its line (`<field name='Side'> at line 12`).
        element: String,
        /// What is wrong with it.
        problem: String,
    },
}
