//! The QuickFIX settings file format: `[DEFAULT]` and `[SESSION]` sections of `Key=Value`
//! lines, `#` and `;` comments. Section names and keys are matched case-insensitively, as
//! QuickFIX C++ does.

use super::keys;
use super::values::{Entry, Raw};
use super::SettingsError;

/// The `[DEFAULT]` entries and one set of entries per `[SESSION]`, in file order.
pub(crate) struct Sections {
    pub(crate) default: Raw,
    pub(crate) sessions: Vec<Raw>,
}

/// The entry for `key` in `section`, or the error for a key no QuickFIX knows.
pub(crate) fn entry(
    key: &str,
    value: String,
    section: &str,
    line: usize,
) -> Result<(String, Entry), SettingsError> {
    let name = keys::canonical(key).ok_or_else(|| SettingsError::UnknownKey {
        key: key.to_string(),
        section: section.to_string(),
        line,
        suggestion: keys::suggestion(key),
    })?;
    let entry = Entry {
        key: key.to_string(),
        value,
        section: section.to_string(),
        line,
    };
    Ok((name, entry))
}

/// Splits settings text into its sections.
pub(crate) fn parse(text: &str) -> Result<Sections, SettingsError> {
    let mut out = Sections {
        default: Raw::new(),
        sessions: Vec::new(),
    };
    // None: [DEFAULT]; Some(i): the i-th [SESSION].
    let mut current: Option<usize> = None;
    let mut in_section = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
            continue;
        }
        let syntax = || SettingsError::Syntax {
            line: n,
            text: line.to_string(),
        };
        if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            let name = name.trim();
            if name.eq_ignore_ascii_case("DEFAULT") {
                current = None;
            } else if name.eq_ignore_ascii_case("SESSION") {
                out.sessions.push(Raw::new());
                current = Some(out.sessions.len() - 1);
            } else {
                return Err(syntax());
            }
            in_section = true;
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            return Err(syntax());
        };
        if !in_section {
            return Err(syntax());
        }
        let section = match current {
            None => "DEFAULT".to_string(),
            Some(s) => format!("SESSION {}", s + 1),
        };
        let (key, entry) = entry(k.trim(), v.trim().to_string(), &section, n)?;
        let target = match current {
            None => &mut out.default,
            Some(s) => &mut out.sessions[s],
        };
        target.insert(key, entry);
    }
    Ok(out)
}
