//! # fix-codegen
//!
//! Turns a QuickFIX-style XML data dictionary into typed Rust: a struct per message,
//! component and group entry, an enum per enumerated field, tag constants, a `Message` enum
//! that decodes any message by MsgType, and the dictionary as static tables for validation.
//!
//! It works in layers, like prost-build: XML -> checked model -> fix-core tables (all three in
//! the `fix-dict` crate, re-exported here as [`xml`], [`model`] and [`layout`]) -> tokens
//! (`emit`) -> formatted source ([`format`](mod@format)).
//!
//! ## In a `build.rs`
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     fix_codegen::Config::new()
//!         .dictionary("dictionaries/FIX44.xml")
//!         .compile("fix44.rs")?;
//!     Ok(())
//! }
//! ```
//! and in `src/lib.rs`: `include!(concat!(env!("OUT_DIR"), "/fix44.rs"));`. The generated code
//! needs only `fix-core` as a dependency: it names `rust_decimal` and `serde` through
//! `fix_core::__private`. Its serde derives are behind a `serde` feature of the generated
//! crate (`serde = []` in its `[features]`).
//!
//! For FIX 5.0 and later, name the transport dictionary too:
//! `.dictionary("FIX50SP2.xml").transport("FIXT11.xml")`.
//!
//! ## At run time
//! Loading a dictionary at run time is not code generation: the `fix-dict` crate
//! (`fix_dict::load_dictionary`) gives the same tables from a file without this crate's
//! syn/quote/prettyplease dependencies.
#![warn(unreachable_pub)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod emit;
pub mod error;
pub mod format;
pub mod names;

pub use fix_dict::{layout, model, xml};

use std::path::{Path, PathBuf};

pub use error::Error;
pub use model::Model;

/// Parses and checks a dictionary given as XML text (see `fix_dict::model_from_str`).
pub fn model_from_str(xml: &str) -> Result<Model, Error> {
    Ok(fix_dict::model_from_str(xml)?)
}

/// Loads and checks a dictionary file, combined with its transport dictionary if given.
pub fn load_model(path: impl AsRef<Path>, transport: Option<&Path>) -> Result<Model, Error> {
    Ok(fix_dict::load_model(path, transport)?)
}

/// Generates formatted Rust source for a checked model. `source` names the dictionary in the
/// file's banner.
pub fn generate(model: &Model, source: &str) -> Result<String, Error> {
    // The parts are generated and formatted on their own threads (parsing and printing take
    // most of a build script's time), then joined in order.
    let names = emit::names(model);
    let parts: Vec<Result<String, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..emit::PARTS)
            .map(|part| {
                let names = &names;
                scope.spawn(move || format::unparse(emit::generate_part(model, names, part)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Syntax("code generation thread panicked".into()))
                })
            })
            .collect()
    });
    let mut body = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            body.push('\n');
        }
        body.push_str(&part?);
    }
    Ok(format::with_banner(&body, source))
}

/// What to generate and where: the builder a `build.rs` uses.
#[derive(Debug, Clone, Default)]
pub struct Config {
    dictionary: Option<PathBuf>,
    transport: Option<PathBuf>,
}

impl Config {
    /// An empty configuration.
    pub fn new() -> Config {
        Config::default()
    }

    /// The application (or only) dictionary.
    pub fn dictionary(&mut self, path: impl Into<PathBuf>) -> &mut Config {
        self.dictionary = Some(path.into());
        self
    }

    /// The transport dictionary (FIXT11.xml) for FIX 5.0 and later.
    pub fn transport(&mut self, path: impl Into<PathBuf>) -> &mut Config {
        self.transport = Some(path.into());
        self
    }

    /// Loads the dictionaries and returns the checked model.
    pub fn model(&self) -> Result<Model, Error> {
        let Some(path) = &self.dictionary else {
            return Err(Error::Config("no dictionary given".into()));
        };
        load_model(path, self.transport.as_deref())
    }

    /// Generates the code as a string.
    pub fn generate(&self) -> Result<String, Error> {
        let model = self.model()?;
        let mut source = self
            .dictionary
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(t) = self.transport.as_ref().and_then(|p| p.file_name()) {
            source = format!("{source} with {}", t.to_string_lossy());
        }
        generate(&model, &source)
    }

    /// Generates the code into the file `path`.
    pub fn write_to(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let code = self.generate()?;
        let path = path.as_ref();
        std::fs::write(path, code).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// For `build.rs`: generates into `$OUT_DIR/<file_name>` and tells cargo to rerun when a
    /// dictionary changes.
    pub fn compile(&self, file_name: &str) -> Result<(), Error> {
        for p in self.dictionary.iter().chain(self.transport.iter()) {
            println!("cargo:rerun-if-changed={}", p.display());
        }
        let out = std::env::var_os("OUT_DIR").ok_or_else(|| {
            Error::Config("OUT_DIR is not set: call it from a build script or use write_to".into())
        })?;
        self.write_to(Path::new(&out).join(file_name))
    }
}

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
