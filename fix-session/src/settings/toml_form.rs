//! The TOML form of a settings file: an optional `[default]` table and an array of
//! `[[session]]` tables with QuickFIX key names (matched case-insensitively); booleans may
//! be TOML booleans or `"Y"`/`"N"`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ini::{self, Sections};
use super::values::Raw;
use super::SettingsError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TomlFile {
    #[serde(default, alias = "DEFAULT")]
    default: BTreeMap<String, toml::Value>,
    #[serde(default, alias = "SESSION")]
    session: Vec<BTreeMap<String, toml::Value>>,
}

impl TomlFile {
    /// The file's sections, as the QuickFIX form gives them.
    pub(crate) fn into_sections(self) -> Result<Sections, SettingsError> {
        Ok(Sections {
            default: table(self.default, "DEFAULT")?,
            sessions: self
                .session
                .into_iter()
                .enumerate()
                .map(|(i, t)| table(t, &format!("SESSION {}", i + 1)))
                .collect::<Result<Vec<_>, _>>()?,
        })
    }
}

fn table(table: BTreeMap<String, toml::Value>, section: &str) -> Result<Raw, SettingsError> {
    let mut raw = Raw::new();
    for (key, v) in table {
        let value = match v {
            toml::Value::String(s) => s,
            toml::Value::Boolean(b) => if b { "Y" } else { "N" }.to_string(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            other => {
                return Err(SettingsError::BadValue {
                    key,
                    value: other.to_string(),
                    section: section.to_string(),
                    line: 0,
                    reason: "expected a string, number or boolean".into(),
                })
            }
        };
        let (key, entry) = ini::entry(&key, value, section, 0)?;
        raw.insert(key, entry);
    }
    Ok(raw)
}
