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

/// Something a dictionary does that QuickFIX's loaders accept but that is probably not what
/// its author meant (a field defined twice, a group counter typed STRING, ...). The model
/// loads the way QuickFIX reads it and keeps one warning per such place; loaders log them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Warning {
    /// 1-based line of the element at fault (0 when the element has no line, as for a
    /// conflict found while combining with a transport dictionary).
    pub line: usize,
    /// The element (`<field name='NoAllocs'> at line 40`).
    pub element: String,
    /// What was found and how it was read.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.element, self.message)
    }
}
