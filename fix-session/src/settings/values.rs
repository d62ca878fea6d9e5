//! Raw `Key=Value` entries of one session (with `[DEFAULT]` applied) and the typed reads of
//! their values: booleans, numbers, times, days, paths.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{NaiveTime, Weekday};

use super::SettingsError;

/// One `Key=Value` as written, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The key as written (errors name it so).
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) section: String,
    pub(crate) line: usize,
}

/// A section's entries by canonical key name.
pub(crate) type Raw = BTreeMap<String, Entry>;

/// Typed reads of a session's entries; errors name the key, section and line.
pub(crate) struct Getter<'a> {
    pub(crate) raw: &'a Raw,
    pub(crate) section: &'a str,
}

impl Getter<'_> {
    pub(crate) fn bad(&self, key: &str, reason: &str) -> SettingsError {
        let e = self.raw.get(key);
        SettingsError::BadValue {
            key: e.map_or(key, |e| e.key.as_str()).to_string(),
            value: e.map(|e| e.value.clone()).unwrap_or_default(),
            section: e
                .map(|e| e.section.clone())
                .unwrap_or_else(|| self.section.to_string()),
            line: e.map(|e| e.line).unwrap_or(0),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn missing(&self, key: &str) -> SettingsError {
        SettingsError::Missing {
            key: key.to_string(),
            section: self.section.to_string(),
        }
    }

    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.raw.get(key).map(|e| e.value.as_str())
    }

    /// Which of several spellings of one setting is given (QuickFIX/J's, QuickFIX C++'s,
    /// QuickFIX/Go's); two of them with different values are an error.
    pub(crate) fn either<'k>(&self, keys: &[&'k str]) -> Result<Option<&'k str>, SettingsError> {
        let mut given = keys.iter().filter(|k| self.raw.contains_key(**k));
        let Some(first) = given.next() else {
            return Ok(None);
        };
        for other in given {
            if self.str(other) != self.str(first) {
                return Err(self.bad(other, &format!("{first} says otherwise; give one of them")));
            }
        }
        Ok(Some(first))
    }

    pub(crate) fn bool(&self, key: &str, default: bool) -> Result<bool, SettingsError> {
        match self.str(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("y" | "true" | "yes") => Ok(true),
            Some("n" | "false" | "no") => Ok(false),
            Some(_) => Err(self.bad(key, "expected Y or N")),
        }
    }

    pub(crate) fn u64(&self, key: &str) -> Result<Option<u64>, SettingsError> {
        self.str(key)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| self.bad(key, "expected a whole number"))
            })
            .transpose()
    }

    pub(crate) fn f64(&self, key: &str, default: f64) -> Result<f64, SettingsError> {
        match self.str(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .ok_or_else(|| self.bad(key, "expected a number, 0 or more")),
        }
    }

    pub(crate) fn secs(&self, key: &str, default: u64) -> Result<Duration, SettingsError> {
        Ok(Duration::from_secs(self.u64(key)?.unwrap_or(default)))
    }

    pub(crate) fn port(&self, key: &str) -> Result<Option<u16>, SettingsError> {
        self.str(key)
            .map(|v| {
                v.parse::<u16>()
                    .map_err(|_| self.bad(key, "expected a port number"))
            })
            .transpose()
    }

    /// A time of day, `HH:MM:SS` optionally followed by a time zone name (QuickFIX/J's
    /// `StartTime=08:00:00 US/Central`).
    pub(crate) fn time(
        &self,
        key: &str,
    ) -> Result<Option<(NaiveTime, Option<chrono_tz::Tz>)>, SettingsError> {
        let Some(v) = self.str(key) else {
            return Ok(None);
        };
        let (time, zone) = match v.split_once(char::is_whitespace) {
            Some((t, z)) => (t, Some(z.trim())),
            None => (v, None),
        };
        let time = NaiveTime::parse_from_str(time, "%H:%M:%S")
            .map_err(|_| self.bad(key, "expected HH:MM:SS, optionally followed by a time zone"))?;
        let zone = zone
            .map(|z| parse_zone(z).ok_or_else(|| self.bad(key, "unknown time zone name")))
            .transpose()?;
        Ok(Some((time, zone)))
    }

    pub(crate) fn day(&self, key: &str) -> Result<Option<Weekday>, SettingsError> {
        self.str(key)
            .map(|v| parse_day(v).ok_or_else(|| self.bad(key, "expected a day of the week")))
            .transpose()
    }

    pub(crate) fn path(&self, key: &str) -> Option<PathBuf> {
        self.str(key).map(PathBuf::from)
    }

    /// A `,`-separated list (spaces around items allowed; empty items dropped).
    pub(crate) fn list(&self, key: &str) -> Vec<&str> {
        self.str(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The entries whose key is `base` followed by a suffix (`LogonTag2`,
    /// `AppDataDictionary.FIX.4.4`), as (suffix, key, value).
    pub(crate) fn suffixed<'s>(
        &'s self,
        base: &'s str,
    ) -> impl Iterator<Item = (&'s str, &'s str, &'s str)> + 's {
        self.raw
            .range(base.to_string()..)
            .take_while(move |(k, _)| k.starts_with(base))
            .map(move |(k, e)| (&k[base.len()..], k.as_str(), e.value.as_str()))
    }
}

/// An IANA time zone name (`America/Chicago`, `US/Central`, `UTC`).
pub(crate) fn parse_zone(name: &str) -> Option<chrono_tz::Tz> {
    name.parse::<chrono_tz::Tz>().ok()
}

/// A day of the week: its English name or any prefix of at least two letters.
pub(crate) fn parse_day(v: &str) -> Option<Weekday> {
    const DAYS: [(&str, Weekday); 7] = [
        ("sunday", Weekday::Sun),
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
    ];
    let l = v.trim().to_ascii_lowercase();
    if l.len() < 2 {
        return None;
    }
    DAYS.iter()
        .find(|(name, _)| name.starts_with(&l))
        .map(|(_, d)| *d)
}

/// Replaces `${NAME}` in every value with the environment variable NAME.
pub(crate) fn expand_env(raw: &mut Raw) -> Result<(), SettingsError> {
    for e in raw.values_mut() {
        if !e.value.contains("${") {
            continue;
        }
        let bad = |reason: String| SettingsError::BadValue {
            key: e.key.clone(),
            value: e.value.clone(),
            section: e.section.clone(),
            line: e.line,
            reason,
        };
        let mut out = String::new();
        let mut rest = e.value.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| bad("`${` without a closing `}`".into()))?;
            let name = &after[..end];
            let value = std::env::var(name)
                .map_err(|_| bad(format!("environment variable {name} is not set")))?;
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        e.value = out;
    }
    Ok(())
}
