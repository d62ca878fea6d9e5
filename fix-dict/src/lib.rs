//! # fix-dict
//!
//! QuickFIX-style XML data dictionaries, loaded at run time: XML ([`xml`]) -> checked model
//! ([`model`], every reference resolved, broken dictionaries reported with the element and
//! line) -> fix-core validation tables ([`layout`]).
//!
//! The session engine and the `fix` tool use it to validate against a counterparty's dictionary
//! without generating code; `fix-codegen` builds its typed code from the same model, so the
//! tables a generated crate carries and the ones loaded here are numbered alike.
//!
//! ```no_run
//! let dict = fix_dict::load_dictionary("dictionaries/FIX44.xml", None)?;
//! assert_eq!(dict.begin_string, "FIX.4.4");
//! # Ok::<(), fix_dict::Error>(())
//! ```
#![warn(unreachable_pub)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod builtin;
pub mod error;
pub mod layout;
pub mod model;
pub mod xml;

use std::path::Path;

pub use error::{Error, Warning};
pub use model::Model;

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Parses and checks a dictionary given as XML text.
pub fn model_from_str(xml: &str) -> Result<Model, Error> {
    Model::from_xml(&xml::parse(xml)?)
}

/// Loads and checks a dictionary file, combined with its transport dictionary if given.
///
/// What the files rely on QuickFIX's leniency for is in [`Model::warnings`], and each
/// warning is logged (`tracing::warn`) with the file it comes from.
pub fn load_model(path: impl AsRef<Path>, transport: Option<&Path>) -> Result<Model, Error> {
    let model = load_one(path.as_ref())?;
    match transport {
        Some(t) => {
            let transport = load_one(t)?;
            let own = model.warnings.len() + transport.warnings.len();
            let combined = model.with_transport(&transport)?;
            for w in &combined.warnings[own..] {
                tracing::warn!(dictionary = %t.display(), "{w}");
            }
            Ok(combined)
        }
        None => Ok(model),
    }
}

fn load_one(path: &Path) -> Result<Model, Error> {
    let model = model_from_str(&read(path)?)?;
    for w in &model.warnings {
        tracing::warn!(dictionary = %path.display(), "{w}");
    }
    Ok(model)
}

/// Loads a dictionary file as fix-core tables, for validation at run time.
pub fn load_dictionary(
    path: impl AsRef<Path>,
    transport: Option<&Path>,
) -> Result<fix_core::Dictionary, Error> {
    Ok(layout::dictionary(&load_model(path, transport)?))
}

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
